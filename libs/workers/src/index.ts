import { Module } from '@nestjs/common';
import { ComplianceWorkerModule } from '#libs/compliance';
import { LedgerCheckpointsWorkerModule } from '#libs/lifecycle';
import { SystemWorkerModule } from '#libs/queue';
import { UploadsWorkerModule } from '#libs/uploads';

/**
 * Every BullMQ processor of the product, composed in one place so that the
 * worker app and the API (when it runs workers in-process) run the same set.
 */
@Module({ imports: [SystemWorkerModule, UploadsWorkerModule, LedgerCheckpointsWorkerModule, ComplianceWorkerModule] })
export class WorkersModule {}
