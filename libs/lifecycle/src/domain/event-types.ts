/**
 * The ledger's rules as data: every event type with who may report it, what it needs, which battery
 * statuses it may follow and what it changes. Grouped in rule sets chosen by the event's business date
 * (`occurredAt`), so that a new regulation is a new rule set, not new code (domain README §10: the 2018/2021
 * rules before 2026-04-01, the 2026 measures from then on).
 */
import type { BatteryStatus, ProductLevel } from '#libs/batteries';
import type { EnterpriseRole } from '#libs/enterprises';
import { todayInBeijing } from '#libs/identifiers';
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

// ---- the roles -------------------------------------------------------------------------------------

const ALL_ROLES: readonly EnterpriseRole[] = [
  'battery_maker',
  'vehicle_maker',
  'importer',
  'dealer',
  'repairer',
  'leasing',
  'swap_operator',
  'dismantler',
  'cascade_utiliser',
  'recycler',
];
/** Firms that run recycling service outlets: vehicle makers and the firms they entrust (2019 outlet guide). */
const OUTLET_ROLES: readonly EnterpriseRole[] = [
  'vehicle_maker',
  'battery_maker',
  'importer',
  'dealer',
  'repairer',
  'leasing',
  'swap_operator',
  'dismantler',
  'cascade_utiliser',
];
const SERVICE_ROLES: readonly EnterpriseRole[] = ['vehicle_maker', 'importer', 'dealer', 'repairer', 'leasing'];

// ---- payload fields ----------------------------------------------------------------------------------

const f = (spec: FieldSpec): FieldSpec => spec;

const ATTRIBUTES: readonly FieldSpec[] = [
  f({
    name: 'nominalCapacityAh',
    kind: 'number',
    required: true,
    min: 0,
    minExclusive: true,
    max: 1_000_000,
    unit: 'Ah',
    description: 'Nominal capacity (标称容量)',
    example: 150,
  }),
  f({
    name: 'nominalVoltageV',
    kind: 'number',
    required: true,
    min: 0,
    minExclusive: true,
    max: 10_000,
    unit: 'V',
    description: 'Nominal voltage (标称电压)',
    example: 350.4,
  }),
  f({
    name: 'ratedEnergyKwh',
    kind: 'number',
    required: false,
    min: 0,
    minExclusive: true,
    max: 100_000,
    unit: 'kWh',
    description: 'Rated energy (额定能量)',
    example: 52.6,
  }),
  f({ name: 'massKg', kind: 'number', required: false, min: 0, minExclusive: true, max: 100_000, unit: 'kg', description: 'Mass', example: 380 }),
];

const v1 = (...fields: FieldSpec[]): readonly PayloadSchema[] => [{ version: 1, fields }];

const reason = (required: boolean, description = 'What happened, in words') => f({ name: 'reason', kind: 'string', required, max: 2000, description });

// ---- the 2018/2021 rule set ---------------------------------------------------------------------------

type Row = Omit<EventTypeRules, 'type'>;

