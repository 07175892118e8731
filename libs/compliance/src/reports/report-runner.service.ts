import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { EnterpriseRole } from '#libs/enterprises';
import { CoverageService } from '#libs/outlets';
import type { ClientBase as PgClient, CustomTypesConfig, QueryResult } from 'pg';
import { types as pgTypes } from 'pg';
import { DataSource } from 'typeorm';
import { ComplianceCalendar } from '../calendar.service';
import { beijingDateOf, ledgerRuleSetOf } from '../event-deadlines';
import { parseTimestamptz } from './fast-timestamp';
import { parseScope, ReportScope } from './params';
import { CascadeAccumulator } from './cascade-obligations';
import { cascadeRecordFindings } from './cascade-records';
import { FlowAccumulator } from './flow-audit';
import { LedgerEvent, ReportRow, ScopeFilter, TimelinessAccumulator } from './timeliness';

/** Rows fetched per round trip from the cursor; rows written per INSERT. */
const FETCH_ROWS = 5_000;

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

/** A cursor row (rowMode 'array'), its columns in the order of eventsInScope's select list. */
type CursorRow = [
  batteryCode: string,
  id: string,
  type: string,
  occurredAt: Date,
  uploadedAt: Date,
  reporter: string,
  counterparty: string | null,
  region: string | null,
  ruleSet: string | null,
  dueAt: Date | null,
  primary: boolean,
  kwh?: number | null,
  kg?: number | null,
];
// prettier-ignore
const C = { batteryCode: 0, id: 1, type: 2, occurredAt: 3, uploadedAt: 4, reporter: 5, counterparty: 6, region: 7, ruleSet: 8, dueAt: 9, primary: 10, kwh: 11, kg: 12 } as const;

/** The driver's parsers, with timestamptz (OID 1184) parsed by parseTimestamptz (the same Dates, faster). */
const TIMESTAMPTZ_OID = 1184;
const pgTimestamptz = pgTypes.getTypeParser(TIMESTAMPTZ_OID) as (text: string) => unknown;
const REPORT_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary'
      ? (text: string) => parseTimestamptz(text, pgTimestamptz)
      : pgTypes.getTypeParser(oid, format as 'text')) as CustomTypesConfig['getTypeParser'],
};

/** Marks a report whose parameters can never work (the job fails without retries). */
export class ReportInvalid extends Error {}

/**
 * Computes a report: streams the ledger in battery order through a server-side cursor (one REPEATABLE READ
 * snapshot, events up to the report's watermark), feeds each battery's timeline to the report's accumulator and
 * writes the rows it returns page by page. Memory holds one page and the counts. A retry starts over: the rows
 * of an earlier attempt are deleted first, and the report becomes `done` together with its last rows.
 */
@Injectable()
export class ReportRunner {
  private readonly log = new Logger('ReportRunner');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendar: ComplianceCalendar,
    private readonly coverage: CoverageService,
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
    const acc = new TimelinessAccumulator(
      engine,
      { from: report.period_from, to: report.period_to },
      report.as_of,
      scopeFilter(scope.value),
      (id) => enterprises.get(id)?.roles ?? [],
      beijingDateOf,
    );
    const region = scope.value.kind === 'region' ? scope.value.prefix : null;
    const flow = flowAudit
      ? new FlowAccumulator(
          engine,
          { from: report.period_from, to: report.period_to },
          report.as_of,
          (r) => region === null || (r !== null && r.startsWith(region)),
          (id) => enterprises.get(id)?.roles ?? [],
          (id) => enterprises.get(id)?.whitelisted ?? false,
          beijingDateOf,
        )
      : null;
    const firm = scope.value.kind === 'enterprise' ? scope.value.enterpriseId : null;
    const cascade =
      report.type === 'cascade_obligations' && firm
        ? new CascadeAccumulator(
            firm,
            (await this.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM manufacturer_codes WHERE enterprise_id = $1', [firm]))[0].n > 0,
            engine,
            { from: report.period_from, to: report.period_to },
            report.as_of,
            (id) => enterprises.get(id)?.roles ?? [],
            (id) => enterprises.get(id)?.whitelisted ?? false,
            beijingDateOf,
          )
        : null;
    let size: { kwh: number | null; kg: number | null } = { kwh: null, kg: null };
    const total = await this.countBatteries(scope.value);
    let seq = 0;
    let done = 0;
    const pending: ReportRow[] = cascade ? cascade.firmRows() : [];
    /** Writes the pending rows (their numbers taken now, so that a write in flight never overlaps the next). */
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending.splice(0, pending.length);
      const first = seq;
      seq += batch.length;
      await this.dataSource.query(INSERT_ROWS, insertRowsParams(reportId, first, batch));
    };

