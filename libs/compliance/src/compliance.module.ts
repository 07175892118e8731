import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { CalendarController } from './calendar.controller';
import { ReportProcessor } from './reports/report.processor';
import { ReportRunner } from './reports/report-runner.service';
import { ReportsController } from './reports/reports.controller';
import { REPORTS_QUEUE, ReportsService } from './reports/reports.service';

/** The compliance API: calendar years and reports. Needs ComplianceDeadlinesModule in the app. */
@Module({
  imports: [AuditModule, BullModule.registerQueue({ name: REPORTS_QUEUE })],
  controllers: [CalendarController, ReportsController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ComplianceModule {}

/** The report processor (composed in libs/workers). Needs ComplianceDeadlinesModule in the app. */
@Module({
  imports: [BullModule.registerQueue({ name: REPORTS_QUEUE })],
  providers: [ReportRunner, ReportProcessor],
})
export class ComplianceWorkerModule {}
