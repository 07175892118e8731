/**
 * The ledger's rules as data: every event type with who may report it, what it needs, which battery
 * statuses it may follow and what it changes. Grouped in rule sets chosen by the event's business date
 * (`occurredAt`), so that a new regulation is a new rule set, not new code (domain README §10: the 2018/2021
 * rules before 2026-04-01, the 2026 measures from then on).
 */
import type { BatteryStatus, ProductLevel } from '#libs/batteries';
import type { EnterpriseRole } from '#libs/enterprises';
import { todayInBeijing } from '#libs/identifiers';
import type { Row } from './event-rules-fields';
import { ALL_ROLES, f, reason, v1 } from './event-rules-fields';
import { CASCADE_ROWS } from './event-rules-cascade';
import { END_OF_LIFE_ROWS } from './event-rules-end-of-life';
import { IN_USE_ROWS } from './event-rules-in-use';
import { PRODUCTION_ROWS } from './event-rules-production';
import type { FieldSpec } from './field-spec';

export const EVENT_TYPES = [
  'produced',
  'delivered',
  'installed',
  'vehicle_certified',
  'vehicle_imported',
  'vehicle_sold',
  'repaired',
  'replaced',
  'swapped',
  'outlet_received',
  'outlet_handed_over',
  'vehicle_scrapped',
  'removed',
  'cascade_received',
  'residual_tested',
  'cascade_assembled',
  'cascade_shipped',
  'cascade_scrapped',
  'recycler_received',
  'recycled',
  'correction',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type Presence = 'required' | 'optional' | 'forbidden';

/**
 * Who may report an event about a battery, besides having one of the event's roles:
 * - `holder`: the current holder, or the counterparty of a pending hand-over (whose report completes it);
 * - `receiver`: the receiver of a pending hand-over; reported by a firm no hand-over to is pending, naming the
 *   sender as the counterparty (the 2018 provisions have each side report its own node), the receipt is a custody
 *   claim that the sender confirms (then recorded, checked as a hand-over from it) or disputes (libs/custody);
 * - `any`: any firm with the role: the battery is in a vehicle in its owner's hands, and the owner chooses
 *   the dealer, repair shop, swap station or dismantler; the vehicle maker stays responsible (holder).
 */
export type ReporterRule = 'holder' | 'receiver' | 'any';

/**
 * What happens to custody: `handover` names the counterparty as the pending receiver (the holder stays
 * responsible until the receiver reports); `take` makes the reporter the holder; `none` leaves it.
 */
export type CustodyEffect = 'none' | 'handover' | 'take';

/**
 * The VIN: `set` installs the battery in that vehicle; `match` requires the battery to be in it;
 * `clear` (with `match` semantics when given) takes the battery out.
 */
export type VinEffect = 'set' | 'match' | 'clear' | 'none';

/**
 * Behaviour beyond the common rules:
 * - `register`: creates the batteries (their attributes are the payload; `parentCode` builds them into another);
 * - `replace`: the battery named goes out, `payload.replacementCode` takes its place (vehicle or parent);
 * - `assemble_cascade`: the batteries named are regrouped into the new cascade product `payload.cascadeCode`;
 * - `correction`: names an earlier event of the same reporter and what was wrong with it; changes no state.
 */
export type Special = 'register' | 'replace' | 'assemble_cascade' | 'correction';

export interface PayloadSchema {
  readonly version: number;
  readonly fields: readonly FieldSpec[];
}

export interface EventTypeRules {
  readonly type: EventType;
  readonly description: string;
  /** Where the node comes from. */
  readonly basis: string;
  /** Whether the traceability rules of this rule set require an upload for it (used by deadline rules). */
  readonly node: boolean;
  readonly roles: readonly EnterpriseRole[];
  /** Statuses (of the battery, or of the battery it is inside) this event may follow. Empty for `register`. */
  readonly from: readonly BatteryStatus[];
  /** The status of the batteries named afterwards; null: unchanged. */
  readonly to: BatteryStatus | null;
  readonly reporter: ReporterRule;
  readonly custody: CustodyEffect;
  /**
   * A hand-over that may also name no receiver: the batteries go into the reporter's own stock with this status
   * (custody unchanged) and leave it later by a hand-over event of their own (a dismantler books removed packs in
   * before choosing where they go).
   */
  readonly withoutCounterparty?: { readonly to: BatteryStatus };
  readonly counterparty: { readonly presence: Presence; readonly roles?: readonly EnterpriseRole[] };
  readonly vin: { readonly presence: Presence; readonly effect: VinEffect };
  readonly region: Presence;
  /** Product levels the batteries named may have; absent: any. */
  readonly levels?: readonly ProductLevel[];
  /** Code forms the batteries named may have; absent: any. */
  readonly forms?: readonly ('original' | 'cascade')[];
  readonly special?: Special;
  /**
   * A part inside another battery (a module in its pack) stays there after this event, instead of being taken
   * out as by every other event about it: a repair in place changes neither its status, custody nor vehicle.
   */
  readonly partStaysInPlace?: boolean;
  /** `replace`: the statuses the incoming battery may be in. */
  readonly replacementFrom?: readonly BatteryStatus[];
  /** Payload schema versions, oldest first; an event names its version (default: the latest). */
  readonly payload: readonly PayloadSchema[];
}

export interface LedgerRuleSet {
  readonly id: string;
  readonly title: string;
  /** First business date (Beijing time) the set applies to; null: since always. */
  readonly validFrom: string | null;
  /** First business date it no longer applies to; null: still in force. */
  readonly validUntil: string | null;
  readonly types: Readonly<Record<EventType, EventTypeRules>>;
}

// ---- the 2018/2021 rule set: its rows by lifecycle phase (event-rules-*.ts) ------------------------------

const RULES_2018: Record<EventType, Row> = {
  ...PRODUCTION_ROWS,
  ...IN_USE_ROWS,
  ...END_OF_LIFE_ROWS,
  ...CASCADE_ROWS,
  correction: {
    description: 'Corrects an earlier event of the same reporter (correctionOf): states what was wrong; the original is never changed',
    basis: 'Ledger rule: events are immutable',
    node: false,
    roles: ALL_ROLES,
    from: [],
    to: null,
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    special: 'correction',
    payload: v1(
      reason(true, 'What was wrong'),
      f({ name: 'field', kind: 'string', required: false, max: 200, description: 'The field that was wrong (e.g. payload.certificateNo)' }),
      f({ name: 'correctValue', kind: 'string', required: false, max: 2000, description: 'The value it should have had' }),
    ),
  },
};

function ruleSet(id: string, title: string, validFrom: string | null, validUntil: string | null, rows: Record<EventType, Row>): LedgerRuleSet {
  const types = {} as Record<EventType, EventTypeRules>;
  for (const type of EVENT_TYPES) types[type] = Object.freeze({ type, ...rows[type] });
  return Object.freeze({ id, title, validFrom, validUntil, types: Object.freeze(types) });
}

/** The 2026 measures change these rows of the 2018 set (domain README §10); everything else carries over. */
const CHANGES_2026: Partial<Record<EventType, Partial<Row>>> = {
  swapped: { node: true, basis: '2026 暂行办法: battery swap is a traceability node' },
  // "Swap operators, repairers and dismantlers hand waste batteries only to a qualified comprehensive-
  // utilisation firm or a maker's outlet."
  removed: { counterparty: { presence: 'optional', roles: ['cascade_utiliser', 'recycler', 'vehicle_maker', 'battery_maker'] } },
};

function withChanges(base: Record<EventType, Row>, changes: Partial<Record<EventType, Partial<Row>>>): Record<EventType, Row> {
  const out = { ...base };
  for (const [type, change] of Object.entries(changes) as [EventType, Partial<Row>][]) out[type] = { ...base[type], ...change };
  return out;
}

export const RULE_SETS: readonly LedgerRuleSet[] = Object.freeze([
  ruleSet('cn-2018', '溯源管理暂行规定 (2018) and 梯次利用管理办法 (2021)', null, '2026-04-01', RULES_2018),
  ruleSet('cn-2026', '新能源汽车废旧动力电池回收和综合利用管理暂行办法 (2026)', '2026-04-01', null, withChanges(RULES_2018, CHANGES_2026)),
]);

/** The rule set in force on a business date (YYYY-MM-DD, Beijing time). */
export function ruleSetFor(date: string, sets: readonly LedgerRuleSet[] = RULE_SETS): LedgerRuleSet {
  for (const s of sets) {
    if ((s.validFrom === null || date >= s.validFrom) && (s.validUntil === null || date < s.validUntil)) return s;
  }
  return sets[sets.length - 1];
}

/** The rule set in force now: its table is what clients and templates are shown. */
export function currentRuleSet(now = new Date()): LedgerRuleSet {
  return ruleSetFor(todayInBeijing(now));
}

export function latestPayload(rules: EventTypeRules): PayloadSchema {
  return rules.payload[rules.payload.length - 1];
}

export const MAX_EVENTS_PER_BATCH = 500;
export const MAX_CODES_PER_EVENT = 500;

/**
 * The fields every event has besides its payload, as in the JSON body of POST /v1/events. Payload fields go
 * under `payload`.
 */
export const ENVELOPE_FIELDS: readonly FieldSpec[] = [
  { name: 'type', kind: 'enum', enum: EVENT_TYPES, required: true, description: 'Event type' },
  {
    name: 'batteryCodes',
    kind: 'batteryCodes',
    required: true,
    description: `The GB/T 34014 codes the event is about (1 to ${MAX_CODES_PER_EVENT})`,
    example: ['001PB240000003B3C0221953'],
  },
  {
    name: 'occurredAt',
    kind: 'datetime',
    required: true,
    description: 'When it happened (the business date; Beijing time when no offset is given)',
    example: '2026-05-01T10:00:00+08:00',
  },
  {
    name: 'clientEventId',
    kind: 'string',
    required: false,
    max: 100,
    description: "The reporter's own id for the event: sending it again is answered as a duplicate",
    example: 'erp-2026-000123',
  },
  { name: 'counterpartyUscc', kind: 'uscc', required: false, description: 'The other party of a hand-over, by its unified social credit code' },
  {
    name: 'regionCode',
    kind: 'regionCode',
    required: false,
    description: 'GB/T 2260 region where it happened (for vehicle_sold: the region of sale)',
    example: '350102',
  },
  { name: 'vin', kind: 'vin', required: false, description: 'The vehicle (17 characters, check digit per GB 16735)', example: 'LFV2A21KXG4010001' },
  { name: 'correctionOf', kind: 'uuid', required: false, description: 'correction events: the id of the event corrected' },
  { name: 'schemaVersion', kind: 'integer', required: false, min: 1, description: 'Payload schema version of the event type (default: the latest)' },
  { name: 'payload', kind: 'object', required: false, description: 'The fields of the event type' },
];

export const PAYLOAD_KEY = 'payload';
