import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitWithStartupError, loadConfig, onShutdownSignal } from '#libs/common';
import { appDatabaseUrl, migrateDatabase, resolveDatabase } from '#libs/database';
import type { QueueBackendInfo } from '#libs/queue';
import { QUEUE_BACKEND } from '#libs/queue';
import { WorkerAppModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const db = await resolveDatabase(config, (line) => console.error(`embedded PostgreSQL: ${line}`));
  try {
    await migrateDatabase(db.url, config.databaseRoles);
    const app = await NestFactory.createApplicationContext(WorkerAppModule.forRoot(config, appDatabaseUrl(db.url, config.databaseRoles)), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
    const queue = app.get<QueueBackendInfo>(QUEUE_BACKEND);
    new NestLogger('Echelon').log(`worker running; database: ${db.description}; queues: ${queue.description}`);
    onShutdownSignal([() => app.close(), () => db.stop()]);
  } catch (error) {
    await db.stop().catch(() => undefined);
    throw error;
  }
}

bootstrap().catch((error) => exitWithStartupError(error));
