import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { RecordableFailures } from './recordable';

/** Housekeeping jobs. Its heartbeat proves, continuously, that producers and workers meet. */
export const SYSTEM_QUEUE = 'system';
export const HEARTBEAT_JOB = 'heartbeat';
export const HEARTBEAT_EVERY_MS = 60_000;

export interface HeartbeatResult {
  ok: true;
  processedAt: string;
  pid: number;
}

@Injectable()
export class SystemQueueScheduler implements OnApplicationBootstrap {
  constructor(@InjectQueue(SYSTEM_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    // Idempotent: every process may upsert the same scheduler.
    await this.queue.upsertJobScheduler(
      HEARTBEAT_JOB,
      { every: HEARTBEAT_EVERY_MS },
      {
        name: HEARTBEAT_JOB,
        opts: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } },
      },
    );
  }
}

@Processor(SYSTEM_QUEUE)
export class SystemProcessor extends WorkerHost {
  private readonly logger = new Logger(SystemProcessor.name);

  @RecordableFailures()
  async process(job: Job): Promise<HeartbeatResult> {
    if (job.name !== HEARTBEAT_JOB) throw new Error(`unknown job ${job.name} on queue ${SYSTEM_QUEUE}`);
    this.logger.debug(`heartbeat ${job.id}`);
    return { ok: true, processedAt: new Date().toISOString(), pid: process.pid };
  }
}

/** The system queue's worker; imported by apps/worker, and by apps/api when it runs workers in-process. */
@Module({ providers: [SystemProcessor] })
export class SystemWorkerModule {}
