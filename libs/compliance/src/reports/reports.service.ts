import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable, PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { Queue } from 'bullmq';
import { enterpriseInRegionSql, enterprisesEverInRegionSql, type Param, readScope, requireAllowed, scopeCovers } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, cursorField, decodeCursor, Page, Principal, toPage, validationFailed } from '#libs/common';
import { DataSource } from 'typeorm';
import { ComplianceCalendar } from '../calendar.service';
import { ruleSetsVersion } from '../domain/deadline-rules';
import { ComplianceErrors } from '../errors';
import { neutraliseCell } from './cells';
import { timelinessPdf } from './pdf';
import type { CreateReportDto, ReportView } from './dto';
import { parsePeriod, parseScope, ReportFormat, ReportScope, reportIdentity, reportJobId, scopeText } from './params';

export const REPORTS_QUEUE = 'compliance-reports';
export const REPORT_JOB = 'report';
export interface ReportJob {
  reportId: string;
}

/** Retries with backoff for passing failures; bounded retention (the report row keeps the result). */
export const REPORT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 5_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 1_000 },
};

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

interface ReportRow {
  id: string;
  type: string;
  scope: string;
  generation: number;
  period_from: string;
  period_to: string;
  status: string;
  progress: number;
  rule_sets: string;
  watermark: string;
  calendar: string;
  as_of: Date;
  format: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  summary: Record<string, unknown> | null;
  row_count: number | null;
  error: string | null;
}

const COLUMNS = `id, type, scope, generation, period_from::text, period_to::text, status, progress, rule_sets, watermark, calendar, as_of, format,
  created_at, started_at, finished_at, summary, row_count, error`;

/** The columns of the findings in CSV and XLSX downloads (every section's fields, blank where a section has none). */
const ROW_FIELDS = [
  'section',
  'article',
  'finding',
  'batteryCode',
  'eventId',
  'type',
  'eventType',
  'expectation',
  'status',
  'reporterId',
  'counterpartyId',
  'owedBy',
  'occurredAt',
  'dueAt',
  'uploadedAt',
  'lateBy',
  'unit',
  'ruleSet',
  'basis',
  'description',
];

