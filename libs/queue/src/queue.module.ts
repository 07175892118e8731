import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { createPostgresBackend, createRedisBackend, DefaultJobOptions, setDefaultBackendFactory } from 'bullmq';
import { AppConfig } from '#libs/common';
import { SYSTEM_QUEUE, SystemQueueScheduler } from './system-queue';

export interface QueueBackendInfo {
  kind: 'redis' | 'postgres';
  description: string;
}
export const QUEUE_BACKEND = Symbol('QUEUE_BACKEND');

/** BullMQ keeps this schema to itself in the application's database. */
export const BULLMQ_SCHEMA = 'bullmq';

/**
 * Retention and retries for every job unless a queue says otherwise: failures
 * are retried with backoff; finished jobs are kept long enough to inspect but
 * not forever (Redis and the bullmq schema must not grow without bound).
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/**
 * The queue backend: Redis when REDIS_URL is set (production), otherwise
 * BullMQ's PostgreSQL backend on the application's own database, so that a
 * newcomer needs nothing but Node.js. Both survive restarts: jobs are data.
 */
@Global()
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    const info: QueueBackendInfo = config.redisUrl
      ? { kind: 'redis', description: `BullMQ on Redis (prefix '${config.queuePrefix}')` }
      : { kind: 'postgres', description: `BullMQ on PostgreSQL (schema '${BULLMQ_SCHEMA}')` };
    // The backend is a process-wide default in BullMQ 6; an API and a worker process each choose once.
    setDefaultBackendFactory((config.redisUrl ? createRedisBackend : createPostgresBackend) as never);
    const root = config.redisUrl
      ? BullModule.forRoot({
          connection: { url: config.redisUrl, maxRetriesPerRequest: null },
          prefix: config.queuePrefix,
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        })
      : BullModule.forRoot({
          connection: { connectionString: databaseUrl, schema: BULLMQ_SCHEMA, migrate: true } as never,
          defaultJobOptions: DEFAULT_JOB_OPTIONS,
        });
    return {
      module: QueueModule,
      imports: [root, BullModule.registerQueue({ name: SYSTEM_QUEUE })],
      providers: [{ provide: QUEUE_BACKEND, useValue: info }, SystemQueueScheduler],
      exports: [BullModule, QUEUE_BACKEND],
    };
  }
}
