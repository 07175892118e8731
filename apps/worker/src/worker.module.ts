import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { AppConfig, AppConfigModule, loggingModule } from '#libs/common';
import { ComplianceDeadlinesModule } from '#libs/compliance';
import { DatabaseModule } from '#libs/database';
import { QueueModule } from '#libs/queue';
import { WorkersModule } from '#libs/workers';

/** The worker process: the queue processors and what they need, no HTTP. */
@Module({})
export class WorkerAppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule(config),
        DatabaseModule.forRoot(databaseUrl),
        QueueModule.forRoot(config, databaseUrl),
        AuditModule,
        ComplianceDeadlinesModule,
        WorkersModule,
      ],
    };
  }
}
