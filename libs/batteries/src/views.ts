import { MAX_COMPOSITION_DEPTH, MAX_CONTAINMENT_DEPTH } from '#libs/battery-code';
import { numberOrNull, parseTextRows, textOrNull, textRowsAggregate } from '#libs/database';
import type { BatteryView, CompositionNode, EnterpriseRef, TraceDeadlineView, TraceEventView, TraceRelativeView } from './dto';
import { CONTAINED_STATUSES } from './status';

/** A `batteries` row as the read queries select it (see BATTERY_COLUMNS). */
export interface BatteryRow {
  code: string;
  form: string;
  manufacturer_code: string;
  product_type: string;
  battery_type: string;
  specification_code: string;
  traceability_code: string | null;
  production_date: string;
  serial: string;
  cascade_level: string | null;
  nominal_capacity_ah: number | null;
  nominal_voltage_v: number | null;
  rated_energy_kwh: number | null;
  mass_kg: number | null;
  producer_enterprise_id: string;
  status: string;
  holder_enterprise_id: string | null;
  pending_handover_to: string | null;
  vin: string | null;
  parent_code: string | null;
  region_keys: string[];
  last_event_id: string;
  last_event_type: string;
  last_event_at: Date;
  chain_seq: number;
  chain_head: Buffer;
  registered_at: Date;
  updated_at: Date;
}

export const BATTERY_COLUMNS = `b.code, b.form, b.manufacturer_code, b.product_type, b.battery_type, b.specification_code,
  b.traceability_code, b.production_date::text AS production_date, b.serial, b.cascade_level, b.nominal_capacity_ah,
  b.nominal_voltage_v, b.rated_energy_kwh, b.mass_kg, b.producer_enterprise_id, b.status, b.holder_enterprise_id,
  b.pending_handover_to, b.vin, b.parent_code, b.region_keys, b.last_event_id, b.last_event_type, b.last_event_at,
  b.chain_seq, b.chain_head, b.registered_at, b.updated_at`;

export interface EventRow {
  id: string;
  type: string;
  schema_version: number;
  occurred_at: Date;
  uploaded_at: Date;
  reporter_enterprise_id: string;
  counterparty_enterprise_id: string | null;
  region_code: string | null;
  vin: string | null;
  battery_codes: string[];
  client_event_id: string | null;
  content_hash: Buffer;
  payload: Record<string, unknown>;
  correction_of: string | null;
  rule_set: string | null;
  due_at: Date | null;
  on_time: boolean | null;
}

/**
 * Judges an event's upload deadline for the trace (the compliance module provides it as EVENT_DEADLINES): the
 * stored assessment, or a fresh one for events recorded before deadlines were assessed or pending on the calendar.
 */
export interface EventDeadlineJudge {
  judgeForTrace(e: { type: string; occurredAt: Date; uploadedAt: Date; ruleSet: string | null; dueAt: Date | null }): TraceDeadlineView;
}
export const EVENT_DEADLINES = Symbol('EVENT_DEADLINES');

export type EnterpriseNames = ReadonlyMap<string, { name: string; uscc: string }>;

export function enterpriseRef(id: string | null, names: EnterpriseNames): EnterpriseRef | null {
  if (id === null) return null;
  const e = names.get(id);
  return { id, name: e?.name ?? null, uscc: e?.uscc ?? null };
}

const CONTAINED = new Set<string>(CONTAINED_STATUSES);

/** What deciding a battery's top-level battery and showing its state needs of each row. */
export type TopLevelRow = Pick<BatteryRow, 'code' | 'status' | 'parent_code' | 'holder_enterprise_id' | 'pending_handover_to' | 'vin'>;

/** A relative in a trace: the columns its view shows, its last event's time already as ISO text. */
export interface RelativeRow extends TopLevelRow {
  form: string;
  product_type: string;
  battery_type: string;
  production_date: string;
  nominal_capacity_ah: number | null;
  nominal_voltage_v: number | null;
  producer_enterprise_id: string;
  last_event_id: string;
  last_event_type: string;
  last_event_at: string;
  chain_seq: number;
}

