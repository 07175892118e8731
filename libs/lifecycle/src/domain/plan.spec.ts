import type { BatteryStatus } from '#libs/batteries';
import { BATTERY_STATUSES } from '#libs/batteries';
import type { BatteryState } from './battery-state';
import { effectiveOf } from './battery-state';
import { GENESIS_HASH, linkHash } from './canonical';
import type { EventType } from './event-types';
import { EVENT_TYPES, ruleSetFor } from './event-types';
import { concealUnseen, knownFromBatch, revealedCodes } from './conceal';
import type { CodeFindings } from './plan';
import { keepsPartInPlace, resolveCandidates } from './plan';
import { batteryState, codeFactory, DEALER, FIRMS, firm, MAKER, NOW, OMNI, OTHER, planner, reasons, RECYCLER, T, VIN, VM } from './plan.fixtures';
import { prevalidate } from './prevalidate';
import { LedgerRule } from './rules';

const { code, cascadeCode } = codeFactory({ productionDate: '2026-01-15', cascadeProductionDate: '2026-02-01', cascadeLevel: 'M' });
const state = (c: string, over: Partial<BatteryState> = {}) => batteryState(c, { producerId: MAKER.id, holderId: MAKER.id, ...over });
const run = planner(FIRMS);

describe('state machine: which event may follow which status (every type × every status)', () => {
  const spare = code('P');
  const minimal: Record<Exclude<EventType, 'produced' | 'correction'>, Record<string, unknown>> = {
    delivered: { counterpartyUscc: OTHER.uscc },
    installed: { vin: VIN },
    vehicle_certified: { vin: VIN, payload: { certificateNo: 'C-1' } },
    vehicle_imported: { vin: VIN, payload: { customsDeclarationNo: 'D-1' } },
    vehicle_sold: { vin: VIN, regionCode: '440305' },
    repaired: { payload: { description: 'fixed' } },
    replaced: { payload: { replacementCode: spare } },
    swapped: { vin: VIN, payload: { replacementCode: spare } },
    outlet_received: {},
    outlet_handed_over: { counterpartyUscc: OTHER.uscc },
    vehicle_scrapped: { vin: VIN, payload: { scrapCertificateNo: 'S-1' } },
    removed: { counterpartyUscc: OTHER.uscc },
    cascade_received: {},
    residual_tested: { payload: { testRecordRef: 'T-1' } },
    cascade_assembled: { payload: { cascadeCode: 'NEW', nominalCapacityAh: 1, nominalVoltageV: 1 } },
    cascade_shipped: {},
    cascade_scrapped: {},
    recycler_received: {},
    recycled: { payload: { processedMassKg: 1 } },
  };
  const statuses = BATTERY_STATUSES.filter((s) => s !== 'assembled' && s !== 'in_cascade_product');
  const set = ruleSetFor('2026-05-01');
  const cases = (Object.keys(minimal) as (keyof typeof minimal)[]).flatMap((type) => statuses.map((status) => [type, status] as const));

  it.each(cases)('%s after status %s', (type, status) => {
    const rules = set.types[type];
    const subject = rules.forms?.includes('cascade') ? cascadeCode() : code('P');
    const extra = { ...minimal[type] } as Record<string, unknown>;
    if (type === 'cascade_assembled') extra.payload = { ...(extra.payload as object), cascadeCode: cascadeCode() };
    const plan = run(
      OMNI,
      [{ type, batteryCodes: [subject], occurredAt: '2026-05-01T10:00:00+08:00', ...extra }],
      [state(subject, { status: status as BatteryStatus, holderId: OMNI.id, vin: VIN }), state(spare, { status: 'produced', holderId: OMNI.id })],
    );
    const allowed = rules.from.includes(status as BatteryStatus);
    expect(plan.results[0].status).toBe(allowed ? 'accepted' : 'rejected');
    if (!allowed) {
      expect(reasons(plan)).toEqual([expect.objectContaining({ rule: LedgerRule.STATE_TRANSITION, path: 'events[0].batteryCodes[0]' })]);
    } else if (rules.to) {
      expect(plan.batteriesToUpdate.find((s) => s.code === subject)?.status).toBe(rules.to);
    }
  });

  it('covers every event type in the state-machine matrix', () => {
    expect(EVENT_TYPES.length).toBe(21);
    // Each type is in the matrix, with every status, except the two the matrix cannot run (tested below).
    const matrix = new Set(cases.map(([type]) => type as string));
    const outside = EVENT_TYPES.filter((type) => !matrix.has(type));
    expect(outside).toEqual(['produced', 'correction']);
    for (const type of matrix) expect(cases.filter(([t]) => t === type).map(([, s]) => s)).toEqual(statuses);
  });

  it('names the rule, the battery, its status, its last event and what may follow', () => {
    const pack = code('P');
    const plan = run(
      RECYCLER,
      [{ type: 'recycled', batteryCodes: [pack], occurredAt: T(5), payload: { processedMassKg: 300 } }],
      [state(pack, { status: 'at_outlet', lastEventType: 'outlet_received', holderId: RECYCLER.id })],
    );
    expect(reasons(plan)).toEqual([
      {
        path: 'events[0].batteryCodes[0]',
        rule: LedgerRule.STATE_TRANSITION,
        reason: `'recycled' is not allowed after 'outlet_received' (battery ${pack}, status 'at_outlet'); allowed next: outlet_handed_over, cascade_received, recycler_received`,
        batteryCode: pack,
        status: 'at_outlet',
        lastEventType: 'outlet_received',
      },
    ]);
  });

  it('allows nothing after recycled but a correction', () => {
    const pack = code('P');
    const recycled = state(pack, { status: 'recycled', lastEventType: 'recycled', holderId: RECYCLER.id });
    const plan = run(RECYCLER, [{ type: 'recycler_received', batteryCodes: [pack], occurredAt: T(5) }], [recycled]);
    expect(reasons(plan)[0].reason).toMatch(/allowed next: none \(only corrections\)$/);
    const corrected = run(
      RECYCLER,
      [{ type: 'correction', batteryCodes: [pack], occurredAt: T(6), correctionOf: '00000000-0000-4000-8000-0000000000aa', payload: { reason: 'wrong mass' } }],
      [{ ...recycled }],
      {
        corrections: new Map([
          [
            '00000000-0000-4000-8000-0000000000aa',
            { id: '00000000-0000-4000-8000-0000000000aa', reporterEnterpriseId: RECYCLER.id, type: 'recycled', affectedCodes: [pack] },
          ],
        ]),
      },
    );
    expect(corrected.results[0].status).toBe('accepted');
    expect(corrected.batteriesToUpdate[0]).toMatchObject({ status: 'recycled', chainSeq: 2 });
  });
});

