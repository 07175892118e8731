import { Module } from '@nestjs/common';
import { SystemWorkerModule } from '#libs/queue';

/**
 * Every BullMQ processor of the product, composed in one place so that the
 * worker app and the API (when it runs workers in-process) run the same set.
 */
@Module({ imports: [SystemWorkerModule] })
export class WorkersModule {}
