import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '#libs/common';
import { RULE_SETS } from '#libs/lifecycle';
import { CoverageService } from '#libs/outlets';
import type { ClientBase as PgClient } from 'pg';
import { DataSource } from 'typeorm';
import { ComplianceCalendar } from '../calendar.service';
import { beijingDateOf, ledgerRuleSetOf } from '../event-deadlines';
import { parseScope, ReportScope } from './params';
import { CascadeAccumulator } from './cascade-obligations';
import { cascadeRecordFindings } from './cascade-records';
import type { PartitionContext, PartitionResult, PartitionSpec } from './report-partition';
import { computePartition, reportAccumulators } from './report-partition';
import type { CodeRange, EnterpriseFacts, InsertRows } from './report-stream';
import {
  batteriesInScope,
  beginReportRead,
  eventsInScope,
  INSERT_ROWS,
  insertRowsParams,
  planForWholeResult,
  ReportInvalid,
  RowWriter,
  streamTimelines,
  usableBound,
  WHOLE_RESULT_MIN_BATTERIES,
} from './report-stream';
import { runPartitionInThread } from './report-thread';
import type { ReportRow } from './timeliness';

export { ReportInvalid } from './report-stream';

/** A computed report: its summary, the rows written, and the rows left to write with the report's status. */
interface Computed {
  summary: object;
  written: number;
  batteries: number;
  rest: { first: number; batch: ReportRow[] };
}

/** A partition's rows are numbered from `index × stride` (seq is an int4: 2³¹ − 1 shared out among the partitions). */
const seqStride = (partitions: number) => Math.floor((2 ** 31 - 1) / partitions);

export interface ReportRecord {
  id: string;
  type: string;
  scope: string;
  period_from: string;
  period_to: string;
  watermark: string;
  as_of: Date;
  status: string;
}

/**
 * Computes a report: streams the ledger in battery order through a server-side cursor (one REPEATABLE READ
 * snapshot, events up to the report's watermark), feeds each battery's timeline to the report's accumulator and
 * writes the rows it returns page by page. Memory holds one page and the counts. A large timeliness report or flow
 * audit is judged in ranges of batteries, the others on worker threads (REPORT_PARTITIONS). A retry starts over:
 * the rows of an earlier attempt are deleted first, and the report becomes `done` only once all its rows are
 * written (in the transaction that writes the last of them, for cascade obligations).
 */
