import { Module } from '@nestjs/common';
import { CascadeChecksModule } from '#libs/cascade';
import { LedgerCheckpointsWorkerModule } from '#libs/lifecycle';
import { SystemWorkerModule } from '#libs/queue';
import { ResidualTestsUploadModule } from '#libs/testing';
import { UploadsWorkerModule } from '#libs/uploads';

/**
 * Every BullMQ processor of the product, composed in one place so that the
 * worker app and the API (when it runs workers in-process) run the same set. The ledger's event checks of other
 * contexts (CascadeChecksModule) and upload kinds (ResidualTestsUploadModule) are registered here too, so that uploads
 * processed by a worker see the same rules and kinds.
 */
@Module({ imports: [SystemWorkerModule, UploadsWorkerModule, LedgerCheckpointsWorkerModule, CascadeChecksModule, ResidualTestsUploadModule] })
export class WorkersModule {}