describe('custody and roles', () => {
  it('a hand-over names the receiver; the holder stays responsible until the receiver reports, which completes it', () => {
    const pack = code('P');
    const s = state(pack);
    const delivered = run(MAKER, [{ type: 'delivered', batteryCodes: [pack], occurredAt: T(1), counterpartyUscc: VM.uscc }], [s]);
    expect(delivered.results[0].status).toBe('accepted');
    expect(s).toMatchObject({ status: 'delivered', holderId: MAKER.id, pendingTo: VM.id });
    expect(delivered.parties).toEqual([]);

    const stranger = run(OTHER, [{ type: 'installed', batteryCodes: [pack], occurredAt: T(2), vin: VIN }], [{ ...s }]);
    expect(reasons(stranger)).toEqual([
      expect.objectContaining({
        rule: LedgerRule.CUSTODY,
        reason: `battery ${pack} is held by firm 1 (${MAKER.uscc}), hand-over pending to firm 2 (${VM.uscc}): only its holder or the receiver of a pending hand-over may report 'installed'`,
      }),
    ]);

    const installed = run(VM, [{ type: 'installed', batteryCodes: [pack], occurredAt: T(2), vin: VIN }], [s]);
    expect(installed.results[0].status).toBe('accepted');
    expect(s).toMatchObject({ status: 'installed', holderId: VM.id, pendingTo: null, vin: VIN });
    expect(installed.parties).toEqual([expect.objectContaining({ batteryCode: pack, enterpriseId: VM.id })]);
  });

  it('vehicle-side events come from any firm of the role; the vehicle maker stays the holder', () => {
    const pack = code('P');
    const s = state(pack, { status: 'certified', holderId: VM.id, vin: VIN });
    const plan = run(DEALER, [{ type: 'vehicle_sold', batteryCodes: [pack], occurredAt: T(3), vin: VIN, regionCode: '440305' }], [s]);
    expect(plan.results[0].status).toBe('accepted');
    expect(s).toMatchObject({ status: 'in_use', holderId: VM.id, regionKeys: ['44', '4403', '440305'] });
    expect(plan.parties).toEqual([expect.objectContaining({ enterpriseId: DEALER.id })]);
  });

  it('rejects a reporter without the role, a counterparty of the wrong kind, and a hand-over to oneself', () => {
    const pack = code('P');
    const role = run(VM, [{ type: 'produced', batteryCodes: [pack], occurredAt: T(0), payload: { nominalCapacityAh: 1, nominalVoltageV: 1 } }], []);
    expect(reasons(role)).toEqual([
      expect.objectContaining({
        path: 'events[0].type',
        rule: LedgerRule.ROLE,
        reason: "'produced' is reported by battery_maker, importer; you are registered as vehicle_maker",
      }),
    ]);
    const cp = run(MAKER, [{ type: 'delivered', batteryCodes: [pack], occurredAt: T(1), counterpartyUscc: RECYCLER.uscc }], [state(pack)]);
    expect(reasons(cp)).toEqual([expect.objectContaining({ path: 'events[0].counterpartyUscc', rule: LedgerRule.COUNTERPARTY_ROLE })]);
    const self = run(MAKER, [{ type: 'delivered', batteryCodes: [pack], occurredAt: T(1), counterpartyUscc: MAKER.uscc }], [state(pack)]);
    expect(reasons(self).map((r) => r.rule)).toContain(LedgerRule.COUNTERPARTY_ROLE);
  });

  it('rejects an unknown counterparty before anything else', () => {
    const pack = code('P');
    const pre = [prevalidate({ type: 'delivered', batteryCodes: [pack], occurredAt: T(1), counterpartyUscc: '91350100M000100Y43' }, 0, 'events[0]', NOW)];
    const [r] = resolveCandidates(pre, MAKER, new Map());
    expect(r).toMatchObject({ ok: false, reasons: [{ rule: LedgerRule.UNKNOWN_COUNTERPARTY, path: 'events[0].counterpartyUscc' }] });
  });

  it('checks the vehicle and the order of business times', () => {
    const pack = code('P');
    const s = state(pack, { status: 'installed', holderId: VM.id, vin: VIN, lastEventAt: Date.parse(T(5)), lastEventType: 'installed' });
    const other = 'LFV2A21KXG4010001';
    const plan = run(VM, [{ type: 'vehicle_certified', batteryCodes: [pack], occurredAt: T(4), vin: other, payload: { certificateNo: 'C' } }], [s]);
    expect(reasons(plan).map((r) => [r.rule, r.reason])).toEqual([
      [LedgerRule.VIN_MISMATCH, `battery ${pack} is in vehicle ${VIN}, not in ${other}`],
      [LedgerRule.EVENT_ORDER, `${new Date(T(4)).toISOString()} is before the last event of battery ${pack} ('installed' at ${new Date(T(5)).toISOString()})`],
    ]);
  });

  it('rejects an unregistered battery', () => {
    const pack = code('P');
    const plan = run(MAKER, [{ type: 'delivered', batteryCodes: [pack], occurredAt: T(1), counterpartyUscc: VM.uscc }], []);
    expect(reasons(plan)).toEqual([
      expect.objectContaining({
        rule: LedgerRule.UNKNOWN_BATTERY,
        reason: expect.stringMatching(new RegExp(`^battery ${pack} is not registered, or not visible to you`)),
      }),
    ]);
  });
});