    const qr = this.dataSource.createQueryRunner();
    // The driver's own client: pages come as arrays (no object per row) with a fast timestamp parser, and the next
    // page is asked for before this one is judged, so PostgreSQL reads it while Node works (two cores, not one).
    const client = (await qr.connect()) as PgClient;
    let writing: Promise<void> = Promise.resolve();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE report_events NO SCROLL CURSOR FOR ${eventsInScope(scope.value, report.watermark, flowAudit)}`);
      let code: string | null = null;
      let timeline: LedgerEvent[] = [];
      const finish = () => {
        if (code !== null) {
          // A flow audit lists where retired batteries went; its per-enterprise late and missing counts come from
          // the timeliness accumulator's summary (its rows are the timeliness report's, not repeated here).
          if (cascade) pending.push(...cascade.add(code, timeline));
          else if (flow) {
            acc.add(code, timeline);
            pending.push(...flow.add(code, timeline, size));
          } else pending.push(...acc.add(code, timeline));
        }
        done += 1;
      };
      const fetchPage = () => client.query<unknown[]>({ text: `FETCH ${FETCH_ROWS} FROM report_events`, rowMode: 'array', types: REPORT_TYPES });
      let next: Promise<QueryResult<unknown[]>> | null = fetchPage();
      while (next) {
        const rows = (await next).rows as CursorRow[];
        // A full page: there may be more, asked for now (the cursor's pages are queued on the one connection).
        next = rows.length === FETCH_ROWS ? fetchPage() : null;
        // Keep the unawaited page from becoming an unhandled rejection if this one fails first.
        next?.catch(() => undefined);
        for (const r of rows) {
          const battery = r[C.batteryCode];
          if (battery !== code) {
            if (code !== null) finish();
            code = battery;
            timeline = [];
            size = { kwh: r[C.kwh] ?? null, kg: r[C.kg] ?? null };
          }
          const occurredAt = r[C.occurredAt];
          timeline.push({
            id: r[C.id],
            type: r[C.type],
            occurredAt,
            uploadedAt: r[C.uploadedAt],
            reporterId: r[C.reporter],
            counterpartyId: r[C.counterparty],
            ledgerRuleSet: ledgerRuleSetOf(occurredAt),
            region: r[C.region] ?? enterprises.get(r[C.reporter])?.region ?? null,
            storedRuleSet: r[C.ruleSet],
            storedDueAt: r[C.dueAt],
            primary: r[C.primary],
          });
        }
        if (pending.length >= FETCH_ROWS || !next) {
          // One insert in flight at a time, on another connection: written while the next page is judged.
          await writing;
          writing = flush();
          // Handled when awaited (above, or after the loop); until then a failure must not count as unhandled.
          writing.catch(() => undefined);
        }
        if (next) await onProgress(total > 0 ? Math.min(99, Math.floor((done * 100) / total)) : 0);
      }
      if (code !== null) finish();
      await writing;
      await client.query('COMMIT');
    } catch (error) {
      await writing.catch(() => undefined);
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await qr.release();
    }
    if (cascade && firm) {
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
      pending.push(...records.rows);
    }
    const timeliness = acc.summary();
    const summary = {
      ...(cascade
        ? { cascade: cascade.summary() }
        : flow
          ? { flow: flow.summary(), byEnterprise: timeliness.byEnterprise, batteries: timeliness.batteries }
          : timeliness),
      calendar: engine.calendar.coverage().at(-1),
      tables: engine.sets.map((s) => `${s.id}@${s.version}`),
    };
    await this.dataSource.transaction(async (m) => {
      if (pending.length) {
        const batch = pending.splice(0, pending.length);
        await m.query(INSERT_ROWS, insertRowsParams(reportId, seq, batch));
        seq += batch.length;
      }
      await m.query(`UPDATE compliance_reports SET status = 'done', progress = 100, finished_at = now(), summary = $2, row_count = $3 WHERE id = $1`, [
        reportId,
        JSON.stringify(summary),
        seq,
      ]);
    });
    await onProgress(100);
    this.log.log(`report ${reportId}: ${done} batteries, ${seq} rows`);
    return { rows: seq, type: report.type };
  }

  async markFailed(reportId: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE compliance_reports SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND status <> 'done'`, [
      reportId,
      message.slice(0, 2000),
    ]);
  }

  private async enterprises(): Promise<Map<string, { region: string | null; roles: EnterpriseRole[]; whitelisted: boolean }>> {
    const rows = await this.dataSource.query<{ id: string; region_code: string | null; roles: EnterpriseRole[]; whitelist_status: string }[]>(
      'SELECT id, region_code, roles, whitelist_status FROM enterprises',
    );
    return new Map(rows.map((r) => [r.id, { region: r.region_code, roles: r.roles, whitelisted: r.whitelist_status === 'listed' }]));
  }

  private async countBatteries(scope: ReportScope): Promise<number> {
    const [{ n }] = await this.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM (${batteriesInScope(scope)}) s`);
    return Number(n);
  }
}

/**
 * Rows `first + 1`… of a report: the data of the page as one JSON array rather than a jsonb[] of JSON texts, which
 * the driver would escape character by character into an array literal (a sixth of the worker's time).
 */
const INSERT_ROWS = `INSERT INTO compliance_report_rows (report_id, seq, section, data)
  SELECT $1, $2::int + t.n::int, ($3::text[])[t.n], t.d FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS t(d, n)`;

function insertRowsParams(reportId: string, first: number, batch: readonly ReportRow[]): unknown[] {
  return [reportId, first, batch.map((r) => r.section), JSON.stringify(batch.map((r) => r.data))];
}

/** The scope's batteries as a subquery (values are validated: a uuid, digits). */
function batteriesInScope(scope: ReportScope): string {
  if (scope.kind === 'enterprise') {
    const id = `'${scope.enterpriseId}'::uuid`;
    return `SELECT p.battery_code AS code FROM battery_parties p WHERE p.enterprise_id = ${id}
            UNION SELECT b.code FROM batteries b WHERE b.pending_handover_to = ${id}`;
  }
  if (scope.kind === 'region') return `SELECT b.code FROM batteries b WHERE b.region_keys @> ARRAY['${scope.prefix}']::text[]`;
  return 'SELECT b.code FROM batteries b';
}

/**
 * The scope's events in battery order. The batteries' rows are joined once (merge join on the code, both in key
 * order) when the report needs their size or their region, rather than looked up per event.
 */
function eventsInScope(scope: ReportScope, watermark: string, withSize = false): string {
  if (!/^[0-9a-f-]{36}$/.test(watermark)) throw new ReportInvalid(`bad watermark ${watermark}`);
  const joinBatteries =
    scope.kind === 'region' ? 'JOIN batteries b ON b.code = l.battery_code' : withSize ? 'LEFT JOIN batteries b ON b.code = l.battery_code' : '';
  const where =
    scope.kind === 'region'
      ? `AND b.region_keys @> ARRAY['${scope.prefix}']::text[]`
      : scope.kind === 'enterprise'
        ? `AND l.battery_code IN (${batteriesInScope(scope)})`
        : '';
  return `SELECT l.battery_code, e.id, e.type, e.occurred_at, e.uploaded_at, e.reporter_enterprise_id, e.counterparty_enterprise_id,
                 e.region_code, e.rule_set, e.due_at, e.battery_codes[1] = l.battery_code AS is_primary
                 ${withSize ? ', b.rated_energy_kwh, b.mass_kg' : ''}
            FROM battery_event_chain l ${joinBatteries} JOIN lifecycle_events e ON e.id = l.event_id
           WHERE e.id <= '${watermark}'::uuid ${where}
           ORDER BY l.battery_code, l.seq`;
}

export function scopeFilter(scope: ReportScope): ScopeFilter {
  if (scope.kind === 'enterprise') return { event: (rep) => rep === scope.enterpriseId, owed: (owedBy) => owedBy === scope.enterpriseId };
  if (scope.kind === 'region') {
    const inRegion = (region: string | null) => region !== null && region.startsWith(scope.prefix);
    return { event: (_rep, region) => inRegion(region), owed: (_o, region) => inRegion(region) };
  }
  return { event: () => true, owed: () => true };
}
