import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { effectiveRegion, enterpriseInRegionSql, enterprisesEverInRegionSql, likePrefix, type Param, readScope, type ReadScope } from '#libs/access';
import { parse } from '#libs/battery-code';
import { BatteryErrors, type EventRow, toTraceEventView, type TraceEventView } from '#libs/batteries';
import { cursorField, decodeCursor, encodeCursor, type Page, type Principal } from '#libs/common';
import { StatementShapes } from '#libs/database';
import { DataSource } from 'typeorm';
import { csvStream, parseInstant } from './csv';
import type { EventListQuery } from './dto';
import { LedgerQueryErrors } from './errors';

type Row = EventRow & { n1: string | null; u1: string | null; n2: string | null; u2: string | null; at: string };

const COLUMNS = `e.id, e.type, e.schema_version, e.occurred_at, e.uploaded_at, e.reporter_enterprise_id, e.counterparty_enterprise_id,
  e.region_code, e.vin, e.battery_codes, e.client_event_id, e.content_hash, e.payload, e.correction_of, e.due_at, e.on_time`;

/**
 * Queries as named prepared statements, one per shape (which filters, which order): planning a region's page costs
 * more than running it (about 10 against 4 ms at 300,000 events), and a shape repeats page after page. Bounded:
 * shapes beyond the first 64 run unnamed.
 */
const SHAPES = new StatementShapes('events.query', 64);

/** The parts of a list query, built once and run page after page (the CSV download reuses it with its own cursor). */
interface Plan {
  /** A regulator's region (or a region filter) in business-time order: read per region code and per firm (see regionPage). */
  region: string | null;
  branches: string[];
  filters: string[];
  params: unknown[];
  time: 'occurred_at' | 'uploaded_at';
  desc: boolean;
}

export interface EventDetail extends TraceEventView {
  chain: { batteryCode: string; seq: number; prevHash: string; linkHash: string }[];
}

/** The region condition of an event: its own region, else its reporter's registered region when it was uploaded. */
function eventInRegion(prefix: string, param: Param): string {
  const lo = param(prefix);
  const hi = param(`${prefix}~`);
  return `((e.region_code COLLATE "C" >= ${lo} AND e.region_code COLLATE "C" < ${hi})
    OR (e.region_code IS NULL AND ${enterpriseInRegionSql('e.reporter_enterprise_id', prefix, param, 'e.uploaded_at')}))`;
}

/**
 * Queries over the ledger's events for regulators, enterprises and admins. What each caller reads (libs/access):
 * an enterprise the events it reported or is named in as counterparty; a regulator limited to a region the events
 * in it (the event's region, else its reporter's registered region when it was uploaded); admins and national
 * regulators all. A list is the union of one index-ordered branch per way an event can be in scope (a regulator's:
 * events with a region in it, events without one whose reporter was there), each cut at the page size, merged.
 */
