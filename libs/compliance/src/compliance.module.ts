import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { OutletCoverageModule } from '#libs/outlets';
import { CalendarController } from './calendar.controller';
import { ReportProcessor } from './reports/report.processor';
import { ReportRunner } from './reports/report-runner.service';
import { ReportSchedulesController, ReportsController } from './reports/reports.controller';
import { REPORTS_QUEUE, ReportsService } from './reports/reports.service';
import { MonthlyReports, ReportScheduleUpserter } from './reports/schedule';

/** The compliance API: calendar years and reports. Needs ComplianceDeadlinesModule in the app. */
@Module({
  imports: [AuditModule, BullModule.registerQueue({ name: REPORTS_QUEUE })],
  controllers: [CalendarController, ReportsController, ReportSchedulesController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ComplianceModule {}

/**
 * The report processor (composed in libs/workers). Needs ComplianceDeadlinesModule in the app; the cascade
 * obligations report reads outlet coverage (art. 19) through OutletCoverageModule.
 */
@Module({
  imports: [AuditModule, OutletCoverageModule, BullModule.registerQueue({ name: REPORTS_QUEUE })],
  providers: [ReportsService, ReportRunner, ReportProcessor, MonthlyReports, ReportScheduleUpserter],
})
export class ComplianceWorkerModule {}
