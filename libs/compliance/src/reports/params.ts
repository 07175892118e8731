/**
 * What a report is about (pure): its type, scope and period, parsed from the request, and its identity — the same
 * question against the same data, tables, calendar and day gives the same report.
 */
import { createHash } from 'node:crypto';
import { isIsoDate } from '#libs/calendar';

export const REPORT_TYPES = ['timeliness', 'cascade_obligations', 'flow_audit'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];
export const REPORT_FORMATS = ['json', 'csv', 'xlsx', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `enterprise:<uuid>`, `region:<GB/T 2260 prefix of 2, 4 or 6 digits>` or `all`. */
export type ReportScope = { kind: 'enterprise'; enterpriseId: string } | { kind: 'region'; prefix: string } | { kind: 'all' };

export interface ReportPeriod {
  /** First business date (Beijing), inclusive. */
  from: string;
  /** Last business date, inclusive. */
  to: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseScope(input: string): Parsed<ReportScope> {
  if (input === 'all') return { ok: true, value: { kind: 'all' } };
  const [kind, value] = [input.slice(0, input.indexOf(':')), input.slice(input.indexOf(':') + 1)];
  if (kind === 'enterprise' && UUID.test(value)) return { ok: true, value: { kind: 'enterprise', enterpriseId: value } };
  if (kind === 'region' && /^(\d{2}|\d{4}|\d{6})$/.test(value)) return { ok: true, value: { kind: 'region', prefix: value } };
  return { ok: false, reason: `'${input}' is not a scope: use enterprise:<id>, region:<GB/T 2260 prefix of 2, 4 or 6 digits> or all` };
}

export const scopeText = (s: ReportScope): string =>
  s.kind === 'all' ? 'all' : s.kind === 'enterprise' ? `enterprise:${s.enterpriseId}` : `region:${s.prefix}`;

/** `2026-10` (a month), `2026` (a year) or `2026-01-01/2026-03-31` (inclusive). */
export function parsePeriod(input: string): Parsed<ReportPeriod> {
  let from: string;
  let to: string;
  if (/^\d{4}$/.test(input)) [from, to] = [`${input}-01-01`, `${input}-12-31`];
  else if (/^\d{4}-\d{2}$/.test(input) && isIsoDate(`${input}-01`)) {
    from = `${input}-01`;
    const next = new Date(Date.UTC(+input.slice(0, 4), +input.slice(5, 7), 1));
    to = new Date(next.getTime() - 86_400_000).toISOString().slice(0, 10);
  } else if (/^\d{4}-\d{2}-\d{2}\/\d{4}-\d{2}-\d{2}$/.test(input)) [from, to] = input.split('/');
  else return { ok: false, reason: `'${input}' is not a period: use YYYY-MM, YYYY or YYYY-MM-DD/YYYY-MM-DD` };
  if (!isIsoDate(from) || !isIsoDate(to)) return { ok: false, reason: `'${input}' names a date that does not exist` };
  if (from > to) return { ok: false, reason: `the period ends (${to}) before it starts (${from})` };
  if (from < '2018-01-01' || to > '2100-12-31') return { ok: false, reason: 'the period must lie between 2018-01-01 and 2100-12-31' };
  return { ok: true, value: { from, to } };
}

export interface ReportIdentityInput {
  type: ReportType;
  scope: string;
  period: ReportPeriod;
  ruleSets: string;
  watermark: string;
  calendar: string;
  /** The Beijing date the report is judged as of (missing uploads become overdue as days pass). */
  asOfDate: string;
}

export function reportIdentity(i: ReportIdentityInput): string {
  const text = [i.type, i.scope, `${i.period.from}/${i.period.to}`, i.ruleSets, i.watermark, i.calendar, i.asOfDate].join('|');
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

/** The BullMQ job id of a report generation (no ':' — BullMQ reserves it). */
export const reportJobId = (identity: string, generation: number): string => `report-${identity}-${generation}`;
