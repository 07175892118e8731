import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig, Actor } from '#libs/common';
import { DataSource } from 'typeorm';
import { REPORTS_QUEUE, ReportsService } from './reports.service';

export const MONTHLY_REPORTS_JOB = 'monthly-reports';
/** The scheduler's id (one for the product: it fans out to every enterprise and province when it fires). */
export const MONTHLY_SCHEDULER = 'monthly-compliance-reports';
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

/** The reports the schedule makes are requested by the system, audited as such. */
const SYSTEM_ACTOR: Actor = { principal: { kind: 'admin', keyId: null }, requestId: 'report-schedule' };

/** The month before the one `now` is in (Beijing time), as YYYY-MM. */
export function previousMonth(now: Date): string {
  const bj = new Date(now.getTime() + 8 * 3_600_000);
  const first = new Date(Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth() - 1, 1));
  return first.toISOString().slice(0, 7);
}

/** Upserts the monthly scheduler (idempotent: every process may do it) with the configured cron. */
@Injectable()
export class ReportScheduleUpserter implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(REPORTS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      MONTHLY_SCHEDULER,
      { pattern: this.config.reportScheduleCron, tz: SCHEDULE_TIMEZONE },
      {
        name: MONTHLY_REPORTS_JOB,
        data: {},
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 24 }, removeOnFail: { count: 24 } },
      },
    );
  }
}

/**
 * When the schedule fires: a timeliness report of the previous month for every enterprise and every province with
 * an enterprise registered in it (each an ordinary report, idempotent by its identity, so a retry adds nothing).
 */
@Injectable()
export class MonthlyReports {
  private readonly log = new Logger('MonthlyReports');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reports: ReportsService,
  ) {}

  async run(now = new Date()): Promise<{ period: string; requested: number }> {
    const period = previousMonth(now);
    const enterprises = await this.dataSource.query<{ id: string }[]>('SELECT id FROM enterprises ORDER BY id');
    const provinces = await this.dataSource.query<{ p: string }[]>(
      `SELECT DISTINCT left(region_code, 2) AS p FROM enterprises WHERE region_code IS NOT NULL ORDER BY 1`,
    );
    const scopes = [...enterprises.map((e) => `enterprise:${e.id}`), ...provinces.map((p) => `region:${p.p}`)];
    for (const scope of scopes) await this.reports.request({ type: 'timeliness', scope, period, format: 'xlsx' }, SYSTEM_ACTOR, MONTHLY_SCHEDULER);
    this.log.log(`monthly reports for ${period}: ${scopes.length} requested`);
    return { period, requested: scopes.length };
  }
}
