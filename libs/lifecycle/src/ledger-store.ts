/**
 * The ledger's SQL. A batch costs a few statements inside its transaction, whatever its size: one reads (and
 * locks, in code order) the state of every battery concerned together with earlier events with the same client
 * ids and the events being corrected; one looks up earlier events with the same content, when any event can
 * repeat one; one writes every table. Rows to write travel as typed column arrays in PostgreSQL's binary format
 * (one parameter per column, see binaryArray); the load returns the batteries' states as text (STATE_TEXT) and
 * the rest as JSON arrays.
 */
import type { BatteryStatus, ProductLevel } from '#libs/batteries';
import type { BinaryElementType, BinaryElementTypes } from '#libs/database';
import { binaryArray, numberOrNull, parseTextRows, PreparedStatement, StatementShapes, textOrNull, textRowsAggregate } from '#libs/database';
import type { EntityManager } from 'typeorm';
import type { BatteryState } from './domain/battery-state';
import type { ComponentEnd, ComponentStart, CorrectionTarget, OriginLink, PartyLink, Plan, PlannedEvent, PlannedLink } from './domain/plan';
import { affectedCodesOf } from './domain/plan';

export interface LoadRequest {
  reporterId: string;
  codes: string[];
  clientIds: string[];
  corrections: string[];
  lock: boolean;
}

export interface Loaded {
  states: Map<string, BatteryState>;
  /** Holders and pending receivers of those batteries, for messages. */
  names: Map<string, { uscc: string; name: string }>;
  priorByClientId: Map<string, { id: string; hashKey: string }>;
  /** Earlier events found by client id, by their content hash (see findByContent for the others). */
  priorByHash: Map<string, string>;
  corrections: Map<string, CorrectionTarget>;
}

/**
 * Column order of a battery's state in the load statement's output (see STATE_TEXT and toState); the chain head
 * goes as base64 (44 characters against 64 in hex). The columns the code itself says
 * (manufacturer, battery type, specification, traceability code, production date, serial, cascade level) are not
 * read back: the rules need none of them for a stored battery, and building them as JSON and parsing it was a
 * third of a hand-over batch's load (9.7 against 6.5 ms on PostgreSQL 15, one request in flight).
 */
const STATE_NAMES = [
  'code',
  'form',
  'product_type',
  'nominal_capacity_ah',
  'nominal_voltage_v',
  'rated_energy_kwh',
  'mass_kg',
  'producer_enterprise_id',
  'produced_event_id',
  'status',
  'holder_enterprise_id',
  'pending_handover_to',
  'vin',
  'parent_code',
  'region_keys',
  'last_event_id',
  'last_event_type',
  'last_event_ms',
  'chain_seq',
  'chain_head_b64',
] as const;
const STATE_EXPRESSIONS: Partial<Record<(typeof STATE_NAMES)[number], string>> = {
  last_event_ms: "date_part('epoch', b.last_event_at) * 1000",
  chain_head_b64: "encode(b.chain_head, 'base64')",
};
/** The state columns as the locked rows select them from `batteries b`. */
const STATE_COLUMNS = STATE_NAMES.map((n) => (STATE_EXPRESSIONS[n] ? `${STATE_EXPRESSIONS[n]} AS ${n}` : `b.${n}`)).join(', ');
/** The states as text rows (see textRowsAggregate): columns in STATE_NAMES order, the region keys comma-separated. */
const STATE_TEXT = textRowsAggregate(STATE_NAMES.map((n) => (n === 'region_keys' ? `array_to_string(r.${n}, ',')` : `r.${n}`)));

/** One row of STATE_TEXT. */
function toState(t: string[]): BatteryState {
  return {
    code: t[0],
    form: t[1] as BatteryState['form'],
    level: t[2] as ProductLevel,
    decoded: null,
    nominalCapacityAh: numberOrNull(t[3]),
    nominalVoltageV: numberOrNull(t[4]),
    ratedEnergyKwh: numberOrNull(t[5]),
    massKg: numberOrNull(t[6]),
    producerId: t[7],
    producedEventId: t[8],
    status: t[9] as BatteryStatus,
    holderId: textOrNull(t[10]),
    pendingTo: textOrNull(t[11]),
    vin: textOrNull(t[12]),
    parentCode: textOrNull(t[13]),
    regionKeys: t[14] === '' ? [] : t[14].split(','),
    lastEventId: t[15],
    lastEventType: t[16],
    lastEventAt: Math.round(Number(t[17])),
    chainSeq: Number(t[18]),
    chainHead: Buffer.from(t[19], 'base64'),
    isNew: false,
    changed: false,
  };
}

