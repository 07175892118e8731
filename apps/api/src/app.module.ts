import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AuditModule } from '#libs/audit';
import { BatteriesModule } from '#libs/batteries';
import { CascadeModule } from '#libs/cascade';
import { CodesModule } from '#libs/codes';
import { ComplianceDeadlinesModule, ComplianceModule } from '#libs/compliance';
import { CustodyModule } from '#libs/custody';
import { AppConfig, AppConfigModule, loggingModule } from '#libs/common';
import { DatabaseModule } from '#libs/database';
import { ApiKeyAuthModule, EnterprisesModule } from '#libs/enterprises';
import { HealthModule } from '#libs/health';
import { LedgerQueriesModule } from '#libs/ledger-queries';
import { LedgerCheckpointsModule, LifecycleModule } from '#libs/lifecycle';
import { OutletsModule } from '#libs/outlets';
import { PassportModule } from '#libs/passport';
import { OperationsModule } from '#libs/operations';
import { QueueModule } from '#libs/queue';
import { TestingModule } from '#libs/testing';
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
        LedgerQueriesModule,
        TestingModule,
        CascadeModule,
        PassportModule,
        ComplianceDeadlinesModule,
        ComplianceModule,
        OperationsModule,
        CustodyModule,
        ...(config.runWorkersInApi ? [WorkersModule] : []),
      ],
    };
  }
}
