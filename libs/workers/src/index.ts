import { Module } from '@nestjs/common';
import { LedgerCheckpointsWorkerModule } from '#libs/lifecycle';
import { OutletChecksModule, OutletUploadsModule } from '#libs/outlets';
import { SystemWorkerModule } from '#libs/queue';
import { UploadsWorkerModule } from '#libs/uploads';

/**
 * Every BullMQ processor of the product, composed in one place so that the
 * worker app and the API (when it runs workers in-process) run the same set. OutletChecksModule and
 * OutletUploadsModule are not processors: they register the ledger's outlet check and the `outlets` upload kind,
 * which uploads processed in a worker process need too.
 */
@Module({ imports: [SystemWorkerModule, UploadsWorkerModule, LedgerCheckpointsWorkerModule, OutletChecksModule, OutletUploadsModule] })
export class WorkersModule {}