/** The load statement's one row: the states as text, the rest as JSON arrays. */
interface LoadRow {
  /** STATE_TEXT. */
  states: string | null;
  names: [string, string, string][] | null;
  prior: [string, string | null, string][] | null;
  corrected: [string, string, string, string[], Record<string, unknown>][] | null;
}

/**
 * The load statement's text, locking the batteries or not (a dry run).
 * LATERAL and = ANY(ARRAY(...)) keep every step an index lookup (the planner would otherwise hash-join
 * against a scan of the whole table). Content hashes are looked up afterwards, only for the events that can
 * repeat an earlier one (findByContent). The locked rows carry plain columns and the states' text is built once,
 * in the aggregate (building a state per row in `rows` stored every state twice).
 */
const loadText = (lock: boolean) =>
  `WITH RECURSIVE up(code, parent) AS (
       SELECT b.code, b.parent_code FROM batteries b WHERE b.code = ANY($1::text[])
       UNION
       SELECT x.code, x.parent_code FROM up CROSS JOIN LATERAL (SELECT b.code, b.parent_code FROM batteries b WHERE b.code = up.parent LIMIT 1) x
        WHERE up.parent IS NOT NULL
     ), rows AS (
       SELECT ${STATE_COLUMNS}
         FROM batteries b WHERE b.code = ANY(ARRAY(SELECT code FROM up)) ORDER BY b.code ${lock ? 'FOR UPDATE' : ''}
     ), prior AS (
       SELECT e.id, e.client_event_id, e.content_hash FROM lifecycle_events e
        WHERE e.reporter_enterprise_id = $2 AND e.client_event_id = ANY($3::text[])
     )
     SELECT (SELECT ${STATE_TEXT} FROM rows r) AS states,
            (SELECT json_agg(json_build_array(e.id, e.uscc, e.name)) FROM enterprises e
              WHERE e.id IN (SELECT holder_enterprise_id FROM rows UNION SELECT pending_handover_to FROM rows)) AS names,
            (SELECT json_agg(json_build_array(p.id, p.client_event_id, encode(p.content_hash, 'hex'))) FROM prior p) AS prior,
            (SELECT json_agg(json_build_array(e.id, e.reporter_enterprise_id, e.type, e.battery_codes, e.payload))
               FROM lifecycle_events e WHERE e.id = ANY($4::uuid[])) AS corrected`;

/**
 * Named prepared statements: parsing and planning the load was about 1.2 of its 17-18 ms per hand-over batch
 * (PostgreSQL 15, one request in flight, alternating with the unnamed statement). The ingest transaction asks
 * for generic plans, built once per connection; it also turns sequential scans off, so that a plan built while
 * the tables are still nearly empty (a new installation) is the index plan it will need later, not a scan that
 * would stay cached until the next ANALYZE (seen in an earlier attempt: ingest at 3,000-4,100 events/s).
 */
const LOAD = {
  locked: new PreparedStatement<LoadRow>('ledger.load_locked', loadText(true)),
  unlocked: new PreparedStatement<LoadRow>('ledger.load', loadText(false)),
};

/**
 * One statement: the batteries named and every battery they are inside (locked in code order, so that
 * concurrent batches cannot deadlock on them), earlier events of the reporter with the same client ids, and the
 * events that corrections name.
 */
