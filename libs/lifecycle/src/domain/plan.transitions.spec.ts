/**
 * The state machine checked against the regulations, not against itself: a hand-written table of which status each
 * event may follow, per rule set, each row citing where it comes from (/work/shared/domain/README.md §3 for the 2018
 * traceability provisions, §6 for the 2021 cascade-utilisation measures, §10 for what is known of the 2026 measures).
 * The planner runs every event type after every status and must accept exactly the legal ones. The table is not
 * derived from event-types.ts: change a `from` list there and this fails.
 */
import type { BatteryStatus } from '#libs/batteries';
import { BATTERY_STATUSES } from '#libs/batteries';
import type { BatteryState } from './battery-state';
import type { EventType } from './event-types';
import { ruleSetFor } from './event-types';
import type { KnownEnterprise } from './plan';
import { ALL_ROLES, batteryState, codeFactory, firm, planner, VIN } from './plan.fixtures';
import { LedgerRule } from './rules';

type Transition = { legalAfter: readonly BatteryStatus[]; to: BatteryStatus; source: string };
type Table = Record<Exclude<EventType, 'produced' | 'correction'>, Transition>;

const WASTE_IN_STOCK: readonly BatteryStatus[] = ['removed', 'swap_stock', 'at_outlet', 'cascade_stock', 'tested', 'waste'];

/** 溯源管理暂行规定 (2018, §3) and 梯次利用管理办法 (2021, §6). */
const CN_2018: Table = {
  delivered: {
    legalAfter: ['produced', 'delivered'],
    to: 'delivered',
    source: '2018 provisions annex 3 (battery delivery to the vehicle maker); a delivery may be passed on before receipt',
  },
  installed: { legalAfter: ['produced', 'delivered'], to: 'installed', source: '2018 provisions art. 8 (vehicle production: the pack goes into a vehicle)' },
  vehicle_certified: { legalAfter: ['installed'], to: 'certified', source: '2018 provisions art. 8 (certificate of conformity of a produced vehicle)' },
  vehicle_imported: { legalAfter: ['installed'], to: 'certified', source: '2018 provisions art. 8 (customs clearance of an imported vehicle)' },
  vehicle_sold: { legalAfter: ['certified'], to: 'in_use', source: '2018 provisions arts. 9 and 12 (sale of a certified or cleared vehicle)' },
  repaired: { legalAfter: ['in_use'], to: 'in_use', source: '2018 provisions arts. 10 and 12 (after-sales repair of a vehicle in use)' },
  replaced: { legalAfter: ['in_use'], to: 'removed', source: '2018 provisions arts. 10 and 12 (after-sales replacement: the old battery comes out)' },
  swapped: {
    legalAfter: ['in_use'],
    to: 'swap_stock',
    source: 'recorded before 2026 but not a node (§10: swap becomes a node in 2026); only a vehicle in use is swapped',
  },
  outlet_received: {
    legalAfter: ['removed', 'swap_stock', 'in_transit', 'waste'],
    to: 'at_outlet',
    source: '2018 provisions art. 11 (waste battery received into outlet stock, 回收入库)',
  },
  outlet_handed_over: {
    legalAfter: ['at_outlet', ...WASTE_IN_STOCK.filter((s) => s !== 'at_outlet')],
    to: 'in_transit',
    source: '2018 provisions arts. 11 and 14 (waste handed out of stock, 移交出库)',
  },
  vehicle_scrapped: {
    legalAfter: ['installed', 'certified', 'in_use'],
    to: 'in_scrapped_vehicle',
    source: '2018 provisions art. 13 (scrapped vehicle received, 报废汽车回收证明)',
  },
  removed: {
    legalAfter: ['in_scrapped_vehicle'],
    to: 'in_transit',
    source: '2018 provisions art. 13 (battery removed from the scrapped vehicle and handed out, 拆卸并移交出库)',
  },
  cascade_received: {
    legalAfter: ['in_transit', 'removed', 'at_outlet', 'swap_stock'],
    to: 'cascade_stock',
    source: '2018 provisions art. 14; 2021 measures art. 12 (cascade firm receives waste batteries)',
  },
  residual_tested: {
    legalAfter: ['cascade_stock', 'tested'],
    to: 'tested',
    source: '2021 measures art. 10 (GB/T 34015 test before cascade use; a retest is allowed)',
  },
  cascade_assembled: {
    legalAfter: ['tested'],
    to: 'in_cascade_product',
    source: '2021 measures arts. 10 and 15 (only tested batteries enter a cascade product, which keeps their codes)',
  },
  cascade_shipped: { legalAfter: ['cascade_stock'], to: 'cascade_in_use', source: '2018 provisions art. 14 (cascade product leaves stock, 出库)' },
  cascade_scrapped: {
    legalAfter: ['cascade_in_use', 'cascade_stock'],
    to: 'waste',
    source: '2021 measures art. 20 (scrapped cascade products collected by their firm)',
  },
  recycler_received: {
    legalAfter: ['in_transit', ...WASTE_IN_STOCK],
    to: 'at_recycler',
    source: '2018 provisions art. 15 (recycler receives waste into stock, 接收入库); 2021 measures art. 20 (cascade scrap to recyclers)',
  },
  recycled: {
    legalAfter: ['at_recycler'],
    to: 'recycled',
    source: '2018 provisions art. 15 (recycling and final disposal completed): the end, nothing follows',
  },
};

