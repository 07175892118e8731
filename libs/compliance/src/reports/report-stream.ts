/**
 * Reading the ledger for a report, shared by the job's own thread and the worker threads that compute partitions of
 * it (report-partition.ts): the SQL of a report's cursor, the loop that turns its pages into battery timelines, and
 * the writer of the report's rows. Loads `pg` and pure code only, no Nest: a worker thread loads this file.
 */
import type { EnterpriseRole } from '#libs/enterprises';
import type { ClientBase as PgClient, CustomTypesConfig, QueryResult } from 'pg';
import { types as pgTypes } from 'pg';
import { parseTimestamptz } from './fast-timestamp';
import type { ReportScope } from './params';
import type { LedgerEvent, ReportRow } from './timeliness';

/** Rows fetched per round trip from the cursor; rows written per INSERT. */
export const FETCH_ROWS = 5_000;

/** Marks a report whose parameters can never work (the job fails without retries). */
export class ReportInvalid extends Error {}

/** What a report needs to know of each enterprise (all of them are loaded once per report). */
export interface EnterpriseFacts {
  region: string | null;
  roles: EnterpriseRole[];
  whitelisted: boolean;
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

/** Battery codes `from` (inclusive) to `to` (exclusive); null: open on that side. */
export interface CodeRange {
  from: string | null;
  to: string | null;
}

/** The scope's batteries as a subquery (values are validated: a uuid, digits). */
export function batteriesInScope(scope: ReportScope): string {
  if (scope.kind === 'enterprise') {
    const id = `'${scope.enterpriseId}'::uuid`;
    return `SELECT p.battery_code AS code FROM battery_parties p WHERE p.enterprise_id = ${id}
            UNION SELECT b.code FROM batteries b WHERE b.pending_handover_to = ${id}`;
  }
  if (scope.kind === 'region') return `SELECT b.code FROM batteries b WHERE b.region_keys @> ARRAY['${scope.prefix}']::text[]`;
  return 'SELECT b.code FROM batteries b';
}

/** A battery code as an SQL literal (a bound comes from the database, never a user, and is checked by usableBound). */
function codeLiteral(code: string): string {
  if (!usableBound(code)) throw new Error(`not a partition bound: ${JSON.stringify(code)}`);
  return `'${code}'`;
}

/**
 * The scope's events in battery order (within `range`, when the report is computed in partitions). The batteries'
 * rows are joined once (merge join on the code, both in key order) when the report needs their size or their
 * region, rather than looked up per event.
 */
export function eventsInScope(scope: ReportScope, watermark: string, withSize = false, range: CodeRange = { from: null, to: null }): string {
  if (!/^[0-9a-f-]{36}$/.test(watermark)) throw new ReportInvalid(`bad watermark ${watermark}`);
  const joinBatteries =
    scope.kind === 'region' ? 'JOIN batteries b ON b.code = l.battery_code' : withSize ? 'LEFT JOIN batteries b ON b.code = l.battery_code' : '';
  const where =
    scope.kind === 'region'
      ? `AND b.region_keys @> ARRAY['${scope.prefix}']::text[]`
      : scope.kind === 'enterprise'
        ? `AND l.battery_code IN (${batteriesInScope(scope)})`
        : '';
  const inRange = `${range.from === null ? '' : `AND l.battery_code >= ${codeLiteral(range.from)}`} ${range.to === null ? '' : `AND l.battery_code < ${codeLiteral(range.to)}`}`;
  return `SELECT l.battery_code, e.id, e.type, e.occurred_at, e.uploaded_at, e.reporter_enterprise_id, e.counterparty_enterprise_id,
                 e.region_code, e.rule_set, e.due_at, e.battery_codes[1] = l.battery_code AS is_primary
                 ${withSize ? ', b.rated_energy_kwh, b.mass_kg' : ''}
            FROM battery_event_chain l ${joinBatteries} JOIN lifecycle_events e ON e.id = l.event_id
           WHERE e.id <= '${watermark}'::uuid ${where} ${inRange}
           ORDER BY l.battery_code, l.seq`;
}

/** Opens a report's read: one REPEATABLE READ snapshot (the job's own, or the one it exported, for a partition's thread). */
export async function beginReportRead(client: PgClient, snapshot?: string): Promise<void> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  if (snapshot) await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
}

/**
 * Scopes of at least this many batteries have their read planned for the whole result (planForWholeResult); smaller
 * ones keep PostgreSQL's plan for a cursor.
 */
export const WHOLE_RESULT_MIN_BATTERIES = 50_000;

/**
 * Plans the rest of the report's transaction for the whole result rather than its first rows. A cursor is otherwise
 * planned for a fast start (cursor_tuple_fraction 0.1): a nested loop that looks each chain entry's event up by its
 * id, in battery order, 25.8 s of PostgreSQL's time over 5.9 M events (1M batteries, measured), where hashing the
 * events and sorting the join took 13.2 s, and 11.3 s with the sort in 64 MB of memory rather than 4 (`work_mem`,
 * this transaction only). Only for large scopes (WHOLE_RESULT_MIN_BATTERIES): a small one is better served by
 * looking its few events up than by hashing the whole ledger's.
 */
export async function planForWholeResult(client: PgClient): Promise<void> {
  await client.query("SET LOCAL cursor_tuple_fraction = 1; SET LOCAL work_mem = '64MB'");
}

