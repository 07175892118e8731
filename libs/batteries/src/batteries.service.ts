import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { batteryInRegionSql, readScope } from '#libs/access';
import { MAX_COMPOSITION_DEPTH, MAX_CONTAINMENT_DEPTH, parse } from '#libs/battery-code';
import { cursorField, decodeCursor, Page, Principal, toPage } from '#libs/common';
import { PreparedStatement } from '#libs/database';
import { DataSource, EntityManager } from 'typeorm';
import type { BatteryDetailView, BatteryListQuery, BatteryView, GenealogyLink, TraceView } from './dto';
import { BatteryErrors } from './errors';
import {
  BATTERY_COLUMNS,
  BatteryRow,
  compositionTree,
  EnterpriseNames,
  EVENT_DEADLINES,
  EventDeadlineJudge,
  EventRow,
  RELATIVES_TEXT,
  RelativeRow,
  relativeRows,
  toBatteryView,
  toTraceEventView,
  toTraceRelativeView,
  topLevelOf,
} from './views';

/** What `up.code` is or was ever inside: the packs and modules it was built into, the cascade products it went into. */
const PARENTS_EVER = `
    CROSS JOIN LATERAL (
      SELECT c.parent_code AS parent FROM battery_components c WHERE c.child_code = up.code
      UNION ALL
      SELECT o.cascade_code FROM battery_origins o WHERE o.original_code = up.code
    ) x`;

/**
 * The ancestors of `$1` ever (what it is or was inside: modules, packs, cascade products), itself included,
 * as rows `up(code)`. Used for visibility: whoever may see a pack may see what was ever built into it.
 * Code columns have collation "C" (migration CodeCollationC), and a recursive CTE's seed must have its
 * column's collation: hence `COLLATE "C"` on the parameter.
 */
const ANCESTORS_EVER = `
  WITH RECURSIVE up(code, depth) AS (
    SELECT $1::varchar COLLATE "C", 0
    UNION
    SELECT x.parent, up.depth + 1 FROM up ${PARENTS_EVER}
    WHERE up.depth < ${MAX_COMPOSITION_DEPTH}
  )`;

/**
 * Whether enterprise `$2` may see one of the batteries `codes` (SQL yielding codes): it is a party to one (producer,
 * holder, past holder, reporter), or the receiver of a pending hand-over of one.
 */
const ENTERPRISE_SEES_ANY = (codes: string) =>
  `(EXISTS (SELECT 1 FROM battery_parties p WHERE p.enterprise_id = $2 AND p.battery_code IN (${codes}))
    OR EXISTS (SELECT 1 FROM batteries b WHERE b.code IN (${codes}) AND b.pending_handover_to = $2))`;

/** Whether the battery exists and the caller may see it (it, or anything it was ever inside). */
const visibility = (name: string, check: string) =>
  new PreparedStatement<{ found: boolean; visible: boolean }>(
    name,
    `${ANCESTORS_EVER} SELECT EXISTS (SELECT 1 FROM batteries WHERE code = $1) AS found, ${check} AS visible`,
  );
const VISIBLE_TO_ENTERPRISE = visibility('batteries.visible_to_enterprise', ENTERPRISE_SEES_ANY('SELECT code FROM up'));
/**
 * Whether one of the batteries `codes` (SQL yielding codes) is or was located in region `$2` (a GB/T 2260 prefix):
 * - one of its events happened there (region_keys: the event's region, else its reporter's registered region then);
 * - it was in a vehicle that was sold or registered there (any event naming that VIN with a region: a pack swapped
 *   or put into a vehicle sold in Guangdong is Guangdong's, whoever reported the swap);
 * - it was handed over or shipped to a firm registered there when it was sent (the receiving site or customer,
 *   even before the receiver reports anything).
 * Applied to a battery and everything it is or was inside (ANCESTORS_EVER), so a cell is where its pack is.
 * Region keys first: they settle nearly every case with one index lookup; the rest runs only when they do not.
 */
const LOCATED_IN_REGION = (codes: string) =>
  `(EXISTS (SELECT 1 FROM batteries b WHERE b.code IN (${codes}) AND b.region_keys @> ARRAY[$2::text])
    OR EXISTS (
      SELECT 1 FROM battery_event_chain l JOIN lifecycle_events e ON e.id = l.event_id
       WHERE l.battery_code IN (${codes})
         AND ((e.vin IS NOT NULL AND EXISTS (SELECT 1 FROM lifecycle_events v WHERE v.vin = e.vin AND v.region_code LIKE $2::text || '%'))
           OR (e.counterparty_enterprise_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM enterprise_regions er WHERE er.enterprise_id = e.counterparty_enterprise_id AND er.region_code LIKE $2::text || '%'
                   AND er.valid_from <= e.uploaded_at AND (er.valid_to IS NULL OR er.valid_to > e.uploaded_at))))))`;
