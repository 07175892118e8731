import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { configureHttpApp, exitWithStartupError, loadConfig, onShutdownSignal, withQuietStartup } from '#libs/common';
import { appDatabaseUrl, migrateDatabase, resolveDatabase } from '#libs/database';
import type { QueueBackendInfo } from '#libs/queue';
import { QUEUE_BACKEND } from '#libs/queue';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  // The embedded server's own lines come after the one that says where everything is (or with the error, if start-up fails).
  const pgLines: string[] = [];
  const db = await resolveDatabase(config, (line) => pgLines.push(`embedded PostgreSQL: ${line}`));
  try {
    await migrateDatabase(db.url, config.databaseRoles);
    // The API connects as the app role, not as the role that set the database up (roles.ts in libs/database).
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl: appDatabaseUrl(db.url, config.databaseRoles) }), {
      bodyParser: false,
      bufferLogs: true,
    });
    app.useLogger(withQuietStartup(app.get(Logger)));
    configureHttpApp(app, config);
    await app.listen(config.port, config.host);
    const queue = app.get<QueueBackendInfo>(QUEUE_BACKEND);
    const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const logger = new NestLogger('Echelon');
    logger.log(
      `API on http://${shown}:${config.port} (docs at http://${shown}:${config.port}/docs) in ${Date.now() - started} ms; database: ${db.description}; queues: ${queue.description}; workers in this process: ${config.runWorkersInApi ? 'yes' : 'no'}`,
    );
    for (const line of pgLines) logger.debug(line);
    onShutdownSignal([() => app.close(), () => db.stop()]);
  } catch (error) {
    for (const line of pgLines) console.error(line);
    await db.stop().catch(() => undefined);
    throw error;
  }
}

bootstrap().catch((error) => exitWithStartupError(error));