/** Whether every code can be written as a partition bound (codes are letters and digits; anything else: one range). */
export function usableBound(code: string): boolean {
  return /^[0-9A-Za-z]{1,64}$/.test(code);
}

export type BatterySize = { kwh: number | null; kg: number | null };

/**
 * Declares `cursor` for `query` on `client` (inside its transaction) and feeds each battery's timeline, in battery
 * order, to `onBattery`, which hands its rows to `writer`. After each page the writer writes what a page's worth
 * (all, after the last page) and `onProgress` hears the batteries seen so far; the stream ends with every row
 * written, and a failure waits for the insert in flight first (no row of a failed attempt lands after it: the retry
 * deletes the rows it finds, then writes). Memory holds one page: the next page is asked for before this one is
 * judged, so that PostgreSQL reads it while Node works.
 */
export async function streamTimelines(
  client: PgClient,
  cursor: string,
  query: string,
  ctx: { enterprises: ReadonlyMap<string, EnterpriseFacts>; ledgerRuleSetOf: (occurredAt: Date) => string },
  onBattery: (code: string, timeline: LedgerEvent[], size: BatterySize) => void,
  writer: RowWriter,
  onProgress: (batteries: number) => Promise<void> | void,
): Promise<number> {
  try {
    const batteries = await readTimelines(client, cursor, query, ctx, onBattery, async (done, last) => {
      await writer.flush(last);
      if (!last) await onProgress(done);
    });
    await writer.drain();
    return batteries;
  } catch (error) {
    await writer.drain().catch(() => undefined);
    throw error;
  }
}

async function readTimelines(
  client: PgClient,
  cursor: string,
  query: string,
  ctx: { enterprises: ReadonlyMap<string, EnterpriseFacts>; ledgerRuleSetOf: (occurredAt: Date) => string },
  onBattery: (code: string, timeline: LedgerEvent[], size: BatterySize) => void,
  afterPage: (batteries: number, last: boolean) => Promise<void>,
): Promise<number> {
  const { enterprises, ledgerRuleSetOf } = ctx;
  await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${query}`);
  let code: string | null = null;
  let timeline: LedgerEvent[] = [];
  let size: BatterySize = { kwh: null, kg: null };
  let done = 0;
  const fetchPage = () => client.query<unknown[]>({ text: `FETCH ${FETCH_ROWS} FROM ${cursor}`, rowMode: 'array', types: REPORT_TYPES });
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
        if (code !== null) {
          onBattery(code, timeline, size);
          done += 1;
        }
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
    if (!next && code !== null) {
      onBattery(code, timeline, size);
      done += 1;
    }
    await afterPage(done, !next);
  }
  await client.query(`CLOSE ${cursor}`);
  return done;
}

/**
 * Rows of a report: the data of a page as one JSON array rather than a jsonb[] of JSON texts, which the driver would
 * escape character by character into an array literal (a sixth of the worker's time). The sections and the data
 * are unnested side by side (ROWS FROM): subscripting the text[] by each row's number instead walks the array from
 * its start every time, quadratic in the page (28 % of the insert's CPU at 5,000 rows a page, measured).
 */
export const INSERT_ROWS = `INSERT INTO compliance_report_rows (report_id, seq, section, data)
  SELECT $1, $2::int + t.n::int, t.section, t.d FROM ROWS FROM (unnest($3::text[]), jsonb_array_elements($4::jsonb)) WITH ORDINALITY AS t(section, d, n)`;

export function insertRowsParams(reportId: string, first: number, batch: readonly ReportRow[]): unknown[] {
  return [reportId, first, batch.map((r) => r.section), JSON.stringify(batch.map((r) => r.data))];
}

/** Writes a batch of a report's rows, numbered from `first + 1`. */
export type InsertRows = (first: number, batch: readonly ReportRow[]) => Promise<unknown>;

/**
 * A report's rows on their way to the database, numbered from `seqBase + 1`: a page's worth is written at a time,
 * one insert in flight (on a connection other than the cursor's), while the next page is judged.
 */
export class RowWriter {
  private pending: ReportRow[] = [];
  private writing: Promise<void> = Promise.resolve();
  private next: number;
  /** Rows handed to a write so far. */
  written = 0;

  constructor(
    private readonly insert: InsertRows,
    seqBase = 0,
  ) {
    this.next = seqBase;
  }

  push(rows: readonly ReportRow[]): void {
    for (const r of rows) this.pending.push(r);
  }

  /** Starts writing the pending rows when a page's worth waits (or any, with `force`), after the write in flight. */
  async flush(force = false): Promise<void> {
    if (this.pending.length === 0 || (!force && this.pending.length < FETCH_ROWS)) return;
    await this.writing;
    const batch = this.pending;
    this.pending = [];
    const first = this.next;
    this.next += batch.length;
    this.written += batch.length;
    this.writing = this.insert(first, batch).then(() => undefined);
    // Handled when awaited (by the next flush or by drain); until then a failure must not count as unhandled.
    this.writing.catch(() => undefined);
  }

  /** Waits for the write in flight (and fails as it does). */
  drain(): Promise<void> {
    return this.writing;
  }

  /** The rows not yet written, and the seq before the first of them: the caller writes them itself. */
  take(): { first: number; batch: ReportRow[] } {
    const batch = this.pending;
    this.pending = [];
    const first = this.next;
    this.next += batch.length;
    this.written += batch.length;
    return { first, batch };
  }
}