const VISIBLE_IN_REGION = visibility('batteries.visible_in_region', LOCATED_IN_REGION('SELECT code FROM up'));
// Admins and regulators without a region see every battery that exists.
const VISIBLE_TO_ALL = visibility('batteries.visible_to_all', 'true');

/**
 * VISIBLE_TO_ENTERPRISE for many codes at once: those of `$1` the enterprise `$2` may see. The ledger asks it
 * only when it is about to reject events with reasons that tell about batteries (see conceal.ts in lifecycle).
 */
const VISIBLE_AMONG = `
  WITH RECURSIVE up(origin, code, depth) AS (
    SELECT c::varchar COLLATE "C", c::varchar COLLATE "C", 0 FROM unnest($1::text[]) AS c
    UNION
    SELECT up.origin, x.parent, up.depth + 1 FROM up ${PARENTS_EVER}
    WHERE up.depth < ${MAX_COMPOSITION_DEPTH}
  )
  SELECT DISTINCT up.origin AS code FROM up WHERE ${ENTERPRISE_SEES_ANY('up.code')}`;

/**
 * The batteries `holder` (SQL) holds and the parts now inside them: the modules and cells of its packs, the
 * original batteries of its cascade products, and theirs. Parts have no holder of their own; they are the
 * holder's stock, listed by `holder=`.
 */
const HELD_BY = (holder: string) => `
  WITH RECURSIVE held(code, depth) AS (
    SELECT h.code, 0 FROM batteries h WHERE h.holder_enterprise_id = ${holder}
    UNION ALL
    SELECT x.child, held.depth + 1 FROM held CROSS JOIN LATERAL (
      SELECT c.child_code AS child FROM battery_components c WHERE c.parent_code = held.code AND c.ended_at IS NULL
      UNION ALL
      SELECT o.original_code FROM battery_origins o WHERE o.cascade_code = held.code
    ) x WHERE held.depth < 6
  )
  SELECT code FROM held`;

/** Genealogy edges: components (part → module/pack) and origins (original → cascade product). */
const EDGES_OF_CHILD = (ref: string) => `
      SELECT c.parent_code, c.child_code, 'component'::text AS kind, c.started_at, c.ended_at FROM battery_components c WHERE c.child_code = ${ref}
      UNION ALL
      SELECT o.cascade_code, o.original_code, 'origin'::text, o.assembled_at, NULL::timestamptz FROM battery_origins o WHERE o.original_code = ${ref}`;
const EDGES_OF_PARENT = (ref: string) => `
      SELECT c.parent_code, c.child_code, 'component'::text AS kind, c.started_at, c.ended_at FROM battery_components c WHERE c.parent_code = ${ref}
      UNION ALL
      SELECT o.cascade_code, o.original_code, 'origin'::text, o.assembled_at, NULL::timestamptz FROM battery_origins o WHERE o.cascade_code = ${ref}`;

/**
 * Up from the battery, down from it, and up from the originals of any cascade product below it (where those
 * came from), in one statement of index lookups.
 */
const GENEALOGY = new PreparedStatement<EdgeRow>(
  'batteries.genealogy',
  `
  WITH RECURSIVE up AS (
    SELECT e.*, 1 AS depth FROM (${EDGES_OF_CHILD('$1')}) e
    UNION ALL
    SELECT x.*, up.depth + 1 FROM up CROSS JOIN LATERAL (${EDGES_OF_CHILD('up.parent_code')}) x WHERE up.depth < ${MAX_COMPOSITION_DEPTH}
  ), down AS (
    SELECT e.*, 1 AS depth FROM (${EDGES_OF_PARENT('$1')}) e
    UNION ALL
    SELECT x.*, down.depth + 1 FROM down CROSS JOIN LATERAL (${EDGES_OF_PARENT('down.child_code')}) x WHERE down.depth < ${MAX_COMPOSITION_DEPTH}
  ), origin_up AS (
    SELECT x.*, 1 AS depth FROM (SELECT child_code AS original FROM down WHERE kind = 'origin') src CROSS JOIN LATERAL (${EDGES_OF_CHILD('src.original')}) x
    UNION ALL
    SELECT x.*, origin_up.depth + 1 FROM origin_up CROSS JOIN LATERAL (${EDGES_OF_CHILD('origin_up.parent_code')}) x
     WHERE origin_up.depth < ${MAX_COMPOSITION_DEPTH} AND x.kind = 'component'
  )
  SELECT 'up' AS direction, parent_code, child_code, kind, started_at, ended_at FROM up
  UNION ALL SELECT 'down', parent_code, child_code, kind, started_at, ended_at FROM down
  UNION ALL SELECT 'origin_up', parent_code, child_code, kind, started_at, ended_at FROM origin_up WHERE kind = 'component'`,
);

