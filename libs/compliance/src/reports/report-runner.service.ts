import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { EnterpriseRole } from '#libs/enterprises';
import { CoverageService } from '#libs/outlets';
import { DataSource } from 'typeorm';
import { ComplianceCalendar } from '../calendar.service';
import { beijingDateOf, ledgerRuleSetOf } from '../event-deadlines';
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

interface CursorRow {
  battery_code: string;
  id: string;
  type: string;
  occurred_at: Date;
  uploaded_at: Date;
  reporter_enterprise_id: string;
  counterparty_enterprise_id: string | null;
  region_code: string | null;
  rule_set: string | null;
  due_at: Date | null;
  is_primary: boolean;
  rated_energy_kwh?: number | null;
  mass_kg?: number | null;
}

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
    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending.splice(0, pending.length);
      await this.dataSource.query(
        `INSERT INTO compliance_report_rows (report_id, seq, section, data)
         SELECT $1, s, sec, d FROM unnest($2::int[], $3::text[], $4::jsonb[]) AS t(s, sec, d)`,
        [reportId, batch.map((_, i) => seq + i + 1), batch.map((r) => r.section), batch.map((r) => JSON.stringify(r.data))],
      );
      seq += batch.length;
    };

    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await qr.query(`DECLARE report_events NO SCROLL CURSOR FOR ${eventsInScope(scope.value, report.watermark, flowAudit)}`);
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
      for (;;) {
        const rows = (await qr.query(`FETCH ${FETCH_ROWS} FROM report_events`)) as CursorRow[];
        for (const r of rows) {
          if (r.battery_code !== code) {
            if (code !== null) finish();
            code = r.battery_code;
            timeline = [];
            size = { kwh: r.rated_energy_kwh ?? null, kg: r.mass_kg ?? null };
          }
          const reporterRegion = enterprises.get(r.reporter_enterprise_id)?.region ?? null;
          timeline.push({
            id: r.id,
            type: r.type,
            occurredAt: r.occurred_at,
            uploadedAt: r.uploaded_at,
            reporterId: r.reporter_enterprise_id,
            counterpartyId: r.counterparty_enterprise_id,
            ledgerRuleSet: ledgerRuleSetOf(r.occurred_at),
            region: r.region_code ?? reporterRegion,
            storedRuleSet: r.rule_set,
            storedDueAt: r.due_at,
            primary: r.is_primary,
          });
        }
        if (pending.length >= FETCH_ROWS || rows.length < FETCH_ROWS) await flush();
        if (rows.length < FETCH_ROWS) break;
        await onProgress(total > 0 ? Math.min(99, Math.floor((done * 100) / total)) : 0);
      }
      if (code !== null) finish();
      await qr.query('COMMIT');
    } catch (error) {
      await qr.query('ROLLBACK').catch(() => undefined);
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
        await m.query(
          `INSERT INTO compliance_report_rows (report_id, seq, section, data) SELECT $1, s, sec, d FROM unnest($2::int[], $3::text[], $4::jsonb[]) AS t(s, sec, d)`,
          [reportId, batch.map((_, i) => seq + i + 1), batch.map((r) => r.section), batch.map((r) => JSON.stringify(r.data))],
        );
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

function eventsInScope(scope: ReportScope, watermark: string, withSize = false): string {
  if (!/^[0-9a-f-]{36}$/.test(watermark)) throw new ReportInvalid(`bad watermark ${watermark}`);
  return `SELECT l.battery_code, e.id, e.type, e.occurred_at, e.uploaded_at, e.reporter_enterprise_id, e.counterparty_enterprise_id,
                 e.region_code, e.rule_set, e.due_at, e.battery_codes[1] = l.battery_code AS is_primary
                 ${withSize ? ', (SELECT b.rated_energy_kwh FROM batteries b WHERE b.code = l.battery_code) AS rated_energy_kwh, (SELECT b.mass_kg FROM batteries b WHERE b.code = l.battery_code) AS mass_kg' : ''}
            FROM battery_event_chain l JOIN lifecycle_events e ON e.id = l.event_id
           WHERE e.id <= '${watermark}'::uuid ${scope.kind === 'all' ? '' : `AND l.battery_code IN (${batteriesInScope(scope)})`}
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
