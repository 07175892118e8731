import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { AppConfig, AppConfigModule } from '#libs/common';
import { DatabaseModule } from '#libs/database';
import { EnterprisesModule } from '#libs/enterprises';

/** What the operator commands need: the database and the services, no HTTP and no queues. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(databaseUrl), AuditModule, EnterprisesModule],
    };
  }
}