/**
 * 新能源汽车废旧动力电池回收和综合利用管理暂行办法 (2026, §10): no change to which status an event may follow is known;
 * a swap becomes a node, and removed batteries go only to qualified firms (checked below, not a status change).
 */
const CN_2026: Table = {
  ...CN_2018,
  swapped: { legalAfter: ['in_use'], to: 'swap_stock', source: '2026 measures (§10): battery swap is a traceability node' },
};

const TABLES: [string, string, Table][] = [
  ['cn-2018', '2025-06-01T10:00:00+08:00', CN_2018],
  ['cn-2026', '2026-05-01T10:00:00+08:00', CN_2026],
];

// ---- a small harness (its own firms, codes and states; the builders are in plan.fixtures.ts) -------------

const OMNI = firm(1, ALL_ROLES);
const RECEIVER = firm(2, ALL_ROLES);
const DEALER = firm(3, ['dealer']);
const DISMANTLER = firm(4, ['dismantler']);
const FIRMS = [OMNI, RECEIVER, DEALER, DISMANTLER];

const { code, cascadeCode: cascade } = codeFactory({ productionDate: '2024-01-15', cascadeProductionDate: '2024-02-01', cascadeLevel: 'P' });
const original = () => code('P');

function state(c: string, over: Partial<BatteryState>): BatteryState {
  return batteryState(c, {
    level: 'pack',
    producerId: OMNI.id,
    holderId: OMNI.id,
    lastEventType: 'earlier',
    lastEventAt: Date.parse('2024-06-01T00:00:00+08:00'),
    ...over,
  });
}

/** The fields each type needs, so that only the status can make it fail. */
function minimalEvent(type: keyof Table, spare: string): Record<string, unknown> {
  const events: Record<keyof Table, Record<string, unknown>> = {
    delivered: { counterpartyUscc: RECEIVER.uscc },
    installed: { vin: VIN },
    vehicle_certified: { vin: VIN, payload: { certificateNo: 'C-1' } },
    vehicle_imported: { vin: VIN, payload: { customsDeclarationNo: 'D-1' } },
    vehicle_sold: { vin: VIN, regionCode: '440305' },
    repaired: { payload: { description: 'fixed' } },
    replaced: { payload: { replacementCode: spare } },
    swapped: { vin: VIN, payload: { replacementCode: spare } },
    outlet_received: {},
    outlet_handed_over: { counterpartyUscc: RECEIVER.uscc },
    vehicle_scrapped: { vin: VIN, payload: { scrapCertificateNo: 'S-1' } },
    removed: { counterpartyUscc: RECEIVER.uscc },
    cascade_received: {},
    residual_tested: { payload: { testRecordRef: 'T-1' } },
    cascade_assembled: { payload: { cascadeCode: cascade(), nominalCapacityAh: 1, nominalVoltageV: 1 } },
    cascade_shipped: {},
    cascade_scrapped: {},
    recycler_received: {},
    recycled: { payload: { processedMassKg: 1 } },
  };
  return events[type];
}

const run = planner(FIRMS, () => 'new-event');
const plan = (reporter: KnownEnterprise, raw: Record<string, unknown>, states: BatteryState[]) => run(reporter, [raw], states);