describe('registration, composition and the batch', () => {
  const attrs = { nominalCapacityAh: 150, nominalVoltageV: 350 };

  it('sees earlier events of the same batch: a pack goes produced → installed → certified → sold in one request', () => {
    const both = firm(7, ['battery_maker', 'vehicle_maker']);
    const pack = code('P');
    const module = code('M');
    const plan = run(
      both,
      [
        { type: 'produced', batteryCodes: [pack], occurredAt: T(0), payload: attrs },
        { type: 'produced', batteryCodes: [module], occurredAt: T(0), payload: { ...attrs, parentCode: pack } },
        { type: 'installed', batteryCodes: [pack], occurredAt: T(1), vin: VIN },
        { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: T(2), vin: VIN, payload: { certificateNo: 'C' } },
        { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: T(3), vin: VIN, regionCode: '350102' },
      ],
      [],
    );
    expect(plan.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(plan.status).toBe('ACCEPTED');
    const packState = plan.batteriesToInsert.find((s) => s.code === pack)!;
    expect(packState).toMatchObject({ status: 'in_use', holderId: both.id, vin: VIN, chainSeq: 4, isNew: true });
    expect(plan.batteriesToInsert.find((s) => s.code === module)).toMatchObject({ status: 'assembled', parentCode: pack, holderId: null, chainSeq: 1 });
    expect(plan.componentStarts).toEqual([expect.objectContaining({ parentCode: pack, childCode: module, endedAt: null })]);
    // The chain of the pack: each link continues the previous one.
    const packLinks = plan.links.filter((l) => l.batteryCode === pack);
    expect(packLinks.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(packLinks[0].prevHash.equals(GENESIS_HASH)).toBe(true);
    for (let i = 1; i < packLinks.length; i++) expect(packLinks[i].prevHash.equals(packLinks[i - 1].linkHash)).toBe(true);
    const first = plan.events.find((e) => e.id === packLinks[0].eventId)!;
    expect(packLinks[0].linkHash.equals(linkHash(GENESIS_HASH, first.contentHash, pack, 1))).toBe(true);
  });

  it('re-registering the identical battery is a duplicate of its produced event; a different registration is rejected', () => {
    const pack = code('P');
    const existing = () => state(pack, { producedEventId: 'the-original', lastEventId: 'the-original' });
    const same = run(MAKER, [{ type: 'produced', batteryCodes: [pack], occurredAt: T(9), payload: attrs }], [existing()]);
    expect(same.results[0]).toMatchObject({ status: 'duplicate', eventId: 'the-original', duplicateOf: 'registration' });
    const differs = run(MAKER, [{ type: 'produced', batteryCodes: [pack], occurredAt: T(9), payload: { ...attrs, nominalCapacityAh: 151 } }], [existing()]);
    expect(reasons(differs)).toEqual([
      expect.objectContaining({
        rule: LedgerRule.ALREADY_REGISTERED,
        reason: `battery ${pack} is already registered (event the-original) with nominalCapacityAh 150, not 151`,
      }),
    ]);
    const otherMaker = firm(8, ['battery_maker']);
    const byOther = run(otherMaker, [{ type: 'produced', batteryCodes: [pack], occurredAt: T(9), payload: attrs }], [existing()]);
    expect(reasons(byOther)).toEqual([
      expect.objectContaining({ rule: LedgerRule.ALREADY_REGISTERED, reason: `battery ${pack} is already registered by another enterprise` }),
    ]);
    // Twice in one batch with other attributes: the first registration's id is no event the client could look up.
    const fresh = code('P');
    const twice = run(
      MAKER,
      [
        { type: 'produced', batteryCodes: [fresh], occurredAt: T(9), payload: attrs },
        { type: 'produced', batteryCodes: [fresh], occurredAt: T(9), payload: { ...attrs, nominalCapacityAh: 151 } },
      ],
      [],
      { mode: 'atomic' },
    );
    expect(reasons(twice, 1)).toEqual([
      expect.objectContaining({
        rule: LedgerRule.ALREADY_REGISTERED,
        reason: `battery ${fresh} is already registered earlier in this batch with nominalCapacityAh 150, not 151`,
      }),
    ]);
  });

  it('builds parts only into a higher level that is in the reporter’s stock', () => {
    const pack = code('P');
    const cell = code('C');
    const module = code('M');
    const intoCell = run(MAKER, [{ type: 'produced', batteryCodes: [module], occurredAt: T(1), payload: { ...attrs, parentCode: cell } }], [state(cell)]);
    expect(reasons(intoCell)).toEqual([
      expect.objectContaining({
        rule: LedgerRule.COMPOSITION,
        reason: `a module cannot be built into a cell (${cell}): cells go into modules or packs, modules into packs`,
      }),
    ]);
    const delivered = run(
      MAKER,
      [{ type: 'produced', batteryCodes: [module], occurredAt: T(1), payload: { ...attrs, parentCode: pack } }],
      [state(pack, { status: 'delivered', pendingTo: VM.id })],
    );
    expect(reasons(delivered)[0]).toMatchObject({ rule: LedgerRule.COMPOSITION, reason: expect.stringContaining('must be in your stock as produced') });
    const missing = run(MAKER, [{ type: 'produced', batteryCodes: [module], occurredAt: T(1), payload: { ...attrs, parentCode: pack } }], []);
    expect(reasons(missing)[0]).toMatchObject({ rule: LedgerRule.UNKNOWN_BATTERY, path: 'events[0].payload.parentCode' });
  });

  it('reports the code registry’s errors as rejections and its warnings with the accepted event', () => {
    const pack = code('P');
    const findings = new Map<string, CodeFindings>([
      [pack, { errors: [], warnings: [{ path: 'code', reason: 'no coding rule filed', code: 'SPECIFICATION_CODE_UNFILED' }] }],
    ]);
    const warned = run(MAKER, [{ type: 'produced', batteryCodes: [pack], occurredAt: T(0), payload: attrs }], [], { codeFindings: findings });
    expect(warned.results[0]).toMatchObject({ status: 'accepted', warnings: [{ path: 'events[0].batteryCodes[0]', reason: 'no coding rule filed' }] });
    const pack2 = code('P');
    const refused = run(MAKER, [{ type: 'produced', batteryCodes: [pack2], occurredAt: T(0), payload: attrs }], [], {
      codeFindings: new Map([[pack2, { errors: [{ path: 'code', reason: 'manufacturer code 001 is assigned to another enterprise' }], warnings: [] }]]),
    });
    expect(reasons(refused)).toEqual([expect.objectContaining({ rule: LedgerRule.CODE_REGISTRATION, path: 'events[0].batteryCodes[0]' })]);
  });

  it('a part inside a pack follows the pack; replacing it takes it out and puts the spare in its place', () => {
    const pack = code('P');
    const module = code('M');
    const spare = code('M');
    const repairer = firm(9, ['repairer']);
    const states = [
      state(pack, { status: 'in_use', holderId: VM.id, vin: VIN }),
      state(module, { status: 'assembled', holderId: null, parentCode: pack }),
      state(spare, { status: 'delivered', holderId: MAKER.id, pendingTo: repairer.id }),
    ];
    const plan = run(
      repairer,
      [{ type: 'replaced', batteryCodes: [module], occurredAt: T(3), vin: VIN, payload: { replacementCode: spare, reason: 'cell imbalance' } }],
      states,
    );
    expect(plan.results[0].status).toBe('accepted');
    const [p, m, sp] = states;
    expect(m).toMatchObject({ status: 'removed', holderId: repairer.id, parentCode: null, vin: null });
    expect(sp).toMatchObject({ status: 'assembled', holderId: null, parentCode: pack, pendingTo: null });
    expect(p).toMatchObject({ status: 'in_use', changed: false });
    expect(plan.componentEnds).toEqual([{ parentCode: pack, childCode: module, endedAt: Date.parse(T(3)), endEventId: plan.results[0].eventId }]);
    expect(plan.componentStarts).toEqual([expect.objectContaining({ parentCode: pack, childCode: spare })]);
    expect(plan.links.map((l) => l.batteryCode)).toEqual([module, spare]);
  });

  it('a repair of a part inside the pack leaves it in the pack; the pack itself is not touched', () => {
    const pack = code('P');
    const module = code('M');
    const repairer = firm(9, ['repairer']);
    const states = [state(pack, { status: 'in_use', holderId: VM.id, vin: VIN }), state(module, { status: 'assembled', holderId: null, parentCode: pack })];
    const plan = run(
      repairer,
      [{ type: 'repaired', batteryCodes: [module], occurredAt: T(3), vin: VIN, payload: { description: 'balancing board replaced' } }],
      states,
    );
    expect(plan.results[0].status).toBe('accepted');
    const [p, m] = states;
    expect(m).toMatchObject({ status: 'assembled', holderId: null, parentCode: pack, vin: null, lastEventType: 'repaired', changed: true });
    expect(p).toMatchObject({ status: 'in_use', holderId: VM.id, vin: VIN, changed: false });
    expect(plan.componentEnds).toEqual([]);
    expect(plan.links.map((l) => l.batteryCode)).toEqual([module]);
    // Still inside: it follows the pack when the vehicle is scrapped.
    const dismantler = firm(11, ['dismantler']);
    const scrapped = run(
      dismantler,
      [{ type: 'vehicle_scrapped', batteryCodes: [pack], occurredAt: T(4), vin: VIN, payload: { scrapCertificateNo: 'SC-1' } }],
      states,
    );
    expect(scrapped.results[0].status).toBe('accepted');
    expect(effectiveOf(m, new Map(states.map((x) => [x.code, x])))).toMatchObject({ status: 'in_scrapped_vehicle' });
  });

  it('keeps a part in place only for a repair, which changes neither status, custody nor vehicle, in both rule sets', () => {
    for (const date of ['2025-05-01', '2026-05-01']) {
      const rs = ruleSetFor(date);
      expect(EVENT_TYPES.filter((type) => keepsPartInPlace(rs.types[type]))).toEqual(['repaired']);
      expect(rs.types.repaired).toMatchObject({ custody: 'none', from: ['in_use'], to: 'in_use', vin: { effect: 'match' } });
    }
  });

  it('regroups tested originals into a new cascade product that keeps them', () => {
    const cascade = firm(10, ['cascade_utiliser']);
    const [m1, m2] = [code('M'), code('M')];
    const product = cascadeCode();
    const states = [m1, m2].map((c) => state(c, { status: 'tested', holderId: cascade.id, lastEventType: 'residual_tested' }));
    const plan = run(
      cascade,
      [{ type: 'cascade_assembled', batteryCodes: [m1, m2], occurredAt: T(4), payload: { cascadeCode: product, nominalCapacityAh: 100, nominalVoltageV: 48 } }],
      states,
    );
    expect(plan.results[0].status).toBe('accepted');
    expect(plan.batteriesToInsert).toEqual([
      expect.objectContaining({ code: product, form: 'cascade', status: 'cascade_stock', holderId: cascade.id, producerId: cascade.id, nominalVoltageV: 48 }),
    ]);
    expect(states[0]).toMatchObject({ status: 'in_cascade_product', parentCode: product, holderId: null });
    expect(plan.origins.map((o) => [o.cascadeCode, o.originalCode])).toEqual(
      [
        [product, m1],
        [product, m2],
      ].sort(),
    );
    const again = run(cascade, [{ type: 'cascade_received', batteryCodes: [m1], occurredAt: T(5) }], [...states, plan.batteriesToInsert[0]]);
    expect(reasons(again)[0]).toMatchObject({
      rule: LedgerRule.STATE_TRANSITION,
      reason: expect.stringContaining(`inside ${product}, status 'cascade_stock'`),
    });
  });
});

describe('duplicates, corrections and modes', () => {
  const pack = () => code('P');

  it('answers a repeated client event id with the original event, and refuses one reused for different content', () => {
    const p = pack();
    const event = { type: 'delivered', batteryCodes: [p], occurredAt: T(1), counterpartyUscc: VM.uscc, clientEventId: 'erp-1' };
    const first = run(MAKER, [event], [state(p)]);
    const hashKey = first.events[0].contentHash.toString('hex');
    const prior = new Map([['erp-1', { id: 'original', hashKey }]]);
    expect(run(MAKER, [event], [state(p)], { priorByClientId: prior }).results[0]).toMatchObject({
      status: 'duplicate',
      eventId: 'original',
      duplicateOf: 'clientEventId',
    });
    const changed = run(MAKER, [{ ...event, occurredAt: T(2) }], [state(p)], { priorByClientId: prior });
    expect(reasons(changed)).toEqual([expect.objectContaining({ rule: LedgerRule.CLIENT_EVENT_ID_REUSED, path: 'events[0].clientEventId' })]);
  });

  it('answers identical content without a client id with the original event, in the database or earlier in the batch', () => {
    const p = pack();
    const event = { type: 'delivered', batteryCodes: [p], occurredAt: T(1), counterpartyUscc: VM.uscc };
    const batch = run(MAKER, [event, event], [state(p)]);
    expect(batch.results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
    expect(batch.results[1]).toMatchObject({ eventId: batch.results[0].eventId, duplicateOf: 'contentHash' });
    expect(batch.counts).toEqual({ total: 2, accepted: 1, duplicate: 1, rejected: 0 });
    const hash = batch.events[0].contentHash.toString('hex');
    const again = run(MAKER, [event], [state(p)], { priorByHash: new Map([[hash, 'stored']]) });
    expect(again.results[0]).toMatchObject({ status: 'duplicate', eventId: 'stored' });
    expect(again.events).toEqual([]);
  });

  it('partial mode records the valid events; atomic mode records nothing when one is rejected', () => {
    const [a, b] = [pack(), pack()];
    const events = [
      { type: 'delivered', batteryCodes: [a], occurredAt: T(1), counterpartyUscc: VM.uscc },
      { type: 'delivered', batteryCodes: [b], occurredAt: T(1), counterpartyUscc: RECYCLER.uscc },
    ];
    const partial = run(MAKER, events, [state(a), state(b)]);
    expect(partial.status).toBe('PARTIALLY_ACCEPTED');
    expect(partial.events).toHaveLength(1);
    expect(partial.batteriesToUpdate.map((s) => s.code)).toEqual([a]);
    const atomic = run(MAKER, events, [state(a), state(b)], { mode: 'atomic' });
    expect(atomic.status).toBe('REJECTED');
    expect(atomic.counts).toEqual({ total: 2, accepted: 0, duplicate: 0, rejected: 2 });
    expect(atomic.results[0].reasons).toEqual([expect.objectContaining({ rule: LedgerRule.ATOMIC, path: 'events[0]' })]);
    expect(atomic.events).toEqual([]);
    expect(atomic.batteriesToUpdate).toEqual([]);
    const none = run(MAKER, [events[1]], [state(b)]);
    expect(none.status).toBe('REJECTED');
  });

  it('corrects only the reporter’s own events, about their batteries, and changes no state', () => {
    const p = pack();
    const target = { id: '00000000-0000-4000-8000-0000000000bb', reporterEnterpriseId: MAKER.id, type: 'delivered', affectedCodes: [p] };
    const correction = {
      type: 'correction',
      batteryCodes: [p],
      occurredAt: T(5),
      correctionOf: target.id,
      payload: { reason: 'wrong delivery note', field: 'payload.deliveryNoteNo', correctValue: 'DN-2' },
    };
    const s = state(p, { status: 'delivered', pendingTo: VM.id });
    const ok = run(MAKER, [correction], [s], { corrections: new Map([[target.id, target]]) });
    expect(ok.results[0].status).toBe('accepted');
    expect(s).toMatchObject({ status: 'delivered', pendingTo: VM.id, chainSeq: 2, lastEventType: 'produced' });
    const notMine = run(VM, [correction], [state(p)], { corrections: new Map([[target.id, target]]) });
    expect(reasons(notMine)).toEqual([
      expect.objectContaining({ rule: LedgerRule.CORRECTION_TARGET, reason: `you reported no event ${target.id}: an enterprise corrects only its own events` }),
    ]);
    const q = pack();
    const wrongBattery = run(MAKER, [{ ...correction, batteryCodes: [q] }], [state(q)], { corrections: new Map([[target.id, target]]) });
    expect(reasons(wrongBattery)[0]).toMatchObject({ rule: LedgerRule.CORRECTION_TARGET, reason: expect.stringContaining(`is not about battery ${q}`) });
  });
});

describe('what rejections tell about batteries the reporter may not see', () => {
  const stranger = firm(12, ['vehicle_maker', 'dealer']);

  it('marks the reasons that tell about a registered battery, and rewrites them as an unregistered one’s', () => {
    const pack = code('P');
    const states = [state(pack, { status: 'installed', holderId: VM.id, vin: VIN })];
    const event = { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: T(0), vin: 'LGXCE4CB6N0000002', payload: { certificateNo: 'X' } };
    const plan = run(stranger, [event], states);
    expect(revealedCodes(plan.results)).toEqual(new Set([pack]));
    // Before: the holder and the vehicle both tell about the battery.
    expect(
      reasons(plan)
        .map((d) => d.rule)
        .sort(),
    ).toEqual([LedgerRule.CUSTODY, LedgerRule.VIN_MISMATCH]);
    const unregistered = code('P');
    const missing = run(stranger, [{ ...event, batteryCodes: [unregistered] }], []);
    concealUnseen(plan.results, new Set([pack]));
    expect(reasons(plan)).toEqual([{ path: 'events[0].batteryCodes[0]', rule: LedgerRule.UNKNOWN_BATTERY, reason: expect.stringContaining(pack) }]);
    expect(JSON.stringify(reasons(plan)).replaceAll(pack, 'X')).toBe(JSON.stringify(reasons(missing)).replaceAll(unregistered, 'X'));
  });

  it('leaves reasons about batteries the reporter may see, and those of a firm with the vehicle in hand', () => {
    const pack = code('P');
    const other = code('P');
    const states = [
      state(pack, { status: 'installed', holderId: VM.id, vin: VIN }),
      state(other, { status: 'installed', holderId: VM.id, vin: 'LGXCE4CB6N0000002' }),
    ];
    const plan = run(
      stranger,
      [
        { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: T(3), vin: VIN, payload: { certificateNo: 'X' } },
        // 'vehicle_sold' is reported by any dealer: naming the vehicle the pack is in shows it has the vehicle.
        { type: 'vehicle_sold', batteryCodes: [other], occurredAt: T(3), vin: 'LGXCE4CB6N0000002', regionCode: '440305' },
      ],
      states,
    );
    expect(reasons(plan, 1)).toEqual([expect.objectContaining({ rule: LedgerRule.STATE_TRANSITION })]);
    expect(revealedCodes(plan.results)).toEqual(new Set([pack]));
    concealUnseen(plan.results, new Set());
    expect(reasons(plan, 0)).toEqual([expect.objectContaining({ rule: LedgerRule.CUSTODY, reason: expect.stringContaining(VM.uscc) })]);
  });

  it('lets a firm that does not hold the battery report an any-firm event only when it names the vehicle', () => {
    const pack = code('P');
    const spare = code('P');
    const repairer = firm(13, ['repairer']);
    const states = () => [
      state(pack, { status: 'in_use', holderId: VM.id, vin: VIN }),
      state(spare, { status: 'delivered', holderId: MAKER.id, pendingTo: repairer.id }),
    ];
    const event = { type: 'replaced', batteryCodes: [pack], occurredAt: T(3), payload: { replacementCode: spare } };
    const without = run(repairer, [event], states());
    expect(reasons(without)).toEqual([expect.objectContaining({ path: 'events[0].vin', rule: LedgerRule.CUSTODY })]);
    expect(revealedCodes(without.results)).toEqual(new Set([pack]));
    expect(run(repairer, [{ ...event, vin: VIN }], states()).results[0].status).toBe('accepted');
    // The holder itself need not name it.
    const byHolder = run(
      firm(2, ['vehicle_maker', 'repairer']),
      [{ type: 'repaired', batteryCodes: [pack], occurredAt: T(3), payload: { description: 'x' } }],
      states(),
    );
    expect(byHolder.results[0].status).toBe('accepted');
  });

  it('knows from the batch who produced, holds or is receiving a battery, or became a party to it', () => {
    const pack = code('P');
    const module = code('M');
    const states = new Map([
      [pack, state(pack, { status: 'delivered', holderId: MAKER.id, pendingTo: VM.id })],
      [module, state(module, { status: 'assembled', holderId: null, parentCode: pack })],
    ]);
    expect(knownFromBatch(MAKER.id, module, states, [])).toBe(true);
    expect(knownFromBatch(VM.id, module, states, [])).toBe(true);
    expect(knownFromBatch(stranger.id, module, states, [])).toBe(false);
    expect(knownFromBatch(stranger.id, module, states, [{ batteryCode: module, enterpriseId: stranger.id, eventId: 'e', at: 0 }])).toBe(true);
    expect(knownFromBatch(stranger.id, 'not-loaded', states, [])).toBe(false);
  });
});