/** Every battery of a trace, compactly, with the names of the enterprises they refer to. */
const TRACE_RELATIVES = new PreparedStatement<{ rows: string | null; names: [string, string, string][] | null }>('batteries.trace_relatives', RELATIVES_TEXT);

/** The traced battery itself, in full. */
const TRACE_SELF = new PreparedStatement<BatteryRow>('batteries.trace_self', `SELECT ${BATTERY_COLUMNS} FROM batteries b WHERE b.code = $1`);

/** Every event about any battery of a trace, in business-time order, with reporter and counterparty names. */
const TRACE_EVENTS = new PreparedStatement<EventRow & NamedRow>(
  'batteries.trace_events',
  `SELECT e.id, e.type, e.schema_version, e.occurred_at, e.uploaded_at, e.reporter_enterprise_id, e.counterparty_enterprise_id,
          e.region_code, e.vin, e.battery_codes, e.client_event_id, e.content_hash, e.payload, e.correction_of, e.rule_set, e.due_at, e.on_time,
          r.name AS n1, r.uscc AS u1, c.name AS n2, c.uscc AS u2
     FROM lifecycle_events e
     LEFT JOIN enterprises r ON r.id = e.reporter_enterprise_id
     LEFT JOIN enterprises c ON c.id = e.counterparty_enterprise_id
    WHERE e.id IN (SELECT l.event_id FROM battery_event_chain l WHERE l.battery_code = ANY($1::varchar[]))
    ORDER BY e.occurred_at, e.id`,
);

/** Enterprise names joined onto an event row (n1/u1: reporter's name and USCC; n2/u2: the counterparty's). */
interface NamedRow {
  n1?: string | null;
  u1?: string | null;
  n2?: string | null;
  u2?: string | null;
}

interface EdgeRow {
  direction: 'up' | 'down' | 'origin_up';
  parent_code: string;
  child_code: string;
  kind: 'component' | 'origin';
  started_at: Date;
  ended_at: Date | null;
}

/**
 * Reading the registry: one battery, its trace, search. Visibility: an enterprise sees the batteries it
 * produced, holds, has held, received or reported about (battery_parties), those being handed over to it,
 * and everything that is or was inside one of those (search lists only the first kind). A regulator limited to a region sees the batteries located there now or before (LOCATED_IN_REGION:
 * their events, their vehicles, where they were sent) and, likewise, their parts (search lists by events' regions);
 * administrators and unlimited regulators see everything. Invisible batteries are reported as not found.
 */
