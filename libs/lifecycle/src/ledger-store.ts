/**
 * The ledger's SQL. A batch costs two statements inside its transaction, whatever its size: one reads (and
 * locks, in code order) the state of every battery concerned together with earlier events that could make
 * the batch's events duplicates and the events being corrected; one writes every table. Rows travel as one
 * JSON document of column arrays per statement (cheap to build with JSON.stringify, parsed once by
 * PostgreSQL), and results come back as JSON arrays.
 */
import type { BatteryStatus, ProductLevel } from '#libs/batteries';
import type { EntityManager } from 'typeorm';
import type { BatteryState } from './domain/battery-state';
import { affectedCodesOf, CorrectionTarget, Plan } from './domain/plan';

export interface LoadRequest {
  reporterId: string;
  codes: string[];
  clientIds: string[];
  hashes: string[];
  corrections: string[];
  lock: boolean;
}

export interface Loaded {
  states: Map<string, BatteryState>;
  /** Holders and pending receivers of those batteries, for messages. */
  names: Map<string, { uscc: string; name: string }>;
  priorByClientId: Map<string, { id: string; hashKey: string }>;
  priorByHash: Map<string, string>;
  corrections: Map<string, CorrectionTarget>;
}

/** Column order of a state row in the load statement's JSON (see toState). */
const STATE_COLUMNS = `b.code, b.form, b.product_type, b.manufacturer_code, b.battery_type, b.specification_code, b.traceability_code,
  b.production_date::text, b.serial, b.cascade_level, b.nominal_capacity_ah, b.nominal_voltage_v, b.rated_energy_kwh, b.mass_kg,
  b.producer_enterprise_id, b.produced_event_id, b.status, b.holder_enterprise_id, b.pending_handover_to, b.vin, b.parent_code,
  b.region_keys, b.last_event_id, b.last_event_type, (extract(epoch FROM b.last_event_at) * 1000)::float8, b.chain_seq, encode(b.chain_head, 'hex')`;

type StateTuple = [
  string, 'original' | 'cascade', ProductLevel, string, string, string, string | null, string, string, string | null,
  number | null, number | null, number | null, number | null, string, string, BatteryStatus, string | null, string | null,
  string | null, string | null, string[], string, string, number, number, string,
];

function toState(t: StateTuple): BatteryState {
  return {
    code: t[0],
    form: t[1],
    level: t[2],
    manufacturerCode: t[3],
    batteryType: t[4],
    specificationCode: t[5],
    traceabilityCode: t[6],
    productionDate: t[7],
    serial: t[8],
    cascadeLevel: t[9],
    nominalCapacityAh: t[10],
    nominalVoltageV: t[11],
    ratedEnergyKwh: t[12],
    massKg: t[13],
    producerId: t[14],
    producedEventId: t[15],
    status: t[16],
    holderId: t[17],
    pendingTo: t[18],
    vin: t[19],
    parentCode: t[20],
    regionKeys: t[21],
    lastEventId: t[22],
    lastEventType: t[23],
    lastEventAt: Math.round(t[24]),
    chainSeq: t[25],
    chainHead: Buffer.from(t[26], 'hex'),
    isNew: false,
    changed: false,
  };
}

/**
 * One statement: the batteries named and every battery they are inside (locked in code order, so that
 * concurrent batches cannot deadlock on them), earlier events of the reporter with the same client ids or
 * content hashes, and the events that corrections name.
 */