/** The columns of a trace's relatives, in the order relativeRows reads them. */
const RELATIVE_COLUMNS = [
  'code',
  'form',
  'product_type',
  'battery_type',
  "to_char(production_date, 'YYYY-MM-DD')",
  'nominal_capacity_ah',
  'nominal_voltage_v',
  'producer_enterprise_id',
  'status',
  'holder_enterprise_id',
  'pending_handover_to',
  'vin',
  'parent_code',
  'last_event_id',
  'last_event_type',
  `to_char(last_event_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  'chain_seq',
];

/**
 * A trace's relatives as text rows (see textRowsAggregate) with the names of the enterprises they refer to: a
 * pack has over a hundred relatives. Decoding them column by column (dates included) cost three times the Node CPU
 * of one JSON.parse (2.0 against 0.6-0.8 ms per trace of a 104-part pack), and building that JSON cost PostgreSQL
 * twice what the text rows do.
 */
export const RELATIVES_TEXT = `
  WITH r AS (SELECT * FROM batteries b WHERE b.code = ANY($1::varchar[]))
  SELECT (SELECT ${textRowsAggregate(RELATIVE_COLUMNS)} FROM r) AS rows,
         (SELECT json_agg(json_build_array(e.id, e.name, e.uscc)) FROM enterprises e
           WHERE e.id IN (SELECT producer_enterprise_id FROM r UNION SELECT holder_enterprise_id FROM r UNION SELECT pending_handover_to FROM r)) AS names`;

/** The relatives of RELATIVES_TEXT's `rows`. */
export function relativeRows(text: string | null): RelativeRow[] {
  return parseTextRows(text, RELATIVE_COLUMNS.length).map((t) => ({
    code: t[0],
    form: t[1],
    product_type: t[2],
    battery_type: t[3],
    production_date: t[4],
    nominal_capacity_ah: numberOrNull(t[5]),
    nominal_voltage_v: numberOrNull(t[6]),
    producer_enterprise_id: t[7],
    status: t[8],
    holder_enterprise_id: textOrNull(t[9]),
    pending_handover_to: textOrNull(t[10]),
    vin: textOrNull(t[11]),
    parent_code: textOrNull(t[12]),
    last_event_id: t[13],
    last_event_type: t[14],
    last_event_at: t[15],
    chain_seq: Number(t[16]),
  }));
}

/** The top-level battery a row follows (itself unless it is inside another whose row is at hand). */
export function topLevelOf<R extends TopLevelRow>(row: R, rows: ReadonlyMap<string, R>): R {
  let current = row;
  for (let depth = 0; depth < MAX_CONTAINMENT_DEPTH && current.parent_code !== null && CONTAINED.has(current.status); depth++) {
    const parent = rows.get(current.parent_code);
    if (!parent) break;
    current = parent;
  }
  return current;
}

export function toBatteryView(row: BatteryRow, rows: ReadonlyMap<string, TopLevelRow>, names: EnterpriseNames): BatteryView {
  const top = topLevelOf<TopLevelRow>(row, rows);
  return {
    code: row.code,
    form: row.form,
    productType: row.product_type,
    batteryType: row.battery_type,
    manufacturerCode: row.manufacturer_code,
    specificationCode: row.specification_code,
    traceabilityCode: row.traceability_code,
    productionDate: row.production_date,
    serial: row.serial,
    cascadeLevel: row.cascade_level,
    nominalCapacityAh: row.nominal_capacity_ah,
    nominalVoltageV: row.nominal_voltage_v,
    ratedEnergyKwh: row.rated_energy_kwh,
    massKg: row.mass_kg,
    producer: enterpriseRef(row.producer_enterprise_id, names)!,
    status: top.status,
    ownStatus: row.status,
    holder: enterpriseRef(top.holder_enterprise_id, names),
    pendingHandoverTo: enterpriseRef(top.pending_handover_to, names),
    vin: top.vin,
    insideOf: row.parent_code,
    topLevelCode: top.code,
    regions: row.region_keys.filter((k) => k.length === 6).sort(),
    lastEvent: { id: row.last_event_id, type: row.last_event_type, occurredAt: row.last_event_at.toISOString() },
    chain: { seq: row.chain_seq, head: row.chain_head.toString('hex') },
    registeredAt: row.registered_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toTraceRelativeView(row: RelativeRow, rows: ReadonlyMap<string, RelativeRow>, names: EnterpriseNames): TraceRelativeView {
  const top = topLevelOf(row, rows);
  return {
    code: row.code,
    form: row.form,
    productType: row.product_type,
    batteryType: row.battery_type,
    productionDate: row.production_date,
    nominalCapacityAh: row.nominal_capacity_ah,
    nominalVoltageV: row.nominal_voltage_v,
    producer: enterpriseRef(row.producer_enterprise_id, names)!,
    status: top.status,
    ownStatus: row.status,
    holder: enterpriseRef(top.holder_enterprise_id, names),
    insideOf: row.parent_code,
    topLevelCode: top.code,
    lastEvent: { id: row.last_event_id, type: row.last_event_type, occurredAt: row.last_event_at },
    chainSeq: row.chain_seq,
  };
}

export function toTraceEventView(e: EventRow, names: EnterpriseNames, deadlines?: EventDeadlineJudge): TraceEventView {
  return {
    id: e.id,
    type: e.type,
    schemaVersion: e.schema_version,
    occurredAt: e.occurred_at.toISOString(),
    uploadedAt: e.uploaded_at.toISOString(),
    reporter: enterpriseRef(e.reporter_enterprise_id, names)!,
    counterparty: enterpriseRef(e.counterparty_enterprise_id, names),
    regionCode: e.region_code,
    vin: e.vin,
    batteryCodes: e.battery_codes,
    payload: e.payload,
    correctionOf: e.correction_of,
    clientEventId: e.client_event_id,
    contentHash: e.content_hash.toString('hex'),
    dueAt: e.due_at?.toISOString() ?? null,
    onTime: e.on_time,
    deadline: deadlines?.judgeForTrace({ type: e.type, occurredAt: e.occurred_at, uploadedAt: e.uploaded_at, ruleSet: e.rule_set, dueAt: e.due_at }) ?? null,
  };
}

/** The current composition below a battery, from its active component links. */
export function compositionTree(
  rootCode: string,
  links: readonly { parent_code: string; child_code: string; started_at: Date; product_type: string }[],
): CompositionNode[] {
  const byParent = new Map<string, (typeof links)[number][]>();
  for (const l of links) {
    const list = byParent.get(l.parent_code);
    if (list) list.push(l);
    else byParent.set(l.parent_code, [l]);
  }
  const build = (code: string, depth: number): CompositionNode[] =>
    depth > MAX_COMPOSITION_DEPTH
      ? []
      : (byParent.get(code) ?? [])
          .slice()
          .sort((a, b) => (a.child_code < b.child_code ? -1 : 1))
          .map((l) => ({ code: l.child_code, productType: l.product_type, since: l.started_at.toISOString(), components: build(l.child_code, depth + 1) }));
  return build(rootCode, 0);
}