@Injectable()
export class BatteriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(EVENT_DEADLINES) private readonly deadlines?: EventDeadlineJudge,
  ) {}

  /** A path or query code, normalised (full-width, lower case, separators) and validated. */
  normaliseCode(input: string, path = 'code'): string {
    const r = parse(input);
    if (!r.ok) throw BatteryErrors.invalidCode(input, r.errors, path);
    return r.code.code;
  }

  /** Throws not-found unless the battery exists and the principal may see it. */
  async assertVisible(code: string, principal: Principal): Promise<void> {
    let rows: { found: boolean; visible: boolean }[];
    const scope = readScope(principal);
    if (scope.kind === 'enterprise') rows = await VISIBLE_TO_ENTERPRISE.run(this.dataSource, [code, scope.enterpriseId]);
    else if (scope.kind === 'region') rows = await VISIBLE_IN_REGION.run(this.dataSource, [code, scope.prefix]);
    else rows = await VISIBLE_TO_ALL.run(this.dataSource, [code]);
    if (!rows[0].found || !rows[0].visible) throw BatteryErrors.notFound(code);
  }

  /** Which of these batteries the enterprise may see (the rule of assertVisible), read through `db` (a transaction's manager). */
  async visibleTo(db: EntityManager, enterpriseId: string, codes: readonly string[]): Promise<Set<string>> {
    if (codes.length === 0) return new Set();
    const rows = await db.query<{ code: string }[]>(VISIBLE_AMONG, [codes, enterpriseId]);
    return new Set(rows.map((r) => r.code));
  }

  async get(input: string, principal: Principal): Promise<BatteryDetailView> {
    const code = this.normaliseCode(input);
    await this.assertVisible(code, principal);
    const rows = await this.dataSource.query<BatteryRow[]>(
      `WITH RECURSIVE chain(code, depth) AS (
         SELECT $1::varchar COLLATE "C", 0
         UNION ALL
         SELECT b.parent_code, chain.depth + 1 FROM batteries b JOIN chain ON b.code = chain.code
          WHERE b.parent_code IS NOT NULL AND chain.depth < ${MAX_CONTAINMENT_DEPTH}
       )
       SELECT ${BATTERY_COLUMNS} FROM batteries b WHERE b.code IN (SELECT code FROM chain)`,
      [code],
    );
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const links = await this.dataSource.query<{ parent_code: string; child_code: string; started_at: Date; product_type: string }[]>(
      `WITH RECURSIVE down AS (
         SELECT c.parent_code, c.child_code, c.started_at, 1 AS depth FROM battery_components c WHERE c.parent_code = $1 AND c.ended_at IS NULL
         UNION ALL
         SELECT c.parent_code, c.child_code, c.started_at, down.depth + 1 FROM down
           JOIN battery_components c ON c.parent_code = down.child_code AND c.ended_at IS NULL WHERE down.depth < ${MAX_COMPOSITION_DEPTH}
       )
       SELECT down.parent_code, down.child_code, down.started_at, b.product_type FROM down JOIN batteries b ON b.code = down.child_code`,
      [code],
    );
    const origins = await this.dataSource.query<{ original_code: string }[]>(
      'SELECT original_code FROM battery_origins WHERE cascade_code = $1 ORDER BY original_code',
      [code],
    );
    const names = await this.names(rows.flatMap((r) => [r.producer_enterprise_id, r.holder_enterprise_id, r.pending_handover_to]));
    return { ...toBatteryView(byCode.get(code)!, byCode, names), components: compositionTree(code, links), originalCodes: origins.map((o) => o.original_code) };
  }

  /**
   * The genealogy (up, down, and where a cascade product's originals came from), every battery of it with its
   * state, and every event about any of them. Four queries of index lookups whatever the size of the tree.
   */
  async trace(input: string, principal: Principal): Promise<TraceView> {
    const code = this.normaliseCode(input);
    // The genealogy is read while visibility is checked (it is discarded if the battery is not visible).
    const [, edges] = await Promise.all([this.assertVisible(code, principal), GENEALOGY.run(this.dataSource, [code])]);
    const codes = new Set<string>([code]);
    for (const e of edges) {
      codes.add(e.parent_code);
      codes.add(e.child_code);
    }
    const list = [...codes];
    // Names come with the rows, so the trace costs five statements: visibility and genealogy, then these three.
    const [[relatives], [selfRow], events] = await Promise.all([
      TRACE_RELATIVES.run(this.dataSource, [list]),
      TRACE_SELF.run(this.dataSource, [code]),
      TRACE_EVENTS.run(this.dataSource, [list]),
    ]);
    const rows = relativeRows(relatives.rows);
    const byCode = new Map<string, RelativeRow>(rows.map((r) => [r.code, r]));
    const names = new Map<string, { name: string; uscc: string }>();
    const named = (id: string | null, name: string | null | undefined, uscc: string | null | undefined) => {
      if (id !== null && name != null && uscc != null) names.set(id, { name, uscc });
    };
    for (const [id, name, uscc] of relatives.names ?? []) named(id, name, uscc);
    for (const e of events) {
      named(e.reporter_enterprise_id, e.n1, e.u1);
      named(e.counterparty_enterprise_id, e.n2, e.u2);
    }
    const link = (e: EdgeRow): GenealogyLink => ({
      parentCode: e.parent_code,
      childCode: e.child_code,
      kind: e.kind,
      since: e.started_at.toISOString(),
      until: e.ended_at?.toISOString() ?? null,
    });
    const top = topLevelOf(byCode.get(code)!, byCode);
    return {
      battery: toBatteryView(selfRow, byCode, names),
      up: edges.filter((e) => e.direction === 'up').map(link),
      down: edges.filter((e) => e.direction === 'down').map(link),
      originsFrom: edges.filter((e) => e.direction === 'origin_up').map(link),
      vehicle: top.vin ? { vin: top.vin, packCode: top.code } : null,
      relatives: rows
        .filter((r) => r.code !== code)
        .sort((a, b) => (a.code < b.code ? -1 : 1))
        .map((r) => toTraceRelativeView(r, byCode, names)),
      events: events.map((e) => toTraceEventView(e, names, this.deadlines)),
    };
  }

  async list(query: BatteryListQuery, principal: Principal): Promise<Page<BatteryView>> {
    const after = decodeCursor<{ code: string }>(query.cursor, { code: cursorField.matches(/^[0-9A-Z]{1,24}$/) });
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scope = readScope(principal);
    const holderId = query.holder ? await this.holderId(query.holder) : null;
    // An enterprise lists what it is party to; its own stock includes the parts inside what it holds (visible to it
    // through their pack or product), so `holder=` itself needs no party check.
    if (scope.kind === 'enterprise' && holderId !== scope.enterpriseId) {
      where.push(`b.code IN (SELECT p.battery_code FROM battery_parties p WHERE p.enterprise_id = ${param(scope.enterpriseId)})`);
    }
    if (scope.kind === 'region') where.push(batteryInRegionSql('b', scope.prefix, param));
    if (query.status) where.push(`b.status = ${param(query.status)}`);
    if (holderId !== null) where.push(`b.code IN (${HELD_BY(param(holderId))})`);
    if (query.manufacturer) where.push(`b.manufacturer_code = ${param(query.manufacturer)}`);
    if (query.producedFrom) where.push(`b.production_date >= ${param(query.producedFrom)}::date`);
    if (query.producedTo) where.push(`b.production_date <= ${param(query.producedTo)}::date`);
    if (query.region) where.push(`b.region_keys @> ARRAY[${param(query.region)}]::text[]`);
    if (query.productType) where.push(`b.product_type = ${param(query.productType)}`);
    if (after) where.push(`b.code > ${param(after.code)}`);
    const rows = await this.dataSource.query<BatteryRow[]>(
      `SELECT ${BATTERY_COLUMNS} FROM batteries b ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY b.code LIMIT ${param(query.limit + 1)}`,
      params,
    );
    // Batteries inside others show their top-level battery's state: fetch those in one go.
    const byCode = new Map(rows.map((r) => [r.code, r]));
    const parents = rows.filter((r) => r.parent_code !== null).map((r) => r.code);
    if (parents.length > 0) {
      const ancestors = await this.dataSource.query<BatteryRow[]>(
        `WITH RECURSIVE chain(code, depth) AS (
           SELECT b.parent_code, 1 FROM batteries b WHERE b.code = ANY($1::varchar[]) AND b.parent_code IS NOT NULL
           UNION
           SELECT b.parent_code, chain.depth + 1 FROM batteries b JOIN chain ON b.code = chain.code WHERE b.parent_code IS NOT NULL AND chain.depth < ${MAX_CONTAINMENT_DEPTH}
         )
         SELECT ${BATTERY_COLUMNS} FROM batteries b WHERE b.code IN (SELECT code FROM chain)`,
        [parents],
      );
      for (const a of ancestors) if (!byCode.has(a.code)) byCode.set(a.code, a);
    }
    const names = await this.names([...byCode.values()].flatMap((r) => [r.producer_enterprise_id, r.holder_enterprise_id, r.pending_handover_to]));
    return toPage(
      rows,
      query.limit,
      (r) => toBatteryView(r, byCode, names),
      (r) => ({ code: r.code }),
    );
  }

  private async holderId(holder: string): Promise<string> {
    const isUuid = holder.length === 36;
    const [row] = await this.dataSource.query<{ id: string }[]>(
      isUuid ? 'SELECT id FROM enterprises WHERE id = $1' : 'SELECT id FROM enterprises WHERE uscc = $1',
      [isUuid ? holder.toLowerCase() : holder],
    );
    if (!row) throw BatteryErrors.unknownHolder(holder);
    return row.id;
  }

  private async names(ids: (string | null)[]): Promise<EnterpriseNames> {
    const unique = [...new Set(ids.filter((i): i is string => i !== null))];
    if (unique.length === 0) return new Map();
    const rows = await this.dataSource.query<{ id: string; name: string; uscc: string }[]>(
      'SELECT id, name, uscc FROM enterprises WHERE id = ANY($1::uuid[])',
      [unique],
    );
    return new Map(rows.map((r) => [r.id, { name: r.name, uscc: r.uscc }]));
  }
}
