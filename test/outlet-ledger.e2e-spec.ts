import { randomUUID } from 'node:crypto';
import type { TestApp } from './support/test-app';
import { startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { accept, at, claimAndConfirm, createFirm, postEvents } from './support/ledger-world';
import { outletBody, OutletWorld } from './support/outlet-world';

/** Outlet events in the ledger: the check (EVENT_CHECKS), stock and records derived from the ledger. */
describe('recycling service outlets and the ledger (real PostgreSQL)', () => {
  let t: TestApp;
  let maker: Firm;
  let vm: Firm;
  let repairer: Firm;
  let partner: Firm;
  let other: Firm;
  let recycler: Firm;
  let w: OutletWorld;
  let outlet: { id: string; code: string };
  let othersOutlet: { id: string };

  const register = async (firm: Firm, body: Record<string, unknown>) =>
    (await t.http().post('/v1/outlets').set(firm.auth).send(outletBody(body)).expect(201)).body;
  const received = (pack: string, outletId: unknown, hour = 7) => ({
    type: 'outlet_received',
    batteryCodes: [pack],
    occurredAt: at(hour),
    counterpartyUscc: repairer.uscc,
    ...(outletId === undefined ? {} : { payload: { outletId } }),
  });

  beforeAll(async () => {
    t = await startTestApp();
    maker = await createFirm(t, '宁德电池', ['battery_maker'], '350102', ['001']);
    vm = await createFirm(t, '福州汽车', ['vehicle_maker']);
    repairer = await createFirm(t, '维修厂', ['repairer']);
    partner = await createFirm(t, '共建经销商', ['dealer']);
    other = await createFirm(t, '别家经销商', ['dealer']);
    recycler = await createFirm(t, '再生利用', ['recycler']);
    w = new OutletWorld(t, maker, vm, repairer);
    // A collection outlet that may hold 0.5 t: two 380 kg packs take it beyond its limit.
    outlet = await register(vm, { code: 'FZ-001', capacityT: 0.5, partners: [{ enterpriseId: partner.id, relation: 'co_built' }] });
    othersOutlet = await register(other, { code: 'OT-1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("rejects receipts that name no outlet, an unregistered one, another firm's, or one not active on the date; nothing is recorded", async () => {
    const { pack } = await w.removedPack();
    const suspended = await register(vm, { code: 'FZ-SUSP' });
    await t.http().post(`/v1/outlets/${suspended.id}/status`).set(vm.auth).send({ status: 'suspended', reason: '整改', effectiveOn: '2026-02-15' }).expect(201);
    const body = await postEvents(t, vm, [received(pack, undefined), received(pack, 'NOPE-9'), received(pack, othersOutlet.id), received(pack, 'FZ-SUSP')], {
      mode: 'partial',
    });
    expect(body.results.map((r) => r.reasons?.map((x) => x.rule))).toEqual([
      ['OUTLET_ID_REQUIRED'],
      ['OUTLET_UNREGISTERED'],
      ['OUTLET_NOT_REPORTERS'],
      ['OUTLET_NOT_ACTIVE'],
    ]);
    expect(body.results[1].reasons![0]).toMatchObject({
      path: 'events[1].payload.outletId',
      outletId: 'NOPE-9',
      reason: expect.stringContaining('no outlet of the reporter'),
    });
    expect(body.results[3].reasons![0]).toMatchObject({ date: '2026-03-01', reason: expect.stringContaining('not active on 2026-03-01') });
    // Before the opening date the outlet is not active either.
    const late = await register(vm, { code: 'FZ-LATE', openedOn: '2026-05-01' });
    const early = await postEvents(t, vm, [received(pack, late.id)]);
    expect(early.results[0].reasons!.map((r) => r.rule)).toEqual(['OUTLET_NOT_ACTIVE']);
    const rows = await t.sql('SELECT 1 FROM lifecycle_events WHERE type = $1 AND $2 = ANY(battery_codes)', ['outlet_received', pack]);
    expect(rows).toEqual([]);
  });

  it('stock follows the ledger; a receipt beyond the limit is accepted with a warning and a flag; hand-overs take stock out', async () => {
    const a = await w.removedPack();
    const b = await w.removedPack();
    // The owner names the outlet by its code, the co-builder by its registry id.
    // The repairer has not reported a hand-over: each receipt is a custody claim the repairer confirms (issue 13).
    await claimAndConfirm(t, vm, repairer, received(a.pack, 'FZ-001', 7));
    let view = (await t.http().get(`/v1/outlets/${outlet.id}`).set(vm.auth).expect(200)).body;
    expect(view.stock).toMatchObject({ count: 1, massT: 0.38, energyKwh: 52.56, withoutMass: 0, limitT: 0.5, overLimit: false, overLimitFlags: 0 });
    const over = await postEvents(t, partner, [received(b.pack, outlet.id, 8)]);
    expect(over.results[0]).toMatchObject({ status: 'accepted', claimId: expect.any(String) });
    expect(over.results[0].warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'OUTLET_OVER_LIMIT', stockT: 0.76, limitT: 0.5 }),
        expect.objectContaining({ rule: 'CUSTODY_CLAIM' }),
      ]),
    );
    await t.http().post(`/v1/custody-claims/${over.results[0].claimId}/confirm`).set(repairer.auth).expect(200);
    view = (await t.http().get(`/v1/outlets/${outlet.id}`).set(partner.auth).expect(200)).body;
    expect(view.stock).toMatchObject({ count: 2, massT: 0.76, overLimit: true, overLimitFlags: 1 });
    // A dry run warns but flags nothing.
    const c = await w.removedPack();
    const dry = await postEvents(t, vm, [received(c.pack, 'FZ-001', 9)], { dryRun: true });
    expect(dry.results[0].warnings).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'OUTLET_OVER_LIMIT' })]));
    expect((await t.sql('SELECT 1 FROM outlet_stock_flags WHERE outlet_id = $1', [outlet.id])).length).toBe(1);

    // Handing out of stock must name the outlet too (the battery is in the reporter's outlet stock).
    const handover = { type: 'outlet_handed_over', batteryCodes: [a.pack], occurredAt: at(10), counterpartyUscc: recycler.uscc };
    const refused = await postEvents(t, vm, [handover]);
    expect(refused.results[0].reasons!.map((r) => r.rule)).toEqual(['OUTLET_ID_REQUIRED']);
    await accept(t, vm, { ...handover, payload: { outletId: 'FZ-001' } });
    view = (await t.http().get(`/v1/outlets/${outlet.id}`).set(vm.auth).expect(200)).body;
    expect(view.stock).toMatchObject({ count: 1, massT: 0.38 });

    // Records: every battery in and out, with from, to and the VIN it came from; paginated by cursor.
    const page1 = (await t.http().get(`/v1/outlets/${outlet.id}/records?limit=2`).set(vm.auth).expect(200)).body;
    expect(page1.items).toEqual([
      expect.objectContaining({
        direction: 'in',
        batteryCode: a.pack,
        from: { id: repairer.id, name: '维修厂' },
        to: { id: vm.id, name: '福州汽车' },
        vin: a.car,
        batteryType: 'B',
        productType: 'pack',
      }),
      expect.objectContaining({ direction: 'in', batteryCode: b.pack, to: { id: partner.id, name: '共建经销商' }, vin: b.car }),
    ]);
    const page2 = (await t.http().get(`/v1/outlets/${outlet.id}/records?limit=2&cursor=${page1.nextCursor}`).set(vm.auth).expect(200)).body;
    expect(page2).toEqual({
      items: [
        expect.objectContaining({ direction: 'out', batteryCode: a.pack, from: { id: vm.id, name: '福州汽车' }, to: { id: recycler.id, name: '再生利用' } }),
      ],
      nextCursor: null,
    });
    const none = (await t.http().get(`/v1/outlets/${outlet.id}/records?from=2026-03-02&to=2026-03-31`).set(vm.auth).expect(200)).body;
    expect(none.items).toEqual([]);
    await t.http().get(`/v1/outlets/${outlet.id}/records`).set(other.auth).expect(404);
    const bad = await t.http().get(`/v1/outlets/${outlet.id}/records?from=2026-02-30&cursor=abc`).set(vm.auth).expect(422);
    expect(bad.body.error.details[0].path).toBe('from');
  });

  it('events recorded before the registry with unknown outlet ids are listed as "unregistered outlet", not dropped', async () => {
    // As the ledger held them before this check existed (inserted directly: the API now refuses them).
    await t.sql(
      `INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, reporter_enterprise_id, battery_codes, content_hash, payload)
       VALUES ($1, 'outlet_received', 1, now(), $2, ARRAY['001PB240000001G1F0999999'], sha256($3::bytea), '{"outletId": "OLD-NET-7"}')`,
      [randomUUID(), vm.id, Buffer.from(randomUUID())],
    );
    const mine = (await t.http().get('/v1/outlets/unregistered').set(vm.auth).expect(200)).body;
    expect(mine.items).toEqual([
      expect.objectContaining({ outletId: 'OLD-NET-7', label: 'unregistered outlet', reporter: { id: vm.id, name: '福州汽车' }, events: 1 }),
    ]);
    expect((await t.http().get('/v1/outlets/unregistered').set(other.auth).expect(200)).body.items).toEqual([]);
  });
});
