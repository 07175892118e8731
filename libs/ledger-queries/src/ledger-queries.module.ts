import { Module } from '@nestjs/common';
import { AuditLogService } from './audit-log.service';
import { EventsQueryService } from './events.service';
import { AuditLogController, EventsQueryController } from './ledger-queries.controller';

/** Regulators' (and everyone's) queries over the ledger and the audit log: read-only, scoped by libs/access. */
@Module({
  controllers: [EventsQueryController, AuditLogController],
  providers: [EventsQueryService, AuditLogService],
  exports: [EventsQueryService, AuditLogService],
})
export class LedgerQueriesModule {}
