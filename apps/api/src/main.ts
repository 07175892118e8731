import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { configureHttpApp, exitWithStartupError, loadConfig, onShutdownSignal } from '#libs/common';
import { appDatabaseUrl, migrateDatabase, resolveDatabase } from '#libs/database';
import { QUEUE_BACKEND, QueueBackendInfo } from '#libs/queue';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const db = await resolveDatabase(config, (line) => console.error(`embedded PostgreSQL: ${line}`));
  try {
    await migrateDatabase(db.url, config.databaseRoles);
    // The API connects as the app role, not as the role that set the database up (roles.ts in libs/database).
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl: appDatabaseUrl(db.url, config.databaseRoles) }), {
      bodyParser: false,
      bufferLogs: true,
    });
    app.useLogger(app.get(Logger));
    configureHttpApp(app, config);
    await app.listen(config.port, config.host);
    const queue = app.get<QueueBackendInfo>(QUEUE_BACKEND);
    new NestLogger('Echelon').log(
      `API on http://${config.host}:${config.port} (docs at /docs) in ${Date.now() - started} ms; database: ${db.description}; queues: ${queue.description}; workers in this process: ${config.runWorkersInApi ? 'yes' : 'no'}`,
    );
    onShutdownSignal([() => app.close(), () => db.stop()]);
  } catch (error) {
    await db.stop().catch(() => undefined);
    throw error;
  }
}

bootstrap().catch((error) => exitWithStartupError(error));
