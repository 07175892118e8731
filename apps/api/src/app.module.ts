import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AuditModule } from '#libs/audit';
import { BatteriesModule } from '#libs/batteries';
import { CodesModule } from '#libs/codes';
import { CustodyModule } from '#libs/custody';
import { AppConfig, AppConfigModule, loggingModule } from '#libs/common';
import { DatabaseModule } from '#libs/database';
import { ApiKeyAuthModule, EnterprisesModule } from '#libs/enterprises';
import { HealthModule } from '#libs/health';
import { LedgerCheckpointsModule, LifecycleModule } from '#libs/lifecycle';
import { OutletsModule } from '#libs/outlets';
import { QueueModule } from '#libs/queue';
import { UploadsModule } from '#libs/uploads';
import { WorkersModule } from '#libs/workers';
import { registerChineseMessages } from './messages';

export interface ApiRuntime {
  config: AppConfig;
  databaseUrl: string;
  /** Where JSON log lines go (stdout by default; tests capture them). */
  logDestination?: DestinationStream;
}

/** The HTTP API: composes the bounded contexts; holds no logic of its own. */
@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, logDestination }: ApiRuntime): DynamicModule {
    registerChineseMessages();
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule(config, logDestination),
        DatabaseModule.forRoot(databaseUrl),
        QueueModule.forRoot(config, databaseUrl),
        AuditModule,
        HealthModule,
        EnterprisesModule,
        ApiKeyAuthModule,
        CodesModule,
        BatteriesModule,
        LifecycleModule,
        LedgerCheckpointsModule,
        UploadsModule,
        OutletsModule,
        CustodyModule,
        ...(config.runWorkersInApi ? [WorkersModule] : []),
      ],
    };
  }
}
