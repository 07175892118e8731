import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { BullModule } from '@nestjs/bullmq';
import { Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AuditCheckpointService } from '#libs/audit';
import { APP_CONFIG, AppConfig } from '#libs/common';
import { RecordableFailures } from '#libs/queue';
import { CheckpointService } from './checkpoint.service';
import { CheckpointsController } from './checkpoints.controller';

export const LEDGER_QUEUE = 'ledger';
export const CHECKPOINT_JOB = 'checkpoint';

@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(LEDGER_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      CHECKPOINT_JOB,
      { every: this.config.checkpointEveryMinutes * 60_000 },
      {
        name: CHECKPOINT_JOB,
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  }
}

@Processor(LEDGER_QUEUE)
export class CheckpointProcessor extends WorkerHost {
  constructor(
    private readonly checkpoints: CheckpointService,
    private readonly auditCheckpoints: AuditCheckpointService,
  ) {
    super();
  }

  @RecordableFailures()
  async process(job: Job): Promise<{ id: string; root: string; batteryCount: number }> {
    if (job.name !== CHECKPOINT_JOB) throw new Error(`unknown job ${job.name} on queue ${LEDGER_QUEUE}`);
    const c = await this.checkpoints.create();
    // The audit log is checkpointed on the same schedule (libs/audit).
    await this.auditCheckpoints.create();
    return { id: c.id, root: c.root, batteryCount: c.batteryCount };
  }
}

/** Checkpoints: the endpoints, and the schedule that enqueues one every CHECKPOINT_EVERY_MINUTES. */
@Module({
  imports: [BullModule.registerQueue({ name: LEDGER_QUEUE })],
  controllers: [CheckpointsController],
  providers: [CheckpointService, CheckpointScheduler],
  exports: [CheckpointService],
})
export class LedgerCheckpointsModule {}

/** The checkpoint job's worker (composed in libs/workers). */
@Module({
  imports: [BullModule.registerQueue({ name: LEDGER_QUEUE })],
  providers: [CheckpointService, CheckpointProcessor],
})
export class LedgerCheckpointsWorkerModule {}
