import type { DeadlineAssessor, DeadlineInput } from '#libs/lifecycle';
import { DEADLINE_ASSESSOR } from '#libs/lifecycle';
import type { TestApp } from './support/test-app';
import { startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import {
  accept,
  at,
  attrs,
  claimAndConfirm,
  createFirm,
  moduleAttrs,
  originalCode,
  postEvents,
  producePack as registerPack,
  reject,
  vin,
} from './support/ledger-world';

/**
 * What the ledger tells the deadline hook about each recorded event: the rule set it was checked under (chosen by
 * its business date) and whether that set makes its type a node. The only way to see that `swapped` is a node
 * from 2026-04-01 on and not before: the rest of its rules are the same in both sets. The stored rule_set is the
 * ledger's own, so the database shows it too.
 */
const assessed = new Map<string, Pick<DeadlineInput, 'type' | 'ledgerRuleSet' | 'node'>>();
const recorder: DeadlineAssessor = {
  assess: (events) =>
    events.map((e) => {
      assessed.set(e.eventId, { type: e.type, ledgerRuleSet: e.ledgerRuleSet, node: e.node });
      return { ruleSet: e.ledgerRuleSet, dueAt: null, onTime: null };
    }),
};

describe('import, replacement, swap and recycling-outlet nodes (POST /v1/events, real PostgreSQL)', () => {
  let t: TestApp;
  let maker: Firm;
  let vm: Firm;
  let importer: Firm;
  let repairer: Firm;
  let swapper: Firm;
  let outlet: Firm;
  let cascade: Firm;
  let recycler: Firm;
  let serial = 0;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp({}, { replace: [{ provide: DEADLINE_ASSESSOR, useValue: recorder }] });
    maker = await createFirm(t, '宁德电池', ['battery_maker'], '350102', ['001']);
    vm = await createFirm(t, '福州汽车', ['vehicle_maker']);
    importer = await createFirm(t, '进口车商', ['importer'], '350102', ['IM1']);
    repairer = await createFirm(t, '维修厂', ['repairer']);
    swapper = await createFirm(t, '换电站', ['swap_operator']);
    // Outlets are run by vehicle makers or the firms they entrust (here a dealer); recyclers run none.
    outlet = await createFirm(t, '4S店回收网点', ['dealer']);
    // Outlet events name a registered outlet of the reporter (libs/outlets' ledger check): here by the owner's code.
    await t
      .http()
      .post('/v1/outlets')
      .set(outlet.auth)
      .send({
        code: 'NET-35-001',
        name: '鼓楼4S店网点',
        type: 'collection',
        address: '福州市鼓楼区',
        regionCode: '350102',
        storageAreaM2: 20,
        capacityT: 5,
        openedOn: '2026-01-01',
      })
      .expect(201);
    cascade = await createFirm(t, '梯次利用', ['cascade_utiliser'], '350102', ['C01']);
    recycler = await createFirm(t, '再生利用', ['recycler']);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A pack with one module of two cells, registered at hour 0. */
  const producePack = (by: Firm = maker) => registerPack(t, by, next);

  /** A pack in a sold vehicle (hours 1–4): delivered to the vehicle maker, installed, certified, sold. The vehicle maker holds it. */
  async function packInUse() {
    const made = await producePack();
    const car = vin(next());
    await accept(t, maker, { type: 'delivered', batteryCodes: [made.pack], occurredAt: at(1), counterpartyUscc: vm.uscc });
    const body = await postEvents(t, vm, [
      { type: 'installed', batteryCodes: [made.pack], occurredAt: at(2), vin: car },
      { type: 'vehicle_certified', batteryCodes: [made.pack], occurredAt: at(3), vin: car, payload: { certificateNo: `WCC-${car}` } },
      { type: 'vehicle_sold', batteryCodes: [made.pack], occurredAt: at(4), vin: car, regionCode: '350102' },
    ]);
    expect(body.status).toBe('ACCEPTED');
    return { ...made, car };
  }

  /** A spare pack or module of the maker's, delivered to `to` at hour 5 (pending: `to` may put it in). */
  async function spare(level: 'P' | 'M', to: Firm) {
    const code = originalCode(level, next());
    const body = await postEvents(t, maker, [
      { type: 'produced', batteryCodes: [code], occurredAt: at(0), payload: level === 'P' ? attrs : moduleAttrs },
      { type: 'delivered', batteryCodes: [code], occurredAt: at(5), counterpartyUscc: to.uscc },
    ]);
    expect(body.status).toBe('ACCEPTED');
    return code;
  }

  /** A pack in use replaced by the repairer at hour 6: it is 'removed', held by the repairer. */
  async function removedPack() {
    const { pack, car } = await packInUse();
    const replacement = await spare('P', repairer);
    await accept(t, repairer, { type: 'replaced', batteryCodes: [pack], occurredAt: at(6), vin: car, payload: { replacementCode: replacement } });
    return pack;
  }

  async function battery(code: string, firm: Firm) {
    return (await t.http().get(`/v1/batteries/${code}`).set(firm.auth).expect(200)).body;
  }

  async function eventsOf(code: string, type: string) {
    return t.sql<{
      id: string;
      reporter_enterprise_id: string;
      counterparty_enterprise_id: string | null;
      vin: string | null;
      payload: Record<string, unknown>;
      rule_set: string | null;
    }>(
      'SELECT id, reporter_enterprise_id, counterparty_enterprise_id, vin, payload, rule_set FROM lifecycle_events WHERE type = $2 AND $1 = ANY(battery_codes)',
      [code, type],
    );
  }

  const roleReason = (type: string, roles: string, you: string) =>
    expect.objectContaining({ path: 'events[0].type', rule: 'ROLE', reason: `'${type}' is reported by ${roles}; you are registered as ${you}` });

  it('vehicle_imported: the importer clears the vehicle it registered and installed the pack in; the pack is certified, and may be sold', async () => {
    // An importer registers the battery of an imported vehicle itself (produced is an importer's node too).
    const { pack } = await registerPack(t, importer, next, 0, 'IM1');
    const car = vin(next());
    await accept(t, importer, { type: 'installed', batteryCodes: [pack], occurredAt: at(1), vin: car });
    const id = await accept(t, importer, {
      type: 'vehicle_imported',
      batteryCodes: [pack],
      occurredAt: at(2),
      vin: car,
      payload: { customsDeclarationNo: 'CD-2026-0001', inspectionCertificateNo: 'IC-7' },
    });
    expect(await battery(pack, importer)).toMatchObject({
      status: 'certified',
      holder: { id: importer.id },
      pendingHandoverTo: null,
      vin: car,
      lastEvent: { id, type: 'vehicle_imported' },
    });
    expect(await eventsOf(pack, 'vehicle_imported')).toEqual([
      expect.objectContaining({
        id,
        reporter_enterprise_id: importer.id,
        vin: car,
        payload: { customsDeclarationNo: 'CD-2026-0001', inspectionCertificateNo: 'IC-7' },
      }),
    ]);
    // Cleared is as good as certified: the next step is the sale.
    await accept(t, importer, { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(3), vin: car, regionCode: '310101' });
    expect(await battery(pack, importer)).toMatchObject({ status: 'in_use', holder: { id: importer.id }, vin: car });
  });

  it('vehicle_imported by a vehicle maker (not an importer) is rejected with ROLE alone, and not recorded', async () => {
    // The vehicle maker holds the installed pack and names its vehicle: the role is all that is wrong.
    const { pack } = await producePack();
    const car = vin(next());
    await accept(t, maker, { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc });
    await accept(t, vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: car });
    const event = { type: 'vehicle_imported', batteryCodes: [pack], occurredAt: at(3), vin: car, payload: { customsDeclarationNo: 'CD-X' } };
    expect(await reject(t, vm, event)).toEqual([roleReason('vehicle_imported', 'importer', 'vehicle_maker')]);
    expect(await battery(pack, vm)).toMatchObject({ status: 'installed', holder: { id: vm.id }, lastEvent: { type: 'installed' } });
    expect(await eventsOf(pack, 'vehicle_imported')).toEqual([]);
  });

  it('replaced (a pack in a vehicle): the old pack comes out, removed and held by the repairer; the replacement takes its place', async () => {
    const { pack, module, car } = await packInUse();
    const replacement = await spare('P', repairer);
    const id = await accept(t, repairer, {
      type: 'replaced',
      batteryCodes: [pack],
      occurredAt: at(6),
      vin: car,
      payload: { replacementCode: replacement, reason: 'insulation fault' },
    });
    expect(await battery(pack, repairer)).toMatchObject({ status: 'removed', holder: { id: repairer.id }, pendingHandoverTo: null, vin: null });
    // Its module stays in it: only the pack came out of the vehicle.
    expect((await battery(pack, repairer)).components).toEqual([expect.objectContaining({ code: module })]);
    // The vehicle maker stays responsible for the vehicle's battery, whichever it is.
    expect(await battery(replacement, vm)).toMatchObject({
      status: 'in_use',
      holder: { id: vm.id },
      pendingHandoverTo: null,
      vin: car,
      lastEvent: { id, type: 'replaced' },
    });
    // One event, in the chains of both packs.
    const links = await t.sql<{ battery_code: string }>('SELECT battery_code FROM battery_event_chain WHERE event_id = $1 ORDER BY 1', [id]);
    expect(links.map((l) => l.battery_code)).toEqual([pack, replacement].sort());
    expect(await eventsOf(pack, 'replaced')).toEqual([
      expect.objectContaining({ reporter_enterprise_id: repairer.id, vin: car, payload: { replacementCode: replacement, reason: 'insulation fault' } }),
    ]);
  });

  it('replaced (a module in a pack): the old link in battery_components ends, a new one starts, the pack stays in the vehicle', async () => {
    const { pack, module, cells, car } = await packInUse();
    const replacement = await spare('M', repairer);
    const id = await accept(t, repairer, { type: 'replaced', batteryCodes: [module], occurredAt: at(6), vin: car, payload: { replacementCode: replacement } });
    expect(await battery(module, repairer)).toMatchObject({
      status: 'removed',
      ownStatus: 'removed',
      holder: { id: repairer.id },
      insideOf: null,
      topLevelCode: module,
      vin: null,
    });
    // Its cells come out with it.
    expect(await battery(cells[0], repairer)).toMatchObject({ status: 'removed', ownStatus: 'assembled', insideOf: module, holder: { id: repairer.id } });
    expect(await battery(replacement, vm)).toMatchObject({
      status: 'in_use',
      ownStatus: 'assembled',
      insideOf: pack,
      topLevelCode: pack,
      holder: { id: vm.id },
      vin: car,
    });
    const packView = await battery(pack, vm);
    expect(packView).toMatchObject({ status: 'in_use', holder: { id: vm.id }, vin: car });
    expect(packView.components).toEqual([expect.objectContaining({ code: replacement, components: [] })]);
    const links = await t.sql<{ child_code: string; start_event_id: string; end_event_id: string | null }>(
      'SELECT child_code, start_event_id, end_event_id FROM battery_components WHERE parent_code = $1 ORDER BY started_at, child_code',
      [pack],
    );
    expect(links).toEqual([
      { child_code: module, start_event_id: expect.any(String), end_event_id: id },
      { child_code: replacement, start_event_id: id, end_event_id: null },
    ]);
  });

  it('replaced by a repairer that may not see the pack: only when it names the vehicle the pack is in', async () => {
    const { pack, car } = await packInUse();
    const stranger = await createFirm(t, '陌生维修厂', ['repairer']);
    const replacement = await spare('P', stranger);
    await t.http().get(`/v1/batteries/${pack}`).set(stranger.auth).expect(404);
    // Without the VIN nothing shows it has the vehicle: refused in the words an unregistered code gets, so that
    // neither the pack's existence nor its vehicle leaks (it would otherwise take custody and read the VIN back).
    const event = { type: 'replaced', batteryCodes: [pack], occurredAt: at(6), payload: { replacementCode: replacement } };
    const unregistered = originalCode('P', next());
    const refused = await reject(t, stranger, event);
    expect(JSON.stringify(refused).split(pack).join('X')).toBe(
      JSON.stringify(await reject(t, stranger, { ...event, batteryCodes: [unregistered] }))
        .split(unregistered)
        .join('X'),
    );
    expect(refused).toEqual([expect.objectContaining({ rule: 'UNKNOWN_BATTERY' })]);
    expect(await battery(pack, vm)).toMatchObject({ status: 'in_use', holder: { id: vm.id }, vin: car });
    // Naming the vehicle, it is the owner's chosen repair shop.
    await accept(t, stranger, { ...event, vin: car });
    expect(await battery(pack, stranger)).toMatchObject({ status: 'removed', holder: { id: stranger.id }, vin: null });
  });

  it('replaced by a battery maker (no service role) is rejected with ROLE alone, and both packs stay where they were', async () => {
    // The maker produced the pack in the vehicle and holds the spare: it may see both, so only the role is wrong.
    const { pack, car } = await packInUse();
    const replacement = originalCode('P', next());
    await accept(t, maker, { type: 'produced', batteryCodes: [replacement], occurredAt: at(0), payload: attrs });
    expect(await reject(t, maker, { type: 'replaced', batteryCodes: [pack], occurredAt: at(6), vin: car, payload: { replacementCode: replacement } })).toEqual([
      roleReason('replaced', 'vehicle_maker, importer, dealer, repairer, leasing', 'battery_maker'),
    ]);
    expect(await battery(pack, maker)).toMatchObject({ status: 'in_use', holder: { id: vm.id }, vin: car });
    expect(await battery(replacement, maker)).toMatchObject({ status: 'produced', holder: { id: maker.id }, vin: null });
    expect(await eventsOf(pack, 'replaced')).toEqual([]);
  });

  it('swapped: a delivered pack goes into one vehicle (March 2026, not a node yet), the swapped-out pack from swap stock into another (April, a node)', async () => {
    const first = await packInUse();
    const charged = await spare('P', swapper);
    const march = await accept(t, swapper, {
      type: 'swapped',
      batteryCodes: [first.pack],
      occurredAt: at(10),
      vin: first.car,
      payload: { replacementCode: charged, stationId: 'FZ-01' },
    });
    expect(await battery(first.pack, swapper)).toMatchObject({ status: 'swap_stock', holder: { id: swapper.id }, pendingHandoverTo: null, vin: null });
    expect(await battery(charged, vm)).toMatchObject({ status: 'in_use', holder: { id: vm.id }, pendingHandoverTo: null, vin: first.car });

    // 2026-04-01 00:00 Beijing time is hour 744; the pack from the station's stock goes into a second vehicle.
    const second = await packInUse();
    const april = await accept(t, swapper, {
      type: 'swapped',
      batteryCodes: [second.pack],
      occurredAt: at(800),
      vin: second.car,
      payload: { replacementCode: first.pack },
    });
    expect(await battery(first.pack, vm)).toMatchObject({ status: 'in_use', holder: { id: vm.id }, vin: second.car, lastEvent: { id: april } });
    expect(await battery(second.pack, swapper)).toMatchObject({ status: 'swap_stock', holder: { id: swapper.id }, vin: null });
    expect(await battery(first.pack, vm)).toMatchObject({ chain: { seq: 7 } });

    expect(assessed.get(march)).toEqual({ type: 'swapped', ledgerRuleSet: 'cn-2018', node: false });
    expect(assessed.get(april)).toEqual({ type: 'swapped', ledgerRuleSet: 'cn-2026', node: true });
    const rows = await t.sql<{ id: string; rule_set: string }>('SELECT id, rule_set FROM lifecycle_events WHERE id = ANY($1::uuid[]) ORDER BY occurred_at', [
      [march, april],
    ]);
    expect(rows).toEqual([
      { id: march, rule_set: 'cn-2018' },
      { id: april, rule_set: 'cn-2026' },
    ]);
  });

  it('swapped by a repairer (not a swap operator) is rejected with ROLE alone, before and after 2026-04-01', async () => {
    const { pack, car } = await packInUse();
    const charged = await spare('P', repairer);
    for (const hour of [10, 800]) {
      expect(
        await reject(t, repairer, { type: 'swapped', batteryCodes: [pack], occurredAt: at(hour), vin: car, payload: { replacementCode: charged } }),
      ).toEqual([roleReason('swapped', 'swap_operator', 'repairer')]);
    }
    expect(await battery(pack, vm)).toMatchObject({ status: 'in_use', vin: car, lastEvent: { type: 'vehicle_sold' } });
    expect(await eventsOf(pack, 'swapped')).toEqual([]);
  });

  it('outlet_received / outlet_handed_over: a removed pack goes through the outlet to a cascade utiliser, who takes custody', async () => {
    const pack = await removedPack();
    // The outlet reports the receipt alone, naming the repairer who handed the pack in: a claim the repairer confirms.
    const received = await claimAndConfirm(t, outlet, repairer, {
      type: 'outlet_received',
      batteryCodes: [pack],
      occurredAt: at(7),
      counterpartyUscc: repairer.uscc,
      payload: { outletId: 'NET-35-001' },
    });
    expect(await battery(pack, outlet)).toMatchObject({ status: 'at_outlet', holder: { id: outlet.id }, pendingHandoverTo: null, vin: null });
    expect(await eventsOf(pack, 'outlet_received')).toEqual([
      expect.objectContaining({
        id: received,
        reporter_enterprise_id: outlet.id,
        counterparty_enterprise_id: repairer.id,
        payload: { outletId: 'NET-35-001' },
      }),
    ]);

    await accept(t, outlet, {
      type: 'outlet_handed_over',
      batteryCodes: [pack],
      occurredAt: at(8),
      counterpartyUscc: cascade.uscc,
      payload: { outletId: 'NET-35-001' },
    });
    // The outlet stays responsible until the cascade utiliser reports its receipt.
    expect(await battery(pack, cascade)).toMatchObject({ status: 'in_transit', holder: { id: outlet.id }, pendingHandoverTo: { id: cascade.id } });
    await accept(t, cascade, { type: 'cascade_received', batteryCodes: [pack], occurredAt: at(9) });
    expect(await battery(pack, cascade)).toMatchObject({ status: 'cascade_stock', holder: { id: cascade.id }, pendingHandoverTo: null });
    const [handedOver] = await eventsOf(pack, 'outlet_handed_over');
    expect(handedOver).toMatchObject({ reporter_enterprise_id: outlet.id, counterparty_enterprise_id: cascade.id });
  });

  it('outlet_received / outlet_handed_over: a pack from swap stock goes through the outlet to a recycler', async () => {
    const { pack, car } = await packInUse();
    await accept(t, swapper, { type: 'swapped', batteryCodes: [pack], occurredAt: at(6), vin: car, payload: { replacementCode: await spare('P', swapper) } });
    await claimAndConfirm(t, outlet, swapper, {
      type: 'outlet_received',
      batteryCodes: [pack],
      occurredAt: at(7),
      counterpartyUscc: swapper.uscc,
      payload: { outletId: 'NET-35-001' },
    });
    expect(await battery(pack, outlet)).toMatchObject({ status: 'at_outlet', holder: { id: outlet.id } });
    await accept(t, outlet, {
      type: 'outlet_handed_over',
      batteryCodes: [pack],
      occurredAt: at(8),
      counterpartyUscc: recycler.uscc,
      payload: { outletId: 'NET-35-001' },
    });
    expect(await battery(pack, recycler)).toMatchObject({ status: 'in_transit', holder: { id: outlet.id }, pendingHandoverTo: { id: recycler.id } });
    await accept(t, recycler, { type: 'recycler_received', batteryCodes: [pack], occurredAt: at(9) });
    expect(await battery(pack, recycler)).toMatchObject({ status: 'at_recycler', holder: { id: recycler.id }, pendingHandoverTo: null });
    const rows = await t.sql<{ type: string }>(
      'SELECT e.type FROM lifecycle_events e JOIN battery_event_chain c ON c.event_id = e.id WHERE c.battery_code = $1 ORDER BY c.seq',
      [pack],
    );
    expect(rows.map((r) => r.type).slice(-4)).toEqual(['swapped', 'outlet_received', 'outlet_handed_over', 'recycler_received']);
  });

  it('outlet nodes reported by a recycler (it runs no outlet) are rejected with ROLE, and not recorded', async () => {
    const pack = await removedPack();
    // Naming the repairer that holds the pack, the recycler's receipt breaks no rule but the role.
    expect(await reject(t, recycler, { type: 'outlet_received', batteryCodes: [pack], occurredAt: at(7), counterpartyUscc: repairer.uscc })).toEqual([
      roleReason(
        'outlet_received',
        'vehicle_maker, battery_maker, importer, dealer, repairer, leasing, swap_operator, dismantler, cascade_utiliser',
        'recycler',
      ),
    ]);
    expect(await battery(pack, repairer)).toMatchObject({ status: 'removed', holder: { id: repairer.id } });

    await claimAndConfirm(t, outlet, repairer, {
      type: 'outlet_received',
      batteryCodes: [pack],
      occurredAt: at(7),
      counterpartyUscc: repairer.uscc,
      payload: { outletId: 'NET-35-001' },
    });
    // The recycler neither holds the pack nor may see it: the custody reason reads as for an unregistered code.
    const reasons = await reject(t, recycler, { type: 'outlet_handed_over', batteryCodes: [pack], occurredAt: at(8), counterpartyUscc: cascade.uscc });
    expect(reasons).toEqual(
      expect.arrayContaining([
        roleReason(
          'outlet_handed_over',
          'vehicle_maker, battery_maker, importer, dealer, repairer, leasing, swap_operator, dismantler, cascade_utiliser',
          'recycler',
        ),
      ]),
    );
    expect(reasons.map((r) => r.rule).sort()).toEqual(['ROLE', 'UNKNOWN_BATTERY']);
    expect(await battery(pack, outlet)).toMatchObject({ status: 'at_outlet', holder: { id: outlet.id }, pendingHandoverTo: null });
    expect(await eventsOf(pack, 'outlet_handed_over')).toEqual([]);
  });
});