export async function loadForBatch(db: EntityManager, r: LoadRequest): Promise<Loaded> {
  const [row] = await (r.lock ? LOAD.locked : LOAD.unlocked).runIn(
    db,
    // The arrays go in binary format (see binaryArray), like the write's columns.
    [binaryArray('text', r.codes), r.reporterId, binaryArray('text', r.clientIds), binaryArray('uuid', r.corrections)],
  );
  const states = new Map<string, BatteryState>();
  for (const t of parseTextRows(row.states, STATE_NAMES.length)) states.set(t[0], toState(t));
  const names = new Map<string, { uscc: string; name: string }>();
  for (const [id, uscc, name] of row.names ?? []) names.set(id, { uscc, name });
  const priorByClientId = new Map<string, { id: string; hashKey: string }>();
  const priorByHash = new Map<string, string>();
  for (const [id, clientId, hashKey] of row.prior ?? []) {
    if (clientId !== null) priorByClientId.set(clientId, { id, hashKey });
    priorByHash.set(hashKey, id);
  }
  const corrections = new Map<string, CorrectionTarget>();
  for (const [id, reporterEnterpriseId, type, codes, payload] of row.corrected ?? []) {
    corrections.set(id, { id, reporterEnterpriseId, type, affectedCodes: affectedCodesOf(codes, payload, type) });
  }
  return { states, names, priorByClientId, priorByHash, corrections };
}

/**
 * Earlier events of the reporter with the same content, keyed (first battery code, content hash) like the
 * content key: content hash (hex) -> event id. A separate statement, run only for the events that can repeat
 * an earlier one (see LedgerService): in a batch of hand-overs dated after their batteries' last events there
 * is none, and the 500 look-ups that found nothing were about a third of such a batch's load (PostgreSQL 18,
 * auto_explain). Run after the load, it also sees events that a concurrent batch committed while this one
 * waited for the batteries' locks.
 */
const PRIOR_BY_CONTENT = new PreparedStatement<{ id: string; hash_key: string }>(
  'ledger.prior_by_content',
  `SELECT e.id, encode(e.content_hash, 'hex') AS hash_key
     FROM unnest($2::text[], $3::bytea[]) AS k(code, hash)
     JOIN lifecycle_events e ON e.battery_codes[1] = k.code AND e.content_hash = k.hash
    WHERE e.reporter_enterprise_id = $1`,
);

