import { Module } from '@nestjs/common';
import { LedgerCheckpointsWorkerModule } from '#libs/lifecycle';
import { OutletChecksModule } from '#libs/outlets';
import { SystemWorkerModule } from '#libs/queue';
import { UploadsWorkerModule } from '#libs/uploads';

/**
 * Every BullMQ processor of the product, composed in one place so that the
 * worker app and the API (when it runs workers in-process) run the same set. OutletChecksModule is not a
 * processor: it registers the ledger's outlet check, which uploads ingested in a worker process must run too.
 */
@Module({ imports: [SystemWorkerModule, UploadsWorkerModule, LedgerCheckpointsWorkerModule, OutletChecksModule] })
export class WorkersModule {}
