import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Optional } from '@nestjs/common';
import { Metrics } from '#libs/operations';
import { Job, UnrecoverableError } from 'bullmq';
import { ReportInvalid, ReportRunner } from './report-runner.service';
import { MONTHLY_REPORTS_JOB, MonthlyReports } from './schedule';
import { REPORT_JOB, ReportJob, REPORTS_QUEUE } from './reports.service';

/**
 * Runs report jobs. Bad parameters fail at once (UnrecoverableError); anything else is retried with backoff, and
 * a report whose last attempt failed is marked failed. A worker killed mid-report leaves its job to be taken over
 * when the lock lapses; the next attempt starts the report over (ReportRunner deletes the partial rows).
 */
@Processor(REPORTS_QUEUE)
export class ReportProcessor extends WorkerHost {
  constructor(
    private readonly runner: ReportRunner,
    private readonly monthly: MonthlyReports,
    @Optional() private readonly metrics?: Metrics,
  ) {
    super();
  }

  async process(job: Job<ReportJob>): Promise<{ rows: number } | { period: string; requested: number }> {
    if (job.name === MONTHLY_REPORTS_JOB) return this.monthly.run();
    if (job.name !== REPORT_JOB || typeof job.data?.reportId !== 'string') throw new UnrecoverableError(`unknown job ${job.name} on queue ${REPORTS_QUEUE}`);
    // Job durations and failures are measured for every queue by #libs/operations (JobMetrics); this adds the
    // computation's duration by report type.
    const started = process.hrtime.bigint();
    try {
      const result = await this.runner.run(job.data.reportId, (p) => job.updateProgress(p));
      if (result.type) this.metrics?.reportDuration.observe({ type: result.type }, Number(process.hrtime.bigint() - started) / 1e9);
      return { rows: result.rows };
    } catch (error) {
      const last = error instanceof ReportInvalid || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last) await this.runner.markFailed(job.data.reportId, (error as Error).message);
      if (error instanceof ReportInvalid) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