@Injectable()
export class EventsQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: EventListQuery, principal: Principal): Promise<Page<TraceEventView>> {
    const plan = await this.plan(query, principal);
    if (!plan) return { items: [], nextCursor: null };
    const after = decodeCursor<{ at: string; id: string }>(query.cursor, { at: cursorField.instant, id: cursorField.uuid });
    const rows = await this.page(plan, query.limit + 1, after);
    const more = rows.length > query.limit;
    const items = more ? rows.slice(0, query.limit) : rows;
    const last = items[items.length - 1];
    return { items: items.map(toView), nextCursor: more ? encodeCursor({ at: last.at, id: last.id }) : null };
  }

  /** Every matching event as CSV, read a page at a time while the response is written (memory stays flat). */
  async csv(query: EventListQuery, principal: Principal): Promise<Readable> {
    const plan = await this.plan(query, principal);
    const page = (after: { at: string; id: string } | null) => (plan ? this.page(plan, 1000, after) : Promise.resolve([]));
    return csvStream(
      [
        'id',
        'type',
        'occurred_at',
        'uploaded_at',
        'reporter_uscc',
        'reporter_name',
        'counterparty_uscc',
        'counterparty_name',
        'region_code',
        'vin',
        'battery_codes',
        'client_event_id',
        'correction_of',
        'content_hash',
        'payload',
      ],
      async function* () {
        let after: { at: string; id: string } | null = null;
        for (;;) {
          const rows = await page(after);
          for (const r of rows) {
            yield [
              r.id,
              r.type,
              r.occurred_at.toISOString(),
              r.uploaded_at.toISOString(),
              r.u1,
              r.n1,
              r.u2,
              r.n2,
              r.region_code,
              r.vin,
              r.battery_codes.join(' '),
              r.client_event_id,
              r.correction_of,
              r.content_hash.toString('hex'),
              JSON.stringify(r.payload),
            ];
          }
          if (rows.length < 1000) return;
          after = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
        }
      },
    );
  }

  async get(id: string, principal: Principal): Promise<EventDetail> {
    const params: unknown[] = [id];
    const param: Param = (v) => `$${params.push(v)}`;
    const scope = readScope(principal);
    const visible = this.scopeCondition(scope, param);
    const [row] = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS}, r.name AS n1, r.uscc AS u1, c.name AS n2, c.uscc AS u2, '' AS at
         FROM lifecycle_events e LEFT JOIN enterprises r ON r.id = e.reporter_enterprise_id LEFT JOIN enterprises c ON c.id = e.counterparty_enterprise_id
        WHERE e.id = $1 ${visible ? `AND ${visible}` : ''}`,
      params,
    );
    if (!row) throw LedgerQueryErrors.eventNotFound(id);
    // Its links: the chains of the batteries it names, and of a replacement or cascade product it brought in.
    const codes = [...row.battery_codes];
    for (const k of ['replacementCode', 'cascadeCode']) if (typeof row.payload[k] === 'string') codes.push(row.payload[k] as string);
    const links = await this.dataSource.query<{ battery_code: string; seq: number; prev_hash: Buffer; link_hash: Buffer }[]>(
      'SELECT battery_code, seq, prev_hash, link_hash FROM battery_event_chain WHERE battery_code = ANY($1::varchar[]) AND event_id = $2 ORDER BY battery_code',
      [codes, id],
    );
    return {
      ...toView(row),
      chain: links.map((l) => ({ batteryCode: l.battery_code, seq: l.seq, prevHash: l.prev_hash.toString('hex'), linkHash: l.link_hash.toString('hex') })),
    };
  }

  /** What the caller's scope adds to an event query (null: nothing, it reads all). */
  private scopeCondition(scope: ReadScope, param: Param): string | null {
    if (scope.kind === 'all') return null;
    if (scope.kind === 'enterprise') {
      const me = param(scope.enterpriseId);
      return `(e.reporter_enterprise_id = ${me} OR e.counterparty_enterprise_id = ${me})`;
    }
    return eventInRegion(scope.prefix, param);
  }

  /** The query's branches and filters; null when nothing can match (a region filter outside the caller's region). */
  private async plan(query: EventListQuery, principal: Principal): Promise<Plan | null> {
    const scope = readScope(principal);
    const region = effectiveRegion(scope, query.region);
    if (region === null) return null;
    const params: unknown[] = [];
    const param: Param = (v) => `$${params.push(v)}`;
    const filters: string[] = [];
    const instant = (path: string, value: string | undefined) => {
      if (value === undefined) return undefined;
      const iso = parseInstant(value);
      if (iso === null) throw LedgerQueryErrors.invalidInstant(path, value);
      return iso;
    };
    const range = (column: string, from: string | undefined, to: string | undefined, names: [string, string]) => {
      const lo = instant(names[0], from);
      const hi = instant(names[1], to);
      if (lo !== undefined) filters.push(`${column} >= ${param(lo)}::timestamptz`);
      if (hi !== undefined) filters.push(`${column} < ${param(hi)}::timestamptz`);
    };
    range('e.occurred_at', query.from, query.to, ['from', 'to']);
    range('e.uploaded_at', query.uploadedFrom, query.uploadedTo, ['uploadedFrom', 'uploadedTo']);
    if (query.type) filters.push(`e.type = ${param(query.type)}`);
    if (query.reporter) filters.push(`e.reporter_enterprise_id = ${param(await this.enterpriseId('reporter', query.reporter))}`);
    if (query.counterparty) filters.push(`e.counterparty_enterprise_id = ${param(await this.enterpriseId('counterparty', query.counterparty))}`);
    if (query.vin) filters.push(`e.vin = ${param(query.vin)}`);
    if (query.code !== undefined) {
      const r = parse(query.code);
      if (!r.ok) throw BatteryErrors.invalidCode(query.code, r.errors, 'code');
      filters.push(`e.id IN (SELECT l.event_id FROM battery_event_chain l WHERE l.battery_code = ${param(r.code.code)})`);
    }

    // One branch per way an event is in scope, each served by an index in time order (migration RegulatorAccess).
    let branches: string[];
    if (scope.kind === 'enterprise') {
      const me = param(scope.enterpriseId);
      branches = [`e.reporter_enterprise_id = ${me}`, `e.counterparty_enterprise_id = ${me} AND e.reporter_enterprise_id <> ${me}`];
      if (region !== undefined) filters.push(eventInRegion(region, param));
    } else if (region !== undefined && query.by !== 'uploadedAt') {
      // In business-time order a region is read per region code and per firm (regionPage).
      return { region, branches: [], filters, params, time: 'occurred_at', desc: query.order !== 'asc' };
    } else if (region !== undefined) {
      branches = [
        `e.region_code COLLATE "C" >= ${param(region)} AND e.region_code COLLATE "C" < ${param(`${region}~`)}`,
        `e.region_code IS NULL AND e.reporter_enterprise_id IN (${enterprisesEverInRegionSql(region, param)})
           AND ${enterpriseInRegionSql('e.reporter_enterprise_id', region, param, 'e.uploaded_at')}`,
      ];
    } else {
      branches = ['true'];
    }
    return { region: null, branches, filters, params, time: query.by === 'uploadedAt' ? 'uploaded_at' : 'occurred_at', desc: query.order !== 'asc' };
  }

  private async page(plan: Plan, limit: number, after: { at: string; id: string } | null): Promise<Row[]> {
    const params = [...plan.params];
    const param: Param = (v) => `$${params.push(v)}`;
    const dir = plan.desc ? 'DESC' : 'ASC';
    const where = [...plan.filters];
    if (after) where.push(`(e.${plan.time}, e.id) ${plan.desc ? '<' : '>'} (${param(after.at)}::timestamptz, ${param(after.id)}::uuid)`);
    const n = param(limit);
    if (plan.region !== null) return this.regionPage(plan.region, where, params, param, n, dir);
    const branch = (b: string) =>
      `(SELECT ${COLUMNS} FROM lifecycle_events e WHERE ${[b, ...where].join(' AND ')} ORDER BY e.${plan.time} ${dir}, e.id ${dir} LIMIT ${n})`;
    return SHAPES.runIn<Row>(
      this.dataSource.manager,
      `SELECT e.*, to_char(e.${plan.time} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
              r.name AS n1, r.uscc AS u1, c.name AS n2, c.uscc AS u2
         FROM (${plan.branches.map(branch).join(' UNION ALL ')}) e
         LEFT JOIN enterprises r ON r.id = e.reporter_enterprise_id
         LEFT JOIN enterprises c ON c.id = e.counterparty_enterprise_id
        ORDER BY e.${plan.time} ${dir}, e.id ${dir} LIMIT ${n}`,
      params,
    );
  }

  /**
   * A region's page in business-time order, read the way the indexes are ordered: for each region code in the prefix
   * (found by a skip scan of the region index: a prefecture has a few dozen), its newest events; for each firm
   * registered there (and each period it was), its newest events without a region (from the reporter index alone);
   * the page is the newest of those, and only its rows are read in full. A page of 100 reads a few thousand index
   * entries whatever the size of the ledger, where one range scan of the region would read and sort the month.
   */
  private regionPage(region: string, where: string[], params: unknown[], param: Param, n: string, dir: 'ASC' | 'DESC'): Promise<Row[]> {
    const lo = param(region);
    const hi = param(`${region}~`);
    const filters = where.length ? `AND ${where.join(' AND ')}` : '';
    const rc = 'x.region_code COLLATE "C"';
    const sql = `
      WITH RECURSIVE codes(c) AS (
        SELECT (SELECT min(${rc}) FROM lifecycle_events x WHERE x.region_code IS NOT NULL AND ${rc} >= ${lo} AND ${rc} < ${hi})
        UNION ALL
        SELECT (SELECT min(${rc}) FROM lifecycle_events x WHERE x.region_code IS NOT NULL AND ${rc} > codes.c AND ${rc} < ${hi}) FROM codes WHERE codes.c IS NOT NULL
      ), top AS (
        SELECT t, id FROM (
          SELECT k.t, k.id FROM codes CROSS JOIN LATERAL (
            SELECT e.occurred_at AS t, e.id FROM lifecycle_events e
             WHERE e.region_code IS NOT NULL AND (e.region_code COLLATE "C") = codes.c ${filters}
             ORDER BY (e.region_code COLLATE "C") ${dir}, e.occurred_at ${dir}, e.id ${dir} LIMIT ${n}) k
           WHERE codes.c IS NOT NULL
          UNION ALL
          SELECT k.t, k.id FROM enterprise_regions er CROSS JOIN LATERAL (
            SELECT e.occurred_at AS t, e.id FROM lifecycle_events e
             WHERE e.reporter_enterprise_id = er.enterprise_id AND e.region_code IS NULL
               AND e.uploaded_at >= er.valid_from AND (er.valid_to IS NULL OR e.uploaded_at < er.valid_to) ${filters}
             ORDER BY e.occurred_at ${dir}, e.id ${dir} LIMIT ${n}) k
           WHERE er.region_code LIKE ${param(likePrefix(region))}
        ) u ORDER BY t ${dir}, id ${dir} LIMIT ${n}
      )
      SELECT ${COLUMNS}, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
             r.name AS n1, r.uscc AS u1, c.name AS n2, c.uscc AS u2
        FROM top JOIN lifecycle_events e ON e.id = top.id
        LEFT JOIN enterprises r ON r.id = e.reporter_enterprise_id
        LEFT JOIN enterprises c ON c.id = e.counterparty_enterprise_id
       ORDER BY e.occurred_at ${dir}, e.id ${dir}`;
    return SHAPES.runIn<Row>(this.dataSource.manager, sql, params);
  }

  private async enterpriseId(path: string, value: string): Promise<string> {
    const isUuid = value.length === 36;
    const [row] = await this.dataSource.query<{ id: string }[]>(
      isUuid ? 'SELECT id FROM enterprises WHERE id = $1' : 'SELECT id FROM enterprises WHERE uscc = $1',
      [isUuid ? value.toLowerCase() : value],
    );
    if (!row) throw LedgerQueryErrors.unknownEnterprise(path, value);
    return row.id;
  }
}

function toView(r: Row): TraceEventView {
  const names = new Map<string, { name: string; uscc: string }>();
  if (r.n1 !== null && r.u1 !== null) names.set(r.reporter_enterprise_id, { name: r.n1, uscc: r.u1 });
  if (r.counterparty_enterprise_id !== null && r.n2 !== null && r.u2 !== null) names.set(r.counterparty_enterprise_id, { name: r.n2, uscc: r.u2 });
  return toTraceEventView(r, names);
}