@Injectable()
export class ReportRunner {
  private readonly log = new Logger('ReportRunner');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendar: ComplianceCalendar,
    private readonly coverage: CoverageService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The rows written, and the report type when this call computed the report (not when it was already done). */
  async run(reportId: string, onProgress: (percent: number) => Promise<void> | void): Promise<{ rows: number; type?: string }> {
    const [report] = await this.dataSource.query<ReportRecord[]>(
      // (A WITH around the UPDATE: TypeORM answers an UPDATE's query() with [rows, count], a SELECT's with rows.)
      `WITH started AS (
         UPDATE compliance_reports SET status = 'running', started_at = now(), attempts = attempts + 1, progress = 0, error = NULL
          WHERE id = $1 AND status <> 'done'
          RETURNING id, type, scope, period_from::text AS period_from, period_to::text AS period_to, watermark, as_of, status)
       SELECT * FROM started`,
      [reportId],
    );
    if (!report) {
      const [done] = await this.dataSource.query<{ row_count: number }[]>(`SELECT row_count FROM compliance_reports WHERE id = $1`, [reportId]);
      if (!done) throw new ReportInvalid(`report ${reportId} does not exist`);
      return { rows: done.row_count };
    }
    if (!['timeliness', 'flow_audit', 'cascade_obligations'].includes(report.type))
      throw new ReportInvalid(`report type '${report.type}' is not computed by this version`);
    const scope = parseScope(report.scope);
    if (!scope.ok) throw new ReportInvalid(scope.reason);
    const flowAudit = report.type === 'flow_audit';
    if (flowAudit && scope.value.kind === 'enterprise') throw new ReportInvalid('a flow audit is about a region (or all), not an enterprise');
    if (report.type === 'cascade_obligations' && scope.value.kind !== 'enterprise')
      throw new ReportInvalid('cascade obligations are about one cascade firm (enterprise:<id>)');
    await this.dataSource.query('DELETE FROM compliance_report_rows WHERE report_id = $1', [reportId]);

    const engine = this.calendar.engine();
    const enterprises = await this.enterprises();
    const ctx: PartitionContext = { engine, enterprises, ledgerRuleSetOf };
    const period = { from: report.period_from, to: report.period_to };
    const firm = scope.value.kind === 'enterprise' ? scope.value.enterpriseId : null;
    const insert = (first: number, batch: readonly ReportRow[]) => this.dataSource.query(INSERT_ROWS, insertRowsParams(reportId, first, batch));

    const qr = this.dataSource.createQueryRunner();
    // The driver's own client: pages come as arrays (no object per row) with a fast timestamp parser.
    const client = (await qr.connect()) as PgClient;
    let computed: Computed;
    try {
      await beginReportRead(client);
      if (report.type === 'cascade_obligations' && firm) {
        computed = await this.cascadeObligations(client, report, firm, scope.value, ctx, insert, onProgress);
      } else {
        const spec = { reportId, type: report.type as PartitionSpec['type'], scope: scope.value, period, asOf: report.as_of, watermark: report.watermark };
        computed = await this.inPartitions(client, spec, ctx, insert, onProgress);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await qr.release();
    }

    const summary = { ...computed.summary, calendar: engine.calendar.coverage().at(-1), tables: engine.sets.map((s) => `${s.id}@${s.version}`) };
    const { rest } = computed;
    const rowCount = computed.written + rest.batch.length;
    await this.dataSource.transaction(async (m) => {
      if (rest.batch.length) await m.query(INSERT_ROWS, insertRowsParams(reportId, rest.first, rest.batch));
      await m.query(`UPDATE compliance_reports SET status = 'done', progress = 100, finished_at = now(), summary = $2, row_count = $3 WHERE id = $1`, [
        reportId,
        JSON.stringify(summary),
        rowCount,
      ]);
    });
    await onProgress(100);
    this.log.log(`report ${reportId}: ${computed.batteries} batteries, ${rowCount} rows`);
    return { rows: rowCount, type: report.type };
  }

  /**
   * A timeliness report or flow audit: the scope's batteries split into ranges of codes (when there are enough of
   * them to be worth it), the first judged here and the others in worker threads reading the same snapshot, their
   * counts merged. Returns the summary and the rows written.
   */
  private async inPartitions(
    client: PgClient,
    spec: Omit<PartitionSpec, 'range' | 'seqBase' | 'wholeResult'>,
    ctx: PartitionContext,
    insert: InsertRows,
    onProgress: (percent: number) => Promise<void> | void,
  ): Promise<Computed> {
    const started = performance.now();
    const total = await countBatteries(client, spec.scope);
    const wanted = total >= this.config.reportPartitionMinBatteries ? this.config.reportPartitions : 1;
    const ranges = wanted > 1 ? await partitionRanges(client, spec.scope, total, wanted) : [ONE_RANGE];
    const split = (performance.now() - started) / 1000;
    const stride = seqStride(ranges.length);
    const wholeResult = total >= WHOLE_RESULT_MIN_BATTERIES;
    const specs: PartitionSpec[] = ranges.map((range, i) => ({ ...spec, range, seqBase: i * stride, wholeResult }));
    const done = ranges.map(() => 0);
    const percent = () => (total > 0 ? Math.min(99, Math.floor((done.reduce((a, b) => a + b, 0) * 100) / total)) : 0);
    // Progress as the threads report it too (their pages, and after this thread's range is done).
    const report = () => void Promise.resolve(onProgress(percent())).catch(() => undefined);

    const threads: ReturnType<typeof runPartitionInThread>[] = [];
    let failure: unknown = null;
    try {
      if (specs.length > 1) {
        const [{ snapshot }] = (await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot')).rows;
        const common = {
          databaseUrl: this.databaseUrl(),
          snapshot,
          schedules: ctx.engine.calendar.schedules(),
          tables: ctx.engine.sets,
          ledgerRuleSets: RULE_SETS.map((s) => ({ id: s.id, validFrom: s.validFrom, validUntil: s.validUntil })),
          enterprises: ctx.enterprises,
        };
        // Each thread is kept as soon as it starts: if a later one cannot start, the earlier ones are stopped.
        for (const [i, s] of specs.slice(1).entries()) {
          const thread = runPartitionInThread({ ...common, spec: s }, (n) => {
            done[i + 1] = n;
            report();
          });
          threads.push(thread);
          thread.result.catch((error: unknown) => (failure ??= error));
        }
      }
      const own = await computePartition(specs[0], ctx, client, insert, async (n) => {
        // A thread that failed fails the report now, not when this partition is done.
        if (failure) throw failure;
        done[0] = n;
        await onProgress(percent());
      });
      const results: PartitionResult[] = [own, ...(await Promise.all(threads.map((t) => t.result)))];
      const merged = reportAccumulators(spec, ctx);
      for (const r of results) {
        merged.timeliness.merge(r.timeliness);
        if (r.flow) merged.flow?.merge(r.flow);
      }
      const timeliness = merged.timeliness.summary();
      // A flow audit's per-enterprise late and missing counts come from the timeliness accumulator.
      const summary = merged.flow ? { flow: merged.flow.summary(), byEnterprise: timeliness.byEnterprise, batteries: timeliness.batteries } : timeliness;
      if (results.length > 1) {
        const each = results.map((r) => `${r.batteries} in ${r.seconds.toFixed(1)} s`).join(', ');
        this.log.log(`report ${spec.reportId}: ${results.length} partitions, counted and split in ${split.toFixed(1)} s (batteries: ${each})`);
      }
      return { summary, written: results.reduce((n, r) => n + r.rows, 0), batteries: timeliness.batteries, rest: { first: 0, batch: [] } };
    } finally {
      await Promise.all(threads.map((t) => t.stop()));
    }
  }

  /** The cascade obligations of one firm (its batteries only: one pass, in this thread), then its records' findings. */
  private async cascadeObligations(
    client: PgClient,
    report: ReportRecord,
    firm: string,
    scope: ReportScope,
    ctx: PartitionContext,
    insert: InsertRows,
    onProgress: (percent: number) => Promise<void> | void,
  ): Promise<Computed> {
    const { engine, enterprises } = ctx;
    const hasCode = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM manufacturer_codes WHERE enterprise_id = $1', [firm])).rows[0].n > 0;
    const cascade = new CascadeAccumulator(
      firm,
      hasCode,
      engine,
      { from: report.period_from, to: report.period_to },
      report.as_of,
      (id) => enterprises.get(id)?.roles ?? [],
      (id) => enterprises.get(id)?.whitelisted ?? false,
      beijingDateOf,
    );
    const total = await countBatteries(client, scope);
    if (total >= WHOLE_RESULT_MIN_BATTERIES) await planForWholeResult(client);
    const writer = new RowWriter(insert);
    writer.push(cascade.firmRows());
    const batteries = await streamTimelines(
      client,
      'report_events',
      eventsInScope(scope, report.watermark),
      ctx,
      (code, timeline) => writer.push(cascade.add(code, timeline)),
      writer,
      (n) => onProgress(total > 0 ? Math.min(99, Math.floor((n * 100) / total)) : 0),
    );
    // Arts. 10, 15 and 19 read the test, product and outlet records of the assemblies the stream found; outlet
    // coverage is that of the period's last day (or today, for a period not over yet).
    const today = beijingDateOf(report.as_of);
    const records = await cascadeRecordFindings(
      this.dataSource,
      this.coverage,
      { id: firm, roles: enterprises.get(firm)?.roles ?? [] },
      cascade.assemblies(),
      report.period_to < today ? report.period_to : today,
    );
    cascade.addRecords(records);
    const written = writer.written;
    writer.push(records.rows);
    return { summary: { cascade: cascade.summary() }, written, batteries, rest: writer.take() };
  }

  async markFailed(reportId: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE compliance_reports SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND status <> 'done'`, [
      reportId,
      message.slice(0, 2000),
    ]);
  }

  private async enterprises(): Promise<Map<string, EnterpriseFacts>> {
    const rows = await this.dataSource.query<{ id: string; region_code: string | null; roles: EnterpriseFacts['roles']; whitelist_status: string }[]>(
      'SELECT id, region_code, roles, whitelist_status FROM enterprises',
    );
    return new Map(rows.map((r) => [r.id, { region: r.region_code, roles: r.roles, whitelisted: r.whitelist_status === 'listed' }]));
  }

  /** The URL a worker thread connects with: the app's own (its role and password). */
  private databaseUrl(): string {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) throw new Error('report partitions need the database URL the app connects with');
    return url;
  }
}

async function countBatteries(client: PgClient, scope: ReportScope): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (${batteriesInScope(scope)}) s`);
  return Number(rows[0].n);
}

const ONE_RANGE: CodeRange = { from: null, to: null };

/**
 * `parts` ranges of battery codes holding about as many of the scope's batteries each: the bounds are the scope's
 * codes at every `total / parts`-th place in code order (the cursor's order). Equal bounds (few batteries) merge; a
 * code that is not letters and digits as a bound gives one range (the report is judged, only not in parts).
 */
async function partitionRanges(client: PgClient, scope: ReportScope, total: number, parts: number): Promise<CodeRange[]> {
  const bounds: string[] = [];
  for (let i = 1; i < parts; i += 1) {
    const { rows } = await client.query<{ code: string }>(`SELECT code FROM (${batteriesInScope(scope)}) s ORDER BY code OFFSET $1 LIMIT 1`, [
      Math.floor((total * i) / parts),
    ]);
    if (rows[0] && !usableBound(rows[0].code)) return [ONE_RANGE];
    if (rows[0] && rows[0].code !== bounds[bounds.length - 1]) bounds.push(rows[0].code);
  }
  return [null, ...bounds].map((from, i) => ({ from, to: bounds[i] ?? null }));
}