/**
 * Compliance reports: requested over HTTP, computed by a BullMQ job (ReportRunner), read and downloaded here.
 * Access (libs/access: report.generate, report.read and the caller's read scope): an enterprise requests and reads
 * reports about itself; a regulator limited to a region those about regions within it and firms registered there now
 * or before; administrators and national regulators everything.
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(REPORTS_QUEUE) private readonly queue: Queue,
    private readonly audit: AuditService,
    private readonly calendar: ComplianceCalendar,
  ) {}

  async request(dto: CreateReportDto, actor: Actor, schedule: string | null = null): Promise<{ view: ReportView; existing: boolean }> {
    const p = actor.principal;
    requireAllowed(p, 'report.generate');
    const own = readScope(p);
    const scope = parseScope(dto.scope ?? (own.kind === 'enterprise' ? `enterprise:${own.enterpriseId}` : ''));
    const period = parsePeriod(dto.period);
    const problems = [
      ...(scope.ok ? [] : [{ path: 'scope', reason: dto.scope === undefined ? 'is required for administrator and regulator keys' : scope.reason }]),
      ...(period.ok ? [] : [{ path: 'period', reason: period.reason }]),
      ...(dto.type === 'flow_audit' && scope.ok && scope.value.kind === 'enterprise'
        ? [{ path: 'scope', reason: 'a flow audit is about a region (region:<prefix>) or all' }]
        : []),
      ...(dto.type === 'cascade_obligations' && scope.ok && scope.value.kind !== 'enterprise'
        ? [{ path: 'scope', reason: 'cascade obligations are about one cascade firm (enterprise:<id>)' }]
        : []),
    ];
    if (!scope.ok || !period.ok || problems.length > 0) throw validationFailed(problems);
    const scopeRegion = await this.checkScope(scope.value, p);
    const engine = this.calendar.engine();
    const [{ watermark }] = await this.dataSource.query<{ watermark: string | null }[]>(
      'SELECT (SELECT id::text FROM lifecycle_events ORDER BY id DESC LIMIT 1) AS watermark',
    );
    const asOf = new Date();
    const identityInput = {
      type: dto.type,
      scope: scopeText(scope.value),
      period: period.value,
      ruleSets: ruleSetsVersion(engine.sets),
      watermark: watermark ?? ZERO_UUID,
      calendar: engine.calendar
        .coverage()
        .map((y) => `${y.year}:${y.source}`)
        .join(','),
      asOfDate: new Date(asOf.getTime() + 8 * 3_600_000).toISOString().slice(0, 10),
    };
    const identity = reportIdentity(identityInput);
    const result = await this.dataSource.transaction(async (m) => {
      // One generation at a time per identity: concurrent identical requests get the same row.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`compliance_reports:${identity}`]);
      const [latest] = await m.query<{ id: string; generation: number }[]>(
        'SELECT id, generation FROM compliance_reports WHERE identity = $1 ORDER BY generation DESC LIMIT 1',
        [identity],
      );
      if (latest && !dto.regenerate) return { id: latest.id, generation: latest.generation, existing: true };
      const generation = (latest?.generation ?? 0) + 1;
      const [row] = await m.query<{ id: string }[]>(
        `INSERT INTO compliance_reports (identity, generation, type, scope, scope_region, scope_enterprise_id, period_from, period_to, format, rule_sets, watermark, calendar, as_of,
                                         requested_by_kind, requested_by_enterprise_id, requested_by_regulator_id, schedule)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
        [
          identity,
          generation,
          dto.type,
          identityInput.scope,
          scopeRegion,
          scope.value.kind === 'enterprise' ? scope.value.enterpriseId : null,
          period.value.from,
          period.value.to,
          dto.format ?? 'json',
          identityInput.ruleSets,
          identityInput.watermark,
          identityInput.calendar,
          asOf,
          p.kind,
          p.kind === 'enterprise' ? p.enterpriseId : null,
          p.kind === 'regulator' ? p.regulatorId : null,
          schedule,
        ],
      );
      await this.audit.record(m, actor, {
        action: 'compliance.report_requested',
        entityType: 'compliance_report',
        entityId: row.id,
        data: { ...identityInput, generation, regenerate: dto.regenerate ?? false },
      });
      return { id: row.id, generation, existing: false };
    });
    // Idempotent: the job id is the report's identity and generation (a job that exists is left as it is).
    await this.queue.add(REPORT_JOB, { reportId: result.id } satisfies ReportJob, { ...REPORT_JOB_OPTIONS, jobId: reportJobId(identity, result.generation) });
    return { view: await this.get(result.id, p), existing: result.existing };
  }

  /** The report schedules (GET /v1/report-schedules): the monthly scheduler, its cron and next run, and what it makes. */
  async schedules(p: Principal): Promise<{ id: string; cron: string | null; timezone: string | null; next: string | null; makes: string }[]> {
    requireAllowed(p, 'report_schedule.read');
    const list = await this.queue.getJobSchedulers(0, -1, true);
    return list.map((s) => ({
      id: s.key,
      cron: s.pattern ?? null,
      timezone: s.tz ?? null,
      next: s.next ? new Date(s.next).toISOString() : null,
      makes: 'a timeliness report of the previous month (XLSX by default) for every enterprise and every province with an enterprise registered in it',
    }));
  }

  /**
   * The region a scope lies in (kept with the report), after checking the principal may ask about it (the policy's
   * scopeCovers): an enterprise about itself; a regulator limited to a region about regions within it and firms
   * registered there now or before; others anything. A firm that does not exist is, to a regulator limited to a
   * region, outside it (the same 403 as an existing firm elsewhere: the answer does not tell which ids exist).
   */
  private async checkScope(scope: ReportScope, p: Principal): Promise<string | null> {
    const caller = readScope(p);
    const refuse = () =>
      ComplianceErrors.scopeForbidden(
        scopeText(scope),
        caller.kind === 'enterprise'
          ? 'an enterprise requests reports about itself only'
          : caller.kind === 'region'
            ? scope.kind === 'enterprise'
              ? `the enterprise is not in region ${caller.prefix}`
              : `your region is ${caller.prefix}`
            : 'not within your scope',
      );
    if (scope.kind !== 'enterprise') {
      if (!scopeCovers(caller, scope)) throw refuse();
      return scope.kind === 'region' ? scope.prefix : null;
    }
    if (!scopeCovers(caller, scope, caller.kind === 'region')) throw refuse();
    const params: unknown[] = [scope.enterpriseId];
    const param = (v: unknown) => `$${params.push(v)}`;
    const inRegion = caller.kind === 'region' ? enterpriseInRegionSql('e.id', caller.prefix, param) : 'true';
    const [e] = await this.dataSource.query<{ region_code: string | null; in_region: boolean }[]>(
      `SELECT e.region_code, ${inRegion} AS in_region FROM enterprises e WHERE e.id = $1`,
      params,
    );
    if (!e && caller.kind === 'region') throw refuse();
    if (!e) throw validationFailed([{ path: 'scope', reason: `no enterprise ${scope.enterpriseId}` }]);
    if (!scopeCovers(caller, scope, e.in_region)) throw refuse();
    return e.region_code?.trim() ?? null;
  }

  /**
   * SQL condition limiting reports to those the principal may see (`param` adds a parameter), from its read scope:
   * a firm's reports by the firm (a regulator: firms registered in its region now or before), a region's by the region.
   */
  private visibility(p: Principal, param: Param): string | null {
    requireAllowed(p, 'report.read');
    const scope = readScope(p);
    if (scope.kind === 'all') return null;
    if (scope.kind === 'enterprise') return `scope_enterprise_id = ${param(scope.enterpriseId)}::uuid`;
    return `(scope_enterprise_id IN (${enterprisesEverInRegionSql(scope.prefix, param)})
             OR (scope_enterprise_id IS NULL AND starts_with(coalesce(scope_region, ''), ${param(scope.prefix)})))`;
  }

  async get(id: string, p: Principal): Promise<ReportView> {
    const params: unknown[] = [id];
    const v = this.visibility(p, (x) => `$${params.push(x)}`);
    const rows = await this.dataSource.query<ReportRow[]>(`SELECT ${COLUMNS} FROM compliance_reports WHERE id = $1 ${v ? `AND ${v}` : ''}`, params);
    if (!rows[0]) throw ComplianceErrors.reportNotFound(id);
    return toView(rows[0]);
  }

  async list(query: { limit: number; cursor?: string }, p: Principal): Promise<Page<ReportView>> {
    const after = decodeCursor<{ at: string; id: string }>(query.cursor, { at: cursorField.instant, id: cursorField.uuid });
    const params: unknown[] = [query.limit + 1];
    const where: string[] = [];
    const v = this.visibility(p, (x) => `$${params.push(x)}`);
    if (v) where.push(v);
    if (after) {
      params.push(after.at, after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const rows = await this.dataSource.query<ReportRow[]>(
      `SELECT ${COLUMNS} FROM compliance_reports ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    return toPage(rows, query.limit, toView, (r) => ({ at: r.created_at.toISOString(), id: r.id }));
  }

  /** The report as a file: JSON (summary and rows), CSV (the rows), XLSX (summary and rows sheets) or PDF (Chinese and English). Streamed. */
  async download(id: string, format: ReportFormat | undefined, p: Principal): Promise<{ stream: Readable; type: string; filename: string }> {
    const view = await this.get(id, p);
    if (view.status !== 'done') throw ComplianceErrors.reportNotReady(id, view.status);
    const f = format ?? (view.format as ReportFormat);
    const rows = Readable.from(this.rows(id));
    const name = `report-${view.type}-${id}`;
    if (f === 'csv') {
      const csv = stringify({ header: true, columns: ROW_FIELDS, bom: true, record_delimiter: '\r\n', cast: { boolean: (b) => String(b) } });
      const source = rows.map((r: { section: string; data: Record<string, unknown> }) =>
        ROW_FIELDS.map((k) => neutraliseCell(k === 'section' ? r.section : r.data[k])),
      );
      source.on('error', (error) => csv.destroy(error));
      return { stream: source.pipe(csv), type: 'text/csv; charset=utf-8', filename: `${name}.csv` };
    }
    if (f === 'xlsx') {
      const out = new PassThrough();
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
      void (async () => {
        const meta = wb.addWorksheet('report');
        for (const [k, v] of Object.entries(metaOf(view))) meta.addRow([k, neutraliseCell(v)]).commit();
        meta.commit();
        const sheet = wb.addWorksheet('findings');
        sheet.addRow(ROW_FIELDS).commit();
        for await (const r of rows as AsyncIterable<{ section: string; data: Record<string, unknown> }>) {
          sheet.addRow(ROW_FIELDS.map((k) => neutraliseCell(k === 'section' ? r.section : r.data[k]))).commit();
        }
        sheet.commit();
        await wb.commit();
      })().catch((error: Error) => out.destroy(error));
      return { stream: out, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `${name}.xlsx` };
    }
    if (f === 'pdf')
      return {
        stream: timelinessPdf(view, rows as AsyncIterable<{ section: string; data: Record<string, unknown> }>),
        type: 'application/pdf',
        filename: `${name}.pdf`,
      };
    const json = Readable.from(jsonOf(view, rows as AsyncIterable<{ section: string; data: Record<string, unknown> }>));
    return { stream: json, type: 'application/json; charset=utf-8', filename: `${name}.json` };
  }

  private async *rows(id: string): AsyncGenerator<{ section: string; data: Record<string, unknown> }> {
    let after = 0;
    for (;;) {
      const page = await this.dataSource.query<{ seq: number; section: string; data: Record<string, unknown> }[]>(
        'SELECT seq, section, data FROM compliance_report_rows WHERE report_id = $1 AND seq > $2 ORDER BY seq LIMIT 2000',
        [id, after],
      );
      for (const r of page) yield r;
      if (page.length < 2000) return;
      after = page[page.length - 1].seq;
    }
  }
}

function metaOf(v: ReportView): Record<string, unknown> {
  return {
    report: v.id,
    type: v.type,
    scope: v.scope,
    periodFrom: v.period.from,
    periodTo: v.period.to,
    generation: v.generation,
    generatedAt: v.finishedAt,
    asOf: v.asOf,
    ruleSets: v.ruleSets,
    watermark: v.watermark,
    calendar: v.calendar,
    summary: v.summary,
  };
}

async function* jsonOf(v: ReportView, rows: AsyncIterable<{ section: string; data: Record<string, unknown> }>): AsyncGenerator<string> {
  yield `{"report":${JSON.stringify(metaOf(v))},"rows":[`;
  let first = true;
  for await (const r of rows) {
    yield `${first ? '' : ','}${JSON.stringify({ section: r.section, ...r.data })}`;
    first = false;
  }
  yield ']}';
}

function toView(r: ReportRow): ReportView {
  return {
    id: r.id,
    type: r.type,
    scope: r.scope,
    period: { from: r.period_from, to: r.period_to },
    status: r.status,
    progress: r.progress,
    generation: r.generation,
    ruleSets: r.rule_sets,
    watermark: r.watermark,
    calendar: r.calendar,
    asOf: r.as_of.toISOString(),
    format: r.format,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    summary: r.summary,
    rowCount: r.row_count,
    error: r.error,
  };
}