export async function loadForBatch(db: EntityManager, r: LoadRequest): Promise<Loaded> {
  const [row] = await db.query<
    {
      states: StateTuple[] | null;
      names: [string, string, string][] | null;
      prior: [string, string | null, string][] | null;
      corrected: [string, string, string, string[], Record<string, unknown>][] | null;
    }[]
  >(
    // LATERAL and = ANY(ARRAY(...)) keep every step an index lookup (the planner would otherwise hash-join
    // against a scan of the whole table).
    `WITH RECURSIVE up(code, parent) AS (
       SELECT b.code, b.parent_code FROM batteries b WHERE b.code = ANY($1::varchar[])
       UNION
       SELECT x.code, x.parent_code FROM up CROSS JOIN LATERAL (SELECT b.code, b.parent_code FROM batteries b WHERE b.code = up.parent LIMIT 1) x
        WHERE up.parent IS NOT NULL
     ), rows AS (
       SELECT b.holder_enterprise_id AS holder, b.pending_handover_to AS pending, json_build_array(${STATE_COLUMNS}) AS j
         FROM batteries b WHERE b.code = ANY(ARRAY(SELECT code FROM up)) ORDER BY b.code ${r.lock ? 'FOR UPDATE' : ''}
     ), prior AS (
       SELECT e.id, e.client_event_id, e.content_hash FROM lifecycle_events e
        WHERE e.reporter_enterprise_id = $2 AND e.client_event_id = ANY($3::text[])
       UNION
       SELECT e.id, e.client_event_id, e.content_hash FROM lifecycle_events e
        WHERE e.reporter_enterprise_id = $2 AND e.content_hash = ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest($4::text[]) h))
     )
     SELECT (SELECT json_agg(j) FROM rows) AS states,
            (SELECT json_agg(json_build_array(e.id, e.uscc, e.name)) FROM enterprises e
              WHERE e.id IN (SELECT holder FROM rows UNION SELECT pending FROM rows)) AS names,
            (SELECT json_agg(json_build_array(p.id, p.client_event_id, encode(p.content_hash, 'hex'))) FROM prior p) AS prior,
            (SELECT json_agg(json_build_array(e.id, e.reporter_enterprise_id, e.type, e.battery_codes, e.payload))
               FROM lifecycle_events e WHERE e.id = ANY($5::uuid[])) AS corrected`,
    [r.codes, r.reporterId, r.clientIds, r.hashes, r.corrections],
  );
  const states = new Map<string, BatteryState>();
  for (const t of row.states ?? []) states.set(t[0], toState(t));
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

export interface WriteContext {
  reporterId: string;
  reporterKeyId: string | null;
  /** One per event, in order; null: no deadline known for any event (the columns are written as NULL). */
  deadlines: { ruleSet: string | null; dueAt: Date | null; onTime: boolean | null }[] | null;
  /** The batch's audit row, written by the same statement: renders its INSERT with `param` for parameters. */
  audit: (param: (value: unknown) => string) => string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Query parameters, and `ROWS FROM (...) AS u(...)` over column arrays passed as one JSON parameter per
 * column. One parameter per column matters: PostgreSQL folds a parameter cast into a constant at planning,
 * once per occurrence, so one document referenced by every column would be parsed once per column.
 */
class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** `objects`: columns whose elements are JSON objects (cast them to jsonb), not text. */
  rows(table: Record<string, unknown[]>, objects: readonly string[] = []): string {
    const names = Object.keys(table);
    // json, not jsonb: each array is read once, so validating the text is all the parsing it needs.
    const fns = names.map((n) => `${objects.includes(n) ? 'json_array_elements' : 'json_array_elements_text'}(${this.add(JSON.stringify(table[n]))}::json)`);
    return `ROWS FROM (${fns.join(', ')}) AS u(${names.join(', ')})`;
  }
}

/**
 * Writes a planned batch and its audit row in one statement (a data-modifying CTE per table). Ending
 * component links goes first, in a statement of its own: a part taken out and put back within one batch
 * would otherwise meet its own new link in the "one current parent" unique index.
 */
export async function writeBatch(db: EntityManager, plan: Plan, ctx: WriteContext): Promise<void> {
  if (plan.componentEnds.length > 0) {
    const e = plan.componentEnds;
    const p = new Params();
    const rows = p.rows({ parent: e.map((x) => x.parentCode), child: e.map((x) => x.childCode), ended: e.map((x) => iso(x.endedAt)), event: e.map((x) => x.endEventId) });
    await db.query(
      `UPDATE battery_components c SET ended_at = u.ended::timestamptz, end_event_id = u.event::uuid
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
  const parts: string[] = [];
  const dl = ctx.deadlines;
  parts.push(`ev AS (
    INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, reporter_enterprise_id, reporter_key_id, counterparty_enterprise_id,
                                  region_code, vin, battery_codes, client_event_id, content_hash, payload, correction_of, rule_set, due_at, on_time)
    SELECT u.id::uuid, u.type, u.sv::smallint, u.occ::timestamptz, ${reporter}::uuid, ${key}::uuid, u.cp::uuid, u.region, u.vin,
           string_to_array(u.codes, ','), u.cid, decode(u.hash, 'hex'), u.payload::jsonb, u.corr::uuid,
           ${dl ? 'u.rs, u.due::timestamptz, u.ontime::boolean' : 'NULL::text, NULL::timestamptz, NULL::boolean'}
      FROM ${p.rows(
        {
          id: ev.map((e) => e.id),
          type: ev.map((e) => e.content.type),
          sv: ev.map((e) => e.content.schemaVersion),
          occ: ev.map((e) => iso(e.content.occurredAt)),
          cp: ev.map((e) => e.content.counterpartyEnterpriseId),
          region: ev.map((e) => e.content.regionCode),
          vin: ev.map((e) => e.content.vin),
          codes: ev.map((e) => e.content.batteryCodes.join(',')),
          cid: ev.map((e) => e.content.clientEventId),
          hash: ev.map((e) => e.hashKey),
          payload: ev.map((e) => e.content.payload),
          corr: ev.map((e) => e.content.correctionOf),
          ...(dl && {
            rs: dl.map((d) => d.ruleSet),
            due: dl.map((d) => (d.dueAt ? d.dueAt.toISOString() : null)),
            ontime: dl.map((d) => d.onTime),
          }),
        },
        ['payload'],
      )})`);
  if (plan.batteriesToInsert.length > 0) {
    parts.push(`ins AS (
    INSERT INTO batteries (code, form, manufacturer_code, product_type, battery_type, specification_code, traceability_code, production_date,
                           serial, cascade_level, nominal_capacity_ah, nominal_voltage_v, rated_energy_kwh, mass_kg, producer_enterprise_id,
                           produced_event_id, status, holder_enterprise_id, pending_handover_to, vin, parent_code, region_keys, last_event_id,
                           last_event_type, last_event_at, chain_seq, chain_head)
    SELECT u.code, u.form, u.mc, u.pt, u.bt, u.sc, u.tc, u.pd::date, u.serial, u.cl, u.cap::float8, u.volt::float8, u.energy::float8, u.mass::float8,
           u.producer::uuid, u.produced::uuid, u.status, u.holder::uuid, u.pending::uuid, u.vin, u.parent, string_to_array(u.regions, ','),
           u.last_id::uuid, u.last_type, u.last_at::timestamptz, u.seq::int, decode(u.head, 'hex')
      FROM ${p.rows(stateColumns(plan.batteriesToInsert, true))})`);
  }
  if (plan.batteriesToUpdate.length > 0) {
    parts.push(`upd AS (
    UPDATE batteries b
       SET status = u.status, holder_enterprise_id = u.holder::uuid, pending_handover_to = u.pending::uuid, vin = u.vin, parent_code = u.parent,
           region_keys = string_to_array(u.regions, ','), last_event_id = u.last_id::uuid, last_event_type = u.last_type,
           last_event_at = u.last_at::timestamptz, chain_seq = u.seq::int, chain_head = decode(u.head, 'hex'), updated_at = now()
      FROM ${p.rows(stateColumns(plan.batteriesToUpdate, false))}
     WHERE b.code = u.code)`);
  }
  parts.push(`chain AS (
    INSERT INTO battery_event_chain (battery_code, seq, event_id, prev_hash, link_hash)
    SELECT u.code, u.seq::int, u.event::uuid, decode(u.prev, 'hex'), decode(u.link, 'hex')
      FROM ${p.rows({
        code: ch.map((l) => l.batteryCode),
        seq: ch.map((l) => l.seq),
        event: ch.map((l) => l.eventId),
        prev: ch.map((l) => l.prevHash.toString('hex')),
        link: ch.map((l) => l.linkHash.toString('hex')),
      })})`);
  if (st.length > 0) {
    parts.push(`starts AS (
    INSERT INTO battery_components (parent_code, child_code, started_at, start_event_id, ended_at, end_event_id)
    SELECT u.parent, u.child, u.started::timestamptz, u.start_event::uuid, u.ended::timestamptz, u.end_event::uuid
      FROM ${p.rows({
        parent: st.map((x) => x.parentCode),
        child: st.map((x) => x.childCode),
        started: st.map((x) => iso(x.startedAt)),
        start_event: st.map((x) => x.startEventId),
        ended: st.map((x) => (x.endedAt === null ? null : iso(x.endedAt))),
        end_event: st.map((x) => x.endEventId),
      })})`);
  }
  if (og.length > 0) {
    parts.push(`origins AS (
    INSERT INTO battery_origins (cascade_code, original_code, event_id, assembled_at)
    SELECT u.cascade, u.original, u.event::uuid, u.at::timestamptz
      FROM ${p.rows({ cascade: og.map((o) => o.cascadeCode), original: og.map((o) => o.originalCode), event: og.map((o) => o.eventId), at: og.map((o) => iso(o.assembledAt)) })})`);
  }
  if (pa.length > 0) {
    parts.push(`parties AS (
    INSERT INTO battery_parties (battery_code, enterprise_id, first_event_id, first_at)
    SELECT u.code, u.enterprise::uuid, u.event::uuid, u.at::timestamptz
      FROM ${p.rows({ code: pa.map((x) => x.batteryCode), enterprise: pa.map((x) => x.enterpriseId), event: pa.map((x) => x.eventId), at: pa.map((x) => iso(x.at)) })}
    ON CONFLICT DO NOTHING)`);
  }
  parts.push(`audit AS (${ctx.audit((v) => p.add(v))})`);
  await db.query(`WITH ${parts.join(',\n')}\nSELECT 1`, p.values);
}

function stateColumns(list: BatteryState[], full: boolean): Record<string, unknown[]> {
  const base: Record<string, unknown[]> = {
    code: list.map((s) => s.code),
    status: list.map((s) => s.status),
    holder: list.map((s) => s.holderId),
    pending: list.map((s) => s.pendingTo),
    vin: list.map((s) => s.vin),
    parent: list.map((s) => s.parentCode),
    regions: list.map((s) => s.regionKeys.join(',')),
    last_id: list.map((s) => s.lastEventId),
    last_type: list.map((s) => s.lastEventType),
    last_at: list.map((s) => iso(s.lastEventAt)),
    seq: list.map((s) => s.chainSeq),
    head: list.map((s) => s.chainHead.toString('hex')),
  };
  if (!full) return base;
  return {
    ...base,
    form: list.map((s) => s.form),
    mc: list.map((s) => s.manufacturerCode),
    pt: list.map((s) => s.level),
    bt: list.map((s) => s.batteryType),
    sc: list.map((s) => s.specificationCode),
    tc: list.map((s) => s.traceabilityCode),
    pd: list.map((s) => s.productionDate),
    serial: list.map((s) => s.serial),
    cl: list.map((s) => s.cascadeLevel),
    cap: list.map((s) => s.nominalCapacityAh),
    volt: list.map((s) => s.nominalVoltageV),
    energy: list.map((s) => s.ratedEnergyKwh),
    mass: list.map((s) => s.massKg),
    producer: list.map((s) => s.producerId),
    produced: list.map((s) => s.producedEventId),
  };
}