export async function findByContent(db: EntityManager, reporterId: string, firstCodes: string[], hashes: Buffer[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (hashes.length === 0) return found;
  for (const r of await PRIOR_BY_CONTENT.runIn(db, [reporterId, binaryArray('text', firstCodes), binaryArray('bytea', hashes)])) found.set(r.hash_key, r.id);
  return found;
}

export interface WriteContext {
  reporterId: string;
  reporterKeyId: string | null;
  /** The events' upload time: the one their deadlines were assessed against. */
  uploadedAt: Date;
  /** One per event, in order; null: no deadline known for any event (the columns are written as NULL). */
  deadlines: { ruleSet: string | null; dueAt: Date | null; onTime: boolean | null }[] | null;
  /** The batch's audit row, written by the same statement: renders its INSERT with `param` for parameters. */
  audit: (param: (value: unknown) => string) => string;
}

/** One column of a multi-row write: its element type and its values, one per row. */
type Column = { [T in BinaryElementType]: readonly [T, readonly (BinaryElementTypes[T] | null)[]] }[BinaryElementType];

/** How a row of `R` gives one column: the element type and the row's value of that type. */
type ColumnOf<R> = { [T in BinaryElementType]: readonly [T, (row: R) => BinaryElementTypes[T] | null] }[BinaryElementType];

/**
 * A table's columns, declared once at module level: name → how a row gives it. The names are the derived table's
 * (`u.<name>`) and their order is the statement's, so a table always renders the same text (see WRITE_SHAPES).
 */
type Columns<R> = Readonly<Record<string, ColumnOf<R>>>;

/** The column arrays of `rows`: one pass over the rows per column, as many arrays as columns (nothing per row). */
function columnsOf<R>(rows: readonly R[], columns: Columns<R>): Record<string, Column> {
  const table: Record<string, Column> = {};
  for (const name in columns) {
    const [type, value] = columns[name];
    table[name] = [type, rows.map(value)] as unknown as Column;
  }
  return table;
}

const COMPONENT_ENDS: Columns<ComponentEnd> = {
  parent: ['text', (x) => x.parentCode],
  child: ['text', (x) => x.childCode],
  ended: ['timestamptz', (x) => x.endedAt],
  event: ['uuid', (x) => x.endEventId],
};

const EVENTS: Columns<PlannedEvent> = {
  id: ['uuid', (e) => e.id],
  type: ['text', (e) => e.content.type],
  sv: ['int2', (e) => e.content.schemaVersion],
  occ: ['timestamptz', (e) => e.content.occurredAt],
  cp: ['uuid', (e) => e.content.counterpartyEnterpriseId],
  region: ['text', (e) => e.content.regionCode],
  vin: ['text', (e) => e.content.vin],
  codes: ['text', (e) => e.content.batteryCodes.join(',')],
  cid: ['text', (e) => e.content.clientEventId],
  hash: ['bytea', (e) => e.contentHash],
  payload: ['jsonb', (e) => e.content.payload],
  corr: ['uuid', (e) => e.content.correctionOf],
};

/** The events' deadline columns (WriteContext.deadlines: one per event, in order), after EVENTS'. */
const DEADLINES: Columns<NonNullable<WriteContext['deadlines']>[number]> = {
  rs: ['text', (d) => d.ruleSet],
  due: ['timestamptz', (d) => (d.dueAt ? d.dueAt.getTime() : null)],
  ontime: ['bool', (d) => d.onTime],
};

const LINKS: Columns<PlannedLink> = {
  code: ['text', (l) => l.batteryCode],
  seq: ['int4', (l) => l.seq],
  event: ['uuid', (l) => l.eventId],
  prev: ['bytea', (l) => l.prevHash],
  link: ['bytea', (l) => l.linkHash],
};

const COMPONENT_STARTS: Columns<ComponentStart> = {
  parent: ['text', (x) => x.parentCode],
  child: ['text', (x) => x.childCode],
  started: ['timestamptz', (x) => x.startedAt],
  start_event: ['uuid', (x) => x.startEventId],
  ended: ['timestamptz', (x) => x.endedAt],
  end_event: ['uuid', (x) => x.endEventId],
};

const ORIGINS: Columns<OriginLink> = {
  cascade: ['text', (o) => o.cascadeCode],
  original: ['text', (o) => o.originalCode],
  event: ['uuid', (o) => o.eventId],
  at: ['timestamptz', (o) => o.assembledAt],
};

const PARTIES: Columns<PartyLink> = {
  code: ['text', (x) => x.batteryCode],
  enterprise: ['uuid', (x) => x.enterpriseId],
  event: ['uuid', (x) => x.eventId],
  at: ['timestamptz', (x) => x.at],
};

/** What an update writes of a battery's state. */
const UPDATED_STATE: Columns<BatteryState> = {
  code: ['text', (s) => s.code],
  status: ['text', (s) => s.status],
  holder: ['uuid', (s) => s.holderId],
  pending: ['uuid', (s) => s.pendingTo],
  vin: ['text', (s) => s.vin],
  parent: ['text', (s) => s.parentCode],
  regions: ['text', (s) => s.regionKeys.join(',')],
  last_id: ['uuid', (s) => s.lastEventId],
  last_type: ['text', (s) => s.lastEventType],
  last_at: ['timestamptz', (s) => s.lastEventAt],
  seq: ['int4', (s) => s.chainSeq],
  head: ['bytea', (s) => s.chainHead],
};

/**
 * What an insert writes: the state and what the code says. Inserted batteries were registered by this batch, so
 * their decoded code is at hand (stateColumns checks it before these read it).
 */
const INSERTED_STATE: Columns<BatteryState> = {
  ...UPDATED_STATE,
  form: ['text', (s) => s.form],
  mc: ['text', (s) => s.decoded!.manufacturerCode],
  pt: ['text', (s) => s.level],
  bt: ['text', (s) => s.decoded!.batteryType.letter],
  sc: ['text', (s) => s.decoded!.specificationCode],
  tc: ['text', (s) => s.decoded!.traceabilityCode],
  pd: ['date', (s) => s.decoded!.productionDate],
  serial: ['text', (s) => s.decoded!.serial],
  cl: ['text', (s) => s.decoded!.cascadeLevel],
  cap: ['float8', (s) => s.nominalCapacityAh],
  volt: ['float8', (s) => s.nominalVoltageV],
  energy: ['float8', (s) => s.ratedEnergyKwh],
  mass: ['float8', (s) => s.massKg],
  producer: ['uuid', (s) => s.producerId],
  produced: ['uuid', (s) => s.producedEventId],
};

/**
 * Query parameters, and a derived table over typed column arrays: one binary-format array parameter per
 * column, unnested side by side in the select list (measured on PostgreSQL 15 with 27 columns of 500 rows:
 * 0.3 ms, against 0.9 ms for `unnest(a, b, ...)` in FROM, which first copies every column into a tuplestore).
 *
 * A column whose rows all hold the same value goes as one scalar parameter instead: a batch is mostly
 * uniform (one event type, reporter, business time, payload, status, holder...), and an array costs Node
 * its encoding and PostgreSQL a copy of every element, twice. The first column always goes as an array:
 * it carries the row count.
 */
class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  rows(table: Record<string, Column>): string {
    const columns = Object.entries(table).map(([name, [type, values]], i) =>
      i > 0 && allSame(type, values)
        ? `${this.add(scalar(type, values[0]))}::${type} AS ${name}`
        : `unnest(${this.add(binaryArray(type, values))}::${type}[]) AS ${name}`,
    );
    return `(SELECT ${columns.join(', ')}) AS u`;
  }
}