const RULES_2018: Record<EventType, Row> = {
  produced: {
    description: 'A battery (pack, module or cell) is produced and registered; `parentCode` builds it into a module or pack of the same maker',
    basis: 'GB/T 34014; 溯源管理暂行规定 art. 6 (code every product)',
    node: true,
    roles: ['battery_maker', 'importer'],
    from: [],
    to: 'produced',
    reporter: 'holder',
    custody: 'take',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    forms: ['original'],
    special: 'register',
    payload: v1(
      ...ATTRIBUTES,
      f({
        name: 'parentCode',
        kind: 'batteryCode',
        form: 'original',
        required: false,
        description: 'The module or pack (already registered) these batteries are built into',
      }),
    ),
  },
  delivered: {
    description: 'The battery maker hands batteries over to a vehicle maker (or a repairer, swap operator …)',
    basis: '溯源管理暂行规定 annex 3 (battery delivery to the vehicle maker)',
    node: true,
    roles: ['battery_maker', 'importer'],
    from: ['produced', 'delivered'],
    to: 'delivered',
    reporter: 'holder',
    custody: 'handover',
    counterparty: { presence: 'required', roles: ['vehicle_maker', 'importer', 'battery_maker', 'repairer', 'swap_operator', 'leasing', 'dealer'] },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(f({ name: 'deliveryNoteNo', kind: 'string', required: false, max: 100, description: 'Delivery note number' })),
  },
  installed: {
    description: 'The vehicle maker installs a pack in a vehicle (VIN)',
    basis: '溯源管理暂行规定 art. 8 (vehicle production)',
    node: true,
    roles: ['vehicle_maker', 'importer'],
    from: ['produced', 'delivered'],
    to: 'installed',
    reporter: 'holder',
    custody: 'take',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'required', effect: 'set' },
    region: 'optional',
    levels: ['pack'],
    payload: v1(f({ name: 'vehicleModel', kind: 'string', required: false, max: 200, description: 'Vehicle model (车型)' })),
  },
  vehicle_certified: {
    description: 'The certificate of conformity (出厂合格证) of the vehicle is issued',
    basis: '溯源管理暂行规定 art. 8 (15 working days)',
    node: true,
    roles: ['vehicle_maker'],
    from: ['installed'],
    to: 'certified',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'required', effect: 'match' },
    region: 'optional',
    levels: ['pack'],
    payload: v1(f({ name: 'certificateNo', kind: 'string', required: true, max: 100, description: 'Certificate of conformity number (合格证编号)' })),
  },
  vehicle_imported: {
    description: 'An imported vehicle clears customs and inspection',
    basis: '溯源管理暂行规定 art. 8 (15 working days)',
    node: true,
    roles: ['importer'],
    from: ['installed'],
    to: 'certified',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'required', effect: 'match' },
    region: 'optional',
    levels: ['pack'],
    payload: v1(
      f({ name: 'customsDeclarationNo', kind: 'string', required: true, max: 100, description: 'Customs declaration number (报关单号)' }),
      f({ name: 'inspectionCertificateNo', kind: 'string', required: false, max: 100, description: 'Inspection certificate number' }),
    ),
  },
  vehicle_sold: {
    description: 'The vehicle is sold; regionCode is the region of sale',
    basis: '溯源管理暂行规定 arts. 9 and 12',
    node: true,
    roles: ['vehicle_maker', 'importer', 'dealer'],
    from: ['certified'],
    to: 'in_use',
    reporter: 'any',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'required', effect: 'match' },
    region: 'required',
    levels: ['pack'],
    payload: v1(
      f({ name: 'buyerType', kind: 'enum', enum: ['individual', 'organisation'], required: false, description: 'Who bought the vehicle' }),
      f({ name: 'invoiceNo', kind: 'string', required: false, max: 100, description: 'Sales invoice number' }),
    ),
  },
  repaired: {
    description: 'After-sales repair of the battery in the vehicle',
    basis: '溯源管理暂行规定 arts. 10 and 12',
    node: true,
    roles: SERVICE_ROLES,
    from: ['in_use'],
    to: 'in_use',
    reporter: 'any',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'optional', effect: 'match' },
    region: 'optional',
    partStaysInPlace: true,
    payload: v1(
      f({ name: 'description', kind: 'string', required: true, max: 2000, description: 'What was repaired' }),
      f({ name: 'faultCode', kind: 'string', required: false, max: 100, description: 'Fault code' }),
    ),
  },
  replaced: {
    description: 'After-sales replacement: the battery named comes out (of its vehicle or pack), replacementCode goes in',
    basis: '溯源管理暂行规定 arts. 10 and 12',
    node: true,
    roles: SERVICE_ROLES,
    from: ['in_use'],
    to: 'removed',
    reporter: 'any',
    custody: 'take',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'optional', effect: 'match' },
    region: 'optional',
    special: 'replace',
    replacementFrom: ['produced', 'delivered'],
    payload: v1(
      f({
        name: 'replacementCode',
        kind: 'batteryCode',
        required: true,
        description: 'The battery that takes the place of the one replaced (same product level)',
      }),
      reason(false, 'Why it was replaced'),
    ),
  },
  swapped: {
    description: 'A battery-swap station takes the pack named out of the vehicle and puts replacementCode in',
    basis: '2026 暂行办法 (battery swap becomes a node); recorded but not a node before 2026-04-01',
    node: false,
    roles: ['swap_operator'],
    from: ['in_use'],
    to: 'swap_stock',
    reporter: 'any',
    custody: 'take',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'required', effect: 'match' },
    region: 'optional',
    levels: ['pack'],
    special: 'replace',
    replacementFrom: ['swap_stock', 'produced', 'delivered'],
    payload: v1(
      f({ name: 'replacementCode', kind: 'batteryCode', required: true, description: 'The charged pack put into the vehicle' }),
      f({ name: 'stationId', kind: 'string', required: false, max: 100, description: "The swap station's own identifier" }),
    ),
  },
  outlet_received: {
    description: 'A recycling service outlet receives a waste battery into stock (回收入库); counterpartyUscc: who handed it in',
    basis: '溯源管理暂行规定 art. 11 (30 working days)',
    node: true,
    roles: OUTLET_ROLES,
    from: ['removed', 'swap_stock', 'in_transit', 'waste'],
    to: 'at_outlet',
    reporter: 'receiver',
    custody: 'take',
    counterparty: { presence: 'optional' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(f({ name: 'outletId', kind: 'string', required: false, max: 100, description: 'The outlet (its identifier in the outlet registry)' })),
  },
  outlet_handed_over: {
    description: 'Waste batteries are handed out of stock (移交出库) to the counterparty (also a dismantler’s packs removed into its own stock)',
    basis: '溯源管理暂行规定 arts. 11, 13 and 14',
    node: true,
    roles: OUTLET_ROLES,
    from: ['at_outlet', 'removed', 'swap_stock', 'cascade_stock', 'tested', 'waste'],
    to: 'in_transit',
    reporter: 'holder',
    custody: 'handover',
    counterparty: { presence: 'required', roles: ['cascade_utiliser', 'recycler', 'vehicle_maker', 'battery_maker'] },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(f({ name: 'outletId', kind: 'string', required: false, max: 100, description: 'The outlet (its identifier in the outlet registry)' })),
  },
  vehicle_scrapped: {
    description: 'A dismantler receives the scrapped vehicle and issues the scrap certificate (报废汽车回收证明)',
    basis: '溯源管理暂行规定 art. 13 (15 working days)',
    node: true,
    roles: ['dismantler'],
    from: ['installed', 'certified', 'in_use'],
    to: 'in_scrapped_vehicle',
    reporter: 'any',
    custody: 'take',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'required', effect: 'match' },
    region: 'optional',
    levels: ['pack'],
    payload: v1(
      f({ name: 'scrapCertificateNo', kind: 'string', required: true, max: 100, description: 'Scrap-vehicle certificate number (报废汽车回收证明编号)' }),
    ),
  },
  removed: {
    description:
      'The dismantler removes the pack from the scrapped vehicle and hands it over (拆卸并移交出库) to the counterparty; without a counterparty it goes into the dismantler’s own stock (status removed) and leaves it by `outlet_handed_over`',
    basis: '溯源管理暂行规定 art. 13 (15 working days)',
    node: true,
    roles: ['dismantler'],
    from: ['in_scrapped_vehicle'],
    to: 'in_transit',
    reporter: 'holder',
    custody: 'handover',
    withoutCounterparty: { to: 'removed' },
    counterparty: { presence: 'optional' },
    vin: { presence: 'optional', effect: 'clear' },
    region: 'optional',
    payload: v1(reason(false, 'Remarks')),
  },
  cascade_received: {
    description: 'A cascade utiliser receives waste batteries into stock; counterpartyUscc: who handed them over',
    basis: '溯源管理暂行规定 art. 14; 梯次利用管理办法 art. 12',
    node: true,
    roles: ['cascade_utiliser'],
    from: ['in_transit', 'removed', 'at_outlet', 'swap_stock'],
    to: 'cascade_stock',
    reporter: 'receiver',
    custody: 'take',
    counterparty: { presence: 'optional' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(),
  },
  residual_tested: {
    description: 'The residual capacity is tested (GB/T 34015); testRecordRef names the test record',
    basis: '梯次利用管理办法 art. 10',
    node: false,
    roles: ['cascade_utiliser'],
    from: ['cascade_stock', 'tested'],
    to: 'tested',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    forms: ['original'],
    payload: v1(
      f({ name: 'testRecordRef', kind: 'string', required: true, max: 200, description: 'Reference to the residual-capacity test record' }),
      f({ name: 'sohPercent', kind: 'number', required: false, min: 0, max: 200, unit: '%', description: 'State of health (capacity), percent of rated' }),
      f({
        name: 'decision',
        kind: 'enum',
        enum: ['vehicle_reuse', 'cascade', 'recycle'],
        required: false,
        description: 'What the test decided (the grade of the residual-test record)',
      }),
    ),
  },
  cascade_assembled: {
    description: 'Tested original batteries are regrouped into a new cascade product (cascadeCode, the 19-character code); the original codes are retained',
    basis: 'GB/T 34014 clause 4.2; 梯次利用管理办法 arts. 10 and 15',
    node: false,
    roles: ['cascade_utiliser'],
    from: ['tested'],
    to: 'in_cascade_product',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    forms: ['original'],
    special: 'assemble_cascade',
    payload: v1(
      f({ name: 'cascadeCode', kind: 'batteryCode', form: 'cascade', required: true, description: 'The code of the new cascade product (19 characters)' }),
      ...ATTRIBUTES,
      f({ name: 'application', kind: 'string', required: false, max: 200, description: 'Field of use (e.g. energy storage, low-speed vehicles)' }),
    ),
  },
  cascade_shipped: {
    description: 'A cascade product leaves stock (梯次利用电池产品出库); the cascade utiliser stays responsible for it',
    basis: '溯源管理暂行规定 art. 14 (15 working days)',
    node: true,
    roles: ['cascade_utiliser'],
    from: ['cascade_stock'],
    to: 'cascade_in_use',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'optional' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    forms: ['cascade'],
    payload: v1(
      f({ name: 'customerName', kind: 'string', required: false, max: 300, description: 'The customer, when it is not an enterprise of this system' }),
    ),
  },
  cascade_scrapped: {
    description: 'A cascade product is scrapped and collected by its cascade utiliser',
    basis: '梯次利用管理办法 art. 20',
    node: true,
    roles: ['cascade_utiliser'],
    from: ['cascade_in_use', 'cascade_stock'],
    to: 'waste',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    forms: ['cascade'],
    payload: v1(reason(false, 'Why it was scrapped')),
  },
  recycler_received: {
    description: 'A recycler receives waste batteries into stock (接收入库); counterpartyUscc: who handed them over',
    basis: '溯源管理暂行规定 art. 15 (30 working days)',
    node: true,
    roles: ['recycler'],
    from: ['in_transit', 'removed', 'at_outlet', 'swap_stock', 'cascade_stock', 'tested', 'waste'],
    to: 'at_recycler',
    reporter: 'receiver',
    custody: 'take',
    counterparty: { presence: 'optional' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(),
  },
  recycled: {
    description: 'Recycling and final disposal are complete (完成再生利用及最终处理), with the material recovered',
    basis: '溯源管理暂行规定 art. 15 (30 working days)',
    node: true,
    roles: ['recycler'],
    from: ['at_recycler'],
    to: 'recycled',
    reporter: 'holder',
    custody: 'none',
    counterparty: { presence: 'forbidden' },
    vin: { presence: 'forbidden', effect: 'none' },
    region: 'optional',
    payload: v1(
      f({
        name: 'method',
        kind: 'enum',
        enum: ['hydrometallurgical', 'pyrometallurgical', 'physical', 'combined'],
        required: false,
        description: 'Recycling process',
      }),
      f({
        name: 'processedMassKg',
        kind: 'number',
        required: true,
        min: 0,
        minExclusive: true,
        max: 1_000_000,
        unit: 'kg',
        description: 'Mass of batteries processed',
      }),
      ...['Lithium', 'Nickel', 'Cobalt', 'Manganese', 'Copper', 'Aluminium', 'Iron', 'Graphite'].map((m) =>
        f({ name: `recovered${m}Kg`, kind: 'number', required: false, min: 0, max: 1_000_000, unit: 'kg', description: `${m} recovered` }),
      ),
    ),
  },
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