// Inside another battery, a battery follows that one's status: no event applies to the contained statuses themselves.
const STATUSES = BATTERY_STATUSES.filter((s) => s !== 'assembled' && s !== 'in_cascade_product');

describe.each(TABLES)('the %s transitions, as the regulations have them', (setId, occurredAt, table) => {
  const types = Object.keys(table) as (keyof Table)[];

  it('is the rule set in force on its date, and the table has a row, with a source, for every type but produced and correction', () => {
    expect(ruleSetFor(occurredAt.slice(0, 10)).id).toBe(setId);
    expect(types.length).toBe(19);
    for (const type of types) {
      expect(table[type].source.length).toBeGreaterThan(10);
      expect(table[type].legalAfter.length).toBeGreaterThan(0);
    }
  });

  it.each(types.flatMap((type) => STATUSES.map((status) => [type, status] as const)))('%s after %s', (type, status) => {
    const row = table[type];
    const needsCascade = type === 'cascade_shipped' || type === 'cascade_scrapped';
    const subject = needsCascade ? cascade() : original();
    const spare = original();
    const result = plan(OMNI, { type, batteryCodes: [subject], occurredAt, ...minimalEvent(type, spare) }, [
      state(subject, { status, vin: VIN }),
      state(spare, { status: 'produced' }),
    ]);
    const legal = row.legalAfter.includes(status);
    const r = result.results[0];
    expect({ status: r.status, rules: (r.reasons ?? []).map((d) => (d as { rule?: string }).rule) }).toEqual(
      legal ? { status: 'accepted', rules: [] } : { status: 'rejected', rules: [LedgerRule.STATE_TRANSITION] },
    );
    if (legal) expect(result.batteriesToUpdate.find((s) => s.code === subject)?.status).toBe(row.to);
  });
});

describe.each(TABLES)('%s: a dismantler books a removed pack into its own stock and hands it over later (issue 19)', (_setId, occurredAt) => {
  it('removed without a counterparty: status removed, still the dismantler’s, no hand-over pending; then outlet_handed_over and the receipt', () => {
    const pack = original();
    const s = state(pack, { status: 'in_scrapped_vehicle', holderId: DISMANTLER.id, vin: VIN });
    const later = (h: number) => new Date(Date.parse(occurredAt) + h * 3_600_000).toISOString();
    const booked = plan(DISMANTLER, { type: 'removed', batteryCodes: [pack], occurredAt }, [s]);
    expect(booked.results[0]).toMatchObject({ status: 'accepted' });
    expect(s).toMatchObject({ status: 'removed', holderId: DISMANTLER.id, pendingTo: null, vin: null });
    const handed = plan(DISMANTLER, { type: 'outlet_handed_over', batteryCodes: [pack], occurredAt: later(1), counterpartyUscc: RECEIVER.uscc }, [s]);
    expect(handed.results[0]).toMatchObject({ status: 'accepted' });
    expect(s).toMatchObject({ status: 'in_transit', holderId: DISMANTLER.id, pendingTo: RECEIVER.id });
    const received = plan(RECEIVER, { type: 'recycler_received', batteryCodes: [pack], occurredAt: later(2) }, [s]);
    expect(received.results[0]).toMatchObject({ status: 'accepted' });
    expect(s).toMatchObject({ status: 'at_recycler', holderId: RECEIVER.id, pendingTo: null });
  });
});

describe('what the 2026 measures change beyond statuses', () => {
  it('a dismantler hands a removed battery to a dealer under the 2018 provisions, but only to a qualified firm from 2026-04-01 (§10, hand-over)', () => {
    const at = (occurredAt: string) => {
      const pack = original();
      const event = { type: 'removed', batteryCodes: [pack], occurredAt, counterpartyUscc: DEALER.uscc };
      return plan(DISMANTLER, event, [state(pack, { status: 'in_scrapped_vehicle', holderId: DISMANTLER.id, vin: VIN })]).results[0];
    };
    expect(at('2025-06-01T10:00:00+08:00').status).toBe('accepted');
    const refused = at('2026-05-01T10:00:00+08:00');
    expect(refused.status).toBe('rejected');
    expect(refused.reasons).toEqual([expect.objectContaining({ rule: LedgerRule.COUNTERPARTY_ROLE, path: 'events[0].counterpartyUscc' })]);
  });
});