/** Whether every value equals the first (false negatives only cost the optimisation). */
function allSame(type: BinaryElementType, values: readonly unknown[]): boolean {
  const first = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v === first) continue;
    if (v === null || first === null || v === undefined || first === undefined) return false;
    if (type === 'bytea' ? !(v as Buffer).equals(first as Buffer) : type !== 'jsonb' || !sameFlatObject(v, first)) return false;
  }
  return true;
}

/** Two objects with the same keys in the same order and identical primitive values. */
function sameFlatObject(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    const va = (a as Record<string, unknown>)[k];
    if (k !== kb[i] || va !== (b as Record<string, unknown>)[k] || (typeof va === 'object' && va !== null)) return false;
  }
  return true;
}

/** One value as a text-format parameter (node-postgres sends a Buffer, a bytea here, in binary). */
function scalar(type: BinaryElementType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'timestamptz') return new Date(value as number).toISOString();
  if (type === 'jsonb') return JSON.stringify(value);
  return value;
}

/**
 * Writes a planned batch and its audit row in one statement (a data-modifying CTE per table). Ending
 * component links goes first, in a statement of its own: a part taken out and put back within one batch
 * would otherwise meet its own new link in the "one current parent" unique index.
 */
export async function writeBatch(db: EntityManager, plan: Plan, ctx: WriteContext): Promise<void> {
  if (plan.componentEnds.length > 0) {
    const p = new Params();
    const rows = p.rows(columnsOf(plan.componentEnds, COMPONENT_ENDS));
    await db.query(
      `UPDATE battery_components c SET ended_at = u.ended, end_event_id = u.event
         FROM ${rows}
        WHERE c.child_code = u.child AND c.parent_code = u.parent AND c.ended_at IS NULL`,
      p.values,
    );
  }
  const ev = plan.events;
  const ch = plan.links;
  const st = plan.componentStarts;
  const og = plan.origins;
  const pa = plan.parties;
  const p = new Params();
  const reporter = p.add(ctx.reporterId);
  const key = p.add(ctx.reporterKeyId);
  const uploadedAt = p.add(ctx.uploadedAt.toISOString());
  const parts: string[] = [];
  const dl = ctx.deadlines;
  parts.push(`ev AS (
    INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, uploaded_at, reporter_enterprise_id, reporter_key_id, counterparty_enterprise_id,
                                  region_code, vin, battery_codes, client_event_id, content_hash, payload, correction_of, rule_set, due_at, on_time)
    SELECT u.id, u.type, u.sv, u.occ, ${uploadedAt}::timestamptz, ${reporter}::uuid, ${key}::uuid, u.cp, u.region, u.vin, string_to_array(u.codes, ','), u.cid, u.hash,
           u.payload, u.corr, ${dl ? 'u.rs, u.due, u.ontime' : 'NULL::text, NULL::timestamptz, NULL::boolean'}
      FROM ${p.rows({ ...columnsOf(ev, EVENTS), ...(dl && columnsOf(dl, DEADLINES)) })})`);
  if (plan.batteriesToInsert.length > 0) {
    parts.push(`ins AS (
    INSERT INTO batteries (code, form, manufacturer_code, product_type, battery_type, specification_code, traceability_code, production_date,
                           serial, cascade_level, nominal_capacity_ah, nominal_voltage_v, rated_energy_kwh, mass_kg, producer_enterprise_id,
                           produced_event_id, status, holder_enterprise_id, pending_handover_to, vin, parent_code, region_keys, last_event_id,
                           last_event_type, last_event_at, chain_seq, chain_head)
    SELECT u.code, u.form, u.mc, u.pt, u.bt, u.sc, u.tc, u.pd, u.serial, u.cl, u.cap, u.volt, u.energy, u.mass, u.producer, u.produced, u.status,
           u.holder, u.pending, u.vin, u.parent, string_to_array(u.regions, ','), u.last_id, u.last_type, u.last_at, u.seq, u.head
      FROM ${p.rows(stateColumns(plan.batteriesToInsert, true))})`);
  }
  if (plan.batteriesToUpdate.length > 0) {
    parts.push(`upd AS (
    UPDATE batteries b
       SET status = u.status, holder_enterprise_id = u.holder, pending_handover_to = u.pending, vin = u.vin, parent_code = u.parent,
           region_keys = string_to_array(u.regions, ','), last_event_id = u.last_id, last_event_type = u.last_type,
           last_event_at = u.last_at, chain_seq = u.seq, chain_head = u.head, updated_at = now()
      FROM ${p.rows(stateColumns(plan.batteriesToUpdate, false))}
     WHERE b.code = u.code)`);
  }
  parts.push(`chain AS (
    INSERT INTO battery_event_chain (battery_code, seq, event_id, prev_hash, link_hash)
    SELECT u.code, u.seq, u.event, u.prev, u.link
      FROM ${p.rows(columnsOf(ch, LINKS))})`);
  if (st.length > 0) {
    parts.push(`starts AS (
    INSERT INTO battery_components (parent_code, child_code, started_at, start_event_id, ended_at, end_event_id)
    SELECT u.parent, u.child, u.started, u.start_event, u.ended, u.end_event
      FROM ${p.rows(columnsOf(st, COMPONENT_STARTS))})`);
  }
  if (og.length > 0) {
    parts.push(`origins AS (
    INSERT INTO battery_origins (cascade_code, original_code, event_id, assembled_at)
    SELECT u.cascade, u.original, u.event, u.at
      FROM ${p.rows(columnsOf(og, ORIGINS))})`);
  }
  if (pa.length > 0) {
    // NOT EXISTS, not ON CONFLICT DO NOTHING: a speculative insertion cost four times a plain one (6.4 against
    // 1.5 ms per 500 rows). No concurrent batch can add the same pair meanwhile (the batteries are locked by
    // the load); if anything ever did, the unique violation makes the batch run again.
    parts.push(`parties AS (
    INSERT INTO battery_parties (battery_code, enterprise_id, first_event_id, first_at)
    SELECT u.code, u.enterprise, u.event, u.at
      FROM ${p.rows(columnsOf(pa, PARTIES))}
     WHERE NOT EXISTS (SELECT 1 FROM battery_parties bp WHERE bp.battery_code = u.code AND bp.enterprise_id = u.enterprise))`);
  }
  parts.push(`audit AS (${ctx.audit((v) => p.add(v))})`);
  await WRITE_SHAPES.runIn(db, `WITH ${parts.join(',\n')}\nSELECT 1`, p.values);
}

/**
 * The write statement's text follows the batch (which tables it writes, which columns go as one value), but a
 * handful of shapes cover nearly every batch: each runs as a named prepared statement (see LOAD for the plans).
 * Parsing and planning it was about 1.3 ms per batch (PostgreSQL 18, one request in flight). A shape costs each
 * connection that runs it 200-330 KB of PostgreSQL memory for its parsed statement and cached plan (measured with
 * pg_log_backend_memory_contexts on PostgreSQL 15): at most 24 shapes keep that under 8 MB per connection, 160 MB
 * for a full pool of 20; rarer shapes run unnamed, parsed and planned each time as before.
 */
const WRITE_SHAPES = new StatementShapes('ledger.write', 24);

function stateColumns(list: BatteryState[], full: boolean): Record<string, Column> {
  if (!full) return columnsOf(list, UPDATED_STATE);
  for (const s of list) if (!s.decoded) throw new Error(`battery ${s.code} is inserted without its decoded code`);
  return columnsOf(list, INSERTED_STATE);
}
