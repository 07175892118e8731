import { Client } from 'pg';
import type { TestApp } from './support/test-app';
import { bearer, randomUscc, startTestApp } from './support/test-app';
import { createListedRecycler } from './support/cascade-world';
import type { Firm } from './support/ledger-world';
import {
  accept,
  at,
  attrs,
  cascadeCode,
  cellAttrs,
  claimAndConfirm,
  createFirm,
  moduleAttrs,
  originalCode,
  postEvents,
  producePack as registerPack,
  reject,
  vin,
} from './support/ledger-world';

describe('lifecycle ledger (POST /v1/events, real PostgreSQL)', () => {
  let t: TestApp;
  let maker: Firm;
  let vm: Firm;
  let dealer: Firm;
  let repairer: Firm;
  let dismantler: Firm;
  let cascade: Firm;
  let recycler: Firm;
  let serial = 0;
  const next = () => ++serial;

  beforeAll(async () => {
    // Its cascade products are assembled by bare events (no product record, so no label data): shipped with a
    // warning here, as CASCADE_UNLABELLED_SHIPMENT=warn allows (the default refusal: cascade-products.e2e-spec.ts).
    t = await startTestApp({ cascadeUnlabelledShipment: 'warn' });
    maker = await createFirm(t, '宁德电池', ['battery_maker'], '350102', ['001']);
    vm = await createFirm(t, '福州汽车', ['vehicle_maker']);
    dealer = await createFirm(t, '深圳经销商', ['dealer'], '440300');
    repairer = await createFirm(t, '维修厂', ['repairer']);
    dismantler = await createFirm(t, '拆解厂', ['dismantler']);
    cascade = await createFirm(t, '梯次利用', ['cascade_utiliser'], '350102', ['C01']);
    // Scrapped cascade products go only to whitelisted recyclers (梯次利用管理办法 art. 20).
    recycler = await createListedRecycler(t, '再生利用');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A pack with one module of two cells, registered by the maker. */
  const producePack = (hour = 0) => registerPack(t, maker, next, hour);

  async function battery(code: string, firm: Firm = maker) {
    return (await t.http().get(`/v1/batteries/${code}`).set(firm.auth).expect(200)).body;
  }

  it('records the whole lifecycle of a pack, event by event, each by the enterprise whose node it is', async () => {
    const { pack, module, cells } = await producePack(0);
    const car = vin(next());
    const product = cascadeCode(next());

    await accept(t, maker, { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc, payload: { deliveryNoteNo: 'DN-1' } });
    expect(await battery(pack)).toMatchObject({ status: 'delivered', holder: { id: maker.id }, pendingHandoverTo: { id: vm.id } });

    await accept(t, vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: car });
    expect(await battery(pack, vm)).toMatchObject({ status: 'installed', holder: { id: vm.id }, pendingHandoverTo: null, vin: car });

    await accept(t, vm, { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(3), vin: car, payload: { certificateNo: 'WCC-0001' } });
    await accept(t, dealer, {
      type: 'vehicle_sold',
      batteryCodes: [pack],
      occurredAt: at(4),
      vin: car,
      regionCode: '440305',
      payload: { buyerType: 'individual' },
    });
    await accept(t, repairer, { type: 'repaired', batteryCodes: [pack], occurredAt: at(5), vin: car, payload: { description: 'replaced a fuse' } });
    await accept(t, dismantler, { type: 'vehicle_scrapped', batteryCodes: [pack], occurredAt: at(6), vin: car, payload: { scrapCertificateNo: 'BF-2026-1' } });
    expect(await battery(pack, dismantler)).toMatchObject({ status: 'in_scrapped_vehicle', holder: { id: dismantler.id }, vin: car });
    await accept(t, dismantler, { type: 'removed', batteryCodes: [pack], occurredAt: at(7), vin: car, counterpartyUscc: cascade.uscc });
    expect(await battery(pack, dismantler)).toMatchObject({
      status: 'in_transit',
      holder: { id: dismantler.id },
      pendingHandoverTo: { id: cascade.id },
      vin: null,
    });
    await accept(t, cascade, { type: 'cascade_received', batteryCodes: [pack], occurredAt: at(8) });
    await accept(t, cascade, {
      type: 'residual_tested',
      batteryCodes: [pack],
      occurredAt: at(9),
      payload: { testRecordRef: 'RT-1', sohPercent: 78.5, decision: 'cascade' },
    });

    // The module comes out of the pack and, with its cells, becomes a cascade product.
    const assembled = await postEvents(t, cascade, [
      {
        type: 'cascade_assembled',
        batteryCodes: [module],
        occurredAt: at(10),
        payload: { cascadeCode: product, nominalCapacityAh: 120, nominalVoltageV: 43.8, application: 'energy storage' },
      },
    ]);
    expect(assembled.results[0]).toMatchObject({ status: 'accepted' });
    expect(await battery(product, cascade)).toMatchObject({
      form: 'cascade',
      status: 'cascade_stock',
      holder: { id: cascade.id },
      producer: { id: cascade.id },
    });
    expect(await battery(module, cascade)).toMatchObject({
      ownStatus: 'in_cascade_product',
      status: 'cascade_stock',
      insideOf: product,
      topLevelCode: product,
    });
    expect((await battery(pack, cascade)).components).toEqual([]);
    expect((await battery(product, cascade)).originalCodes).toEqual([module]);

    await accept(t, cascade, { type: 'cascade_shipped', batteryCodes: [product], occurredAt: at(11), payload: { customerName: '某储能电站' } });
    await accept(t, cascade, { type: 'cascade_scrapped', batteryCodes: [product], occurredAt: at(12) });
    // The recycler receives from the cascade utiliser, which it names (a receipt reported by the receiver only: a
    // custody claim, which the cascade utiliser confirms).
    await claimAndConfirm(t, recycler, cascade, { type: 'recycler_received', batteryCodes: [product], occurredAt: at(13), counterpartyUscc: cascade.uscc });
    await accept(t, recycler, {
      type: 'recycled',
      batteryCodes: [product],
      occurredAt: at(14),
      payload: { processedMassKg: 30, recoveredLithiumKg: 0.4, method: 'hydrometallurgical' },
    });
    // The pack shell goes to the recycler too.
    await claimAndConfirm(t, recycler, cascade, { type: 'recycler_received', batteryCodes: [pack], occurredAt: at(13), counterpartyUscc: cascade.uscc });
    await accept(t, recycler, { type: 'recycled', batteryCodes: [pack], occurredAt: at(15), payload: { processedMassKg: 350 } });

    expect(await battery(pack, recycler)).toMatchObject({ status: 'recycled', holder: { id: recycler.id } });
    expect(await battery(cells[0], recycler)).toMatchObject({ status: 'recycled', ownStatus: 'assembled', insideOf: module, topLevelCode: product });

    // Nothing follows 'recycled' but a correction.
    const after = await reject(t, recycler, { type: 'recycler_received', batteryCodes: [pack], occurredAt: at(16), counterpartyUscc: cascade.uscc });
    expect(after).toEqual([
      expect.objectContaining({
        path: 'events[0].batteryCodes[0]',
        rule: 'STATE_TRANSITION',
        reason: `'recycler_received' is not allowed after 'recycled' (battery ${pack}, status 'recycled'); allowed next: none (only corrections)`,
      }),
    ]);

    const chain = await t.sql<{ battery_code: string; n: string }>(
      'SELECT battery_code, count(*) AS n FROM battery_event_chain WHERE battery_code = ANY($1) GROUP BY battery_code',
      [[pack, module, product]],
    );
    expect(Object.fromEntries(chain.map((c) => [c.battery_code, Number(c.n)]))).toEqual({ [pack]: 12, [module]: 2, [product]: 5 });
    const rows = await t.sql<{ type: string; reporter_enterprise_id: string; counterparty_enterprise_id: string | null; region_code: string | null }>(
      `SELECT e.type, e.reporter_enterprise_id, e.counterparty_enterprise_id, e.region_code FROM lifecycle_events e
        JOIN battery_event_chain c ON c.event_id = e.id WHERE c.battery_code = $1 ORDER BY c.seq`,
      [pack],
    );
    expect(rows.map((r) => r.type)).toEqual([
      'produced',
      'delivered',
      'installed',
      'vehicle_certified',
      'vehicle_sold',
      'repaired',
      'vehicle_scrapped',
      'removed',
      'cascade_received',
      'residual_tested',
      'recycler_received',
      'recycled',
    ]);
    expect(rows[1]).toMatchObject({ reporter_enterprise_id: maker.id, counterparty_enterprise_id: vm.id });
    expect(rows[4]).toMatchObject({ reporter_enterprise_id: dealer.id, region_code: '440305' });
  });

  it('records the same lifecycle in bulk: one request per enterprise, later events seeing earlier ones', async () => {
    const byd = await createFirm(t, '比亚迪', ['battery_maker', 'vehicle_maker'], '350102', ['BY1']);
    const pack = originalCode('P', next(), { manufacturer: 'BY1' });
    const modules = [originalCode('M', next(), { manufacturer: 'BY1' }), originalCode('M', next(), { manufacturer: 'BY1' })];
    const cells = modules.map(() => [originalCode('C', next(), { manufacturer: 'BY1' }), originalCode('C', next(), { manufacturer: 'BY1' })]);
    const car = vin(next());
    const made = await postEvents(t, byd, [
      { type: 'produced', batteryCodes: [pack], occurredAt: at(0), clientEventId: 'b-1', payload: attrs },
      ...modules.map((m, i) => ({
        type: 'produced',
        batteryCodes: [m],
        occurredAt: at(0),
        clientEventId: `b-m${i}`,
        payload: { ...moduleAttrs, parentCode: pack },
      })),
      ...cells.map((cs, i) => ({
        type: 'produced',
        batteryCodes: cs,
        occurredAt: at(0),
        clientEventId: `b-c${i}`,
        payload: { ...cellAttrs, parentCode: modules[i] },
      })),
      { type: 'installed', batteryCodes: [pack], occurredAt: at(1), vin: car, clientEventId: 'b-2' },
      { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(2), vin: car, clientEventId: 'b-3', payload: { certificateNo: 'WCC-9' } },
      { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(3), vin: car, regionCode: '350102', clientEventId: 'b-4' },
    ]);
    expect(made).toMatchObject({ status: 'ACCEPTED', counts: { total: 8, accepted: 8, duplicate: 0, rejected: 0 } });
    expect(await battery(pack, byd)).toMatchObject({ status: 'in_use', holder: { id: byd.id }, vin: car });
    expect((await battery(pack, byd)).components.map((m: { code: string; components: unknown[] }) => [m.code, m.components.length])).toEqual(
      modules.map((m) => [m, 2]),
    );

    const scrapped = await postEvents(t, dismantler, [
      { type: 'vehicle_scrapped', batteryCodes: [pack], occurredAt: at(10), vin: car, payload: { scrapCertificateNo: 'BF-9' } },
      { type: 'removed', batteryCodes: [pack], occurredAt: at(11), counterpartyUscc: cascade.uscc },
    ]);
    expect(scrapped.status).toBe('ACCEPTED');
    const product = cascadeCode(next());
    const reused = await postEvents(t, cascade, [
      { type: 'cascade_received', batteryCodes: [pack], occurredAt: at(12) },
      { type: 'residual_tested', batteryCodes: [pack], occurredAt: at(13), payload: { testRecordRef: 'RT-9' } },
      // Cells taken from both modules (still inside the pack) make one cascade product.
      {
        type: 'cascade_assembled',
        batteryCodes: [cells[0][0], cells[1][0]],
        occurredAt: at(14),
        payload: { cascadeCode: product, nominalCapacityAh: 140, nominalVoltageV: 7.3 },
      },
      { type: 'cascade_shipped', batteryCodes: [product], occurredAt: at(15) },
    ]);
    expect(reused.status).toBe('ACCEPTED');
    expect(await battery(cells[0][0], cascade)).toMatchObject({ ownStatus: 'in_cascade_product', insideOf: product, status: 'cascade_in_use' });
    expect(await battery(cells[0][1], cascade)).toMatchObject({ ownStatus: 'assembled', insideOf: modules[0], topLevelCode: pack, status: 'tested' });
    const links = await t.sql<{ child_code: string; ended: boolean }>(
      'SELECT child_code, ended_at IS NOT NULL AS ended FROM battery_components WHERE parent_code = ANY($1) ORDER BY child_code',
      [modules],
    );
    expect(
      links
        .filter((l) => l.ended)
        .map((l) => l.child_code)
        .sort(),
    ).toEqual([cells[0][0], cells[1][0]].sort());
    const origins = await t.sql<{ original_code: string }>('SELECT original_code FROM battery_origins WHERE cascade_code = $1 ORDER BY 1', [product]);
    expect(origins.map((o) => o.original_code)).toEqual([cells[0][0], cells[1][0]].sort());
  });

  describe('illegal steps are rejected with the rule broken', () => {
    let pack: string;
    const car = vin(900);
    beforeAll(async () => {
      ({ pack } = await producePack(0));
      await accept(t, maker, { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc });
      await accept(t, vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: car });
    });

    /** What any firm is told about a code that is not registered: a battery it may not see must read the same. */
    const unregistered = async (firm: Firm, event: Record<string, unknown>) => {
      const code = originalCode('P', next());
      const reasons = await reject(t, firm, { ...event, batteryCodes: [code] });
      return JSON.parse(JSON.stringify(reasons).split(code).join(pack));
    };

    it('wrong role', async () => {
      const event = { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(3), vin: car, payload: { certificateNo: 'X' } };
      expect(await reject(t, maker, event)).toEqual([
        expect.objectContaining({
          path: 'events[0].type',
          rule: 'ROLE',
          reason: "'vehicle_certified' is reported by vehicle_maker; you are registered as battery_maker",
        }),
        expect.objectContaining({ path: 'events[0].batteryCodes[0]', rule: 'CUSTODY' }),
      ]);
      // A dealer that never held the pack learns nothing about it, not even that it exists.
      const dealers = await reject(t, dealer, event);
      expect(dealers).toEqual([
        expect.objectContaining({
          path: 'events[0].type',
          rule: 'ROLE',
          reason: "'vehicle_certified' is reported by vehicle_maker; you are registered as dealer",
        }),
        expect.objectContaining({ path: 'events[0].batteryCodes[0]', rule: 'UNKNOWN_BATTERY' }),
      ]);
      expect(dealers).toEqual(await unregistered(dealer, event));
    });

    it('wrong holder: named to those who may see the battery, concealed from the others', async () => {
      const other = await createFirm(t, '另一车企', ['vehicle_maker']);
      const event = { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(3), vin: car, payload: { certificateNo: 'X' } };
      const reasons = await reject(t, other, event);
      expect(reasons).toEqual([
        { path: 'events[0].batteryCodes[0]', rule: 'UNKNOWN_BATTERY', reason: expect.stringContaining('not registered, or not visible to you') },
      ]);
      expect(reasons).toEqual(await unregistered(other, event));
      expect(JSON.stringify(reasons)).not.toContain(vm.uscc);
      // A dry run says no more, and a wrong VIN does not tell the right one.
      const dry = await t
        .http()
        .post('/v1/events?dryRun=true')
        .set(other.auth)
        .send({ events: [{ ...event, vin: vin(901) }] })
        .expect(200);
      expect(dry.body.results[0].reasons).toEqual(await unregistered(other, { ...event, vin: vin(901) }));
      expect(JSON.stringify(dry.body)).not.toContain(car);
      // The maker produced and held the pack: it may see it, and is told who holds it.
      const recertify = { type: 'delivered', batteryCodes: [pack], occurredAt: at(3), counterpartyUscc: other.uscc };
      expect(await reject(t, maker, recertify)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            rule: 'CUSTODY',
            reason: `battery ${pack} is held by 福州汽车 (${vm.uscc}): only its holder or the receiver of a pending hand-over may report 'delivered'`,
          }),
        ]),
      );
    });

    it('illegal transition', async () => {
      expect(await reject(t, dealer, { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(3), vin: car, regionCode: '440305' })).toEqual([
        expect.objectContaining({
          path: 'events[0].batteryCodes[0]',
          rule: 'STATE_TRANSITION',
          reason: `'vehicle_sold' is not allowed after 'installed' (battery ${pack}, status 'installed'); allowed next: vehicle_certified, vehicle_imported, vehicle_scrapped`,
        }),
      ]);
    });

    it('unknown counterparty', async () => {
      const nobody = randomUscc();
      expect(await reject(t, vm, { type: 'delivered', batteryCodes: [pack], occurredAt: at(3), counterpartyUscc: nobody })).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            path: 'events[0].counterpartyUscc',
            rule: 'UNKNOWN_COUNTERPARTY',
            reason: `no enterprise with USCC ${nobody} is registered: the counterparty must have an account`,
          }),
        ]),
      );
    });

    it('bad code, bad VIN, bad payload field', async () => {
      const body = await postEvents(t, vm, [
        { type: 'vehicle_certified', batteryCodes: ['001PB24A000001ZZZ0000001'], occurredAt: at(3), vin: car, payload: { certificateNo: 'X' } },
        {
          type: 'vehicle_certified',
          batteryCodes: [pack],
          occurredAt: at(3),
          vin: car.slice(0, 8) + (car[8] === '0' ? '1' : '0') + car.slice(9),
          payload: { certificateNo: 'X' },
        },
        { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(3), vin: car, payload: { certificateNumber: 'X' } },
        { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(3), vin: 'LGXCE4CBIN0000001', payload: { certificateNo: 'X' } },
      ]);
      expect(body.status).toBe('REJECTED');
      expect(body.results[0].reasons).toEqual([
        expect.objectContaining({ path: 'events[0].batteryCodes[0]', rule: 'BATTERY_CODE', reason: expect.stringMatching(/position 15 \(year\)/) }),
      ]);
      expect(body.results[1].reasons).toEqual([
        expect.objectContaining({ path: 'events[1].vin', rule: 'VIN', reason: expect.stringMatching(/check digit \(position 9\)/) }),
      ]);
      expect(body.results[2].reasons).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'events[2].payload.certificateNumber', rule: 'UNKNOWN_FIELD' }),
          expect.objectContaining({ path: 'events[2].payload.certificateNo', rule: 'REQUIRED' }),
        ]),
      );
      expect(body.results[3].reasons).toEqual([
        expect.objectContaining({ path: 'events[3].vin', rule: 'VIN', reason: expect.stringContaining("character 9 'I'") }),
      ]);
    });

    it('a VIN that is not the battery’s vehicle, and a business time before its last event', async () => {
      const reasons = await reject(t, vm, {
        type: 'vehicle_certified',
        batteryCodes: [pack],
        occurredAt: at(1),
        vin: vin(901),
        payload: { certificateNo: 'X' },
      });
      expect(reasons.map((r) => r.rule)).toEqual(['VIN_MISMATCH', 'EVENT_ORDER']);
    });

    it('nothing was written by any of these', async () => {
      const [row] = await t.sql<{ n: string }>('SELECT count(*) AS n FROM battery_event_chain WHERE battery_code = $1', [pack]);
      expect(Number(row.n)).toBe(3);
    });
  });

  describe('the request envelope', () => {
    it('refuses regulators and administrators (403): only enterprises report', async () => {
      const regulator = await t.http().post('/v1/regulators').set(bearer(t.adminKey)).send({ name: '工信厅' }).expect(201);
      const key = (await t.http().post(`/v1/regulators/${regulator.body.id}/api-keys`).set(bearer(t.adminKey)).send({ name: 'r' }).expect(201)).body.key;
      const event = { type: 'produced', batteryCodes: [originalCode('P', next())], occurredAt: at(0), payload: attrs };
      const asAdmin = await t
        .http()
        .post('/v1/events')
        .set(bearer(t.adminKey))
        .send({ events: [event] })
        .expect(403);
      expect(asAdmin.body.error.code).toBe('FORBIDDEN');
      await t
        .http()
        .post('/v1/events')
        .set(bearer(key))
        .send({ events: [event] })
        .expect(403);
      await t
        .http()
        .post('/v1/events')
        .send({ events: [event] })
        .expect(401);
    });

    it('validates the envelope: 1 to 500 events, a known mode, no other fields (422); an invalid event alone is not an envelope error', async () => {
      const tooMany = await t
        .http()
        .post('/v1/events')
        .set(maker.auth)
        .send({ events: Array.from({ length: 501 }, () => ({})) })
        .expect(422);
      expect(tooMany.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'events', reason: expect.stringContaining('500') }] });
      const empty = await t.http().post('/v1/events').set(maker.auth).send({ events: [] }).expect(422);
      expect(empty.body.error.details[0].path).toBe('events');
      const extra = await t
        .http()
        .post('/v1/events')
        .set(maker.auth)
        .send({ events: [{}], mode: 'best', colour: 'red' })
        .expect(422);
      expect(extra.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['colour', 'mode']);
      const notArray = await t
        .http()
        .post('/v1/events')
        .set(maker.auth)
        .send({ events: { type: 'produced' } })
        .expect(422);
      expect(notArray.body.error.details[0].path).toBe('events');
      const badDryRun = await t
        .http()
        .post('/v1/events?dryRun=maybe')
        .set(maker.auth)
        .send({ events: [{}] })
        .expect(422);
      expect(badDryRun.body.error.details[0].path).toBe('dryRun');
      const junk = await postEvents(t, maker, [42, null, 'x']);
      expect(junk).toMatchObject({ status: 'REJECTED', counts: { total: 3, rejected: 3 } });
      expect(junk.results[0].reasons).toEqual([expect.objectContaining({ path: 'events[0]', rule: 'SHAPE' })]);
    });

    it('refuses bodies no handler should see (an own __proto__ key, nesting without end) with a 422, not a 500', async () => {
      // JSON.parse keeps "__proto__" as a key; copied with Object.assign it became the envelope's prototype.
      const proto = await t.http().post('/v1/events').set(maker.auth).set('Content-Type', 'application/json').send('{"__proto__": null}').expect(422);
      expect(proto.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: '__proto__', reason: 'is not an accepted field name' }] });
      const inPayload = '{"events": [{"type": "repaired", "payload": {"__proto__": {"isAdmin": true}}}]}';
      const nestedProto = await t.http().post('/v1/events').set(maker.auth).set('Content-Type', 'application/json').send(inPayload).expect(422);
      expect(nestedProto.body.error.details).toEqual([{ path: 'events[0].payload.__proto__', reason: 'is not an accepted field name' }]);
      // A registration nested thousands of levels deep exhausted the stack of the global pipe's recursive transform.
      // (Written as text: the test client's own serialiser recurses too.)
      const attributes = JSON.stringify(moduleAttrs).slice(1, -1);
      const open = Array.from({ length: 5000 }, () => `{"code": "${originalCode('M', next())}", ${attributes}, "components": [`).join('');
      const body = `{"batteries": [${open}{"code": "${originalCode('C', next())}", ${JSON.stringify(cellAttrs).slice(1, -1)}}${']}'.repeat(5000)}]}`;
      const deep = await t.http().post('/v1/batteries').set(maker.auth).set('Content-Type', 'application/json').send(body).expect(422);
      expect(deep.body.error.details).toEqual([
        { path: expect.stringMatching(/^batteries\[0\]\.components\[0\]\./), reason: 'is nested deeper than 32 levels' },
      ]);
    });

    it('refuses text holding half a surrogate pair or a NUL, which PostgreSQL cannot store as sent, and records nothing', async () => {
      const { pack } = await producePack(0);
      const before = await t.sql('SELECT count(*)::int AS n FROM lifecycle_events');
      // Refused for the whole request before the ledger sees it (upload rows, which do not come through HTTP bodies,
      // are refused event by event by the ledger's own check: prevalidate.spec.ts).
      for (const [event, path] of [
        [{ type: 'repaired', batteryCodes: [pack], occurredAt: at(2), payload: { description: 'cell \ud83d swapped' } }, 'events[1].payload.description'],
        [{ type: 'repaired', batteryCodes: [pack], occurredAt: at(2), clientEventId: 'fix-\udc00', payload: { description: 'ok' } }, 'events[1].clientEventId'],
        [{ type: 'repaired', batteryCodes: [pack], occurredAt: at(2), payload: { description: 'a\u0000b' } }, 'events[1].payload.description'],
      ] as const) {
        const ok = { type: 'repaired', batteryCodes: [pack], occurredAt: at(2), payload: { description: 'fine' } };
        const res = await t
          .http()
          .post('/v1/events')
          .set(maker.auth)
          .send({ events: [ok, event] })
          .expect(422);
        expect(res.body.error.details).toEqual([{ path, reason: expect.stringContaining('unpaired UTF-16 surrogates') }]);
      }
      expect(await t.sql('SELECT count(*)::int AS n FROM lifecycle_events')).toEqual(before);
    });
  });

  describe('idempotency', () => {
    it('answers a repeated client event id with the original event id, and writes nothing again', async () => {
      const { pack } = await producePack(0);
      const event = { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc, clientEventId: 'dn-42' };
      const first = await postEvents(t, maker, [event]);
      const again = await postEvents(t, maker, [event]);
      expect(again).toMatchObject({ status: 'ACCEPTED', counts: { accepted: 0, duplicate: 1, rejected: 0 } });
      expect(again.results[0]).toMatchObject({ status: 'duplicate', eventId: first.results[0].eventId, duplicateOf: 'clientEventId' });
      const reused = await reject(t, maker, { ...event, payload: { deliveryNoteNo: 'other' } });
      expect(reused).toEqual([
        expect.objectContaining({
          rule: 'CLIENT_EVENT_ID_REUSED',
          reason: `clientEventId 'dn-42' was already used by you for a different event (${first.results[0].eventId})`,
        }),
      ]);
      const rows = await t.sql('SELECT 1 FROM lifecycle_events WHERE client_event_id = $1', ['dn-42']);
      expect(rows).toHaveLength(1);
    });

    it('answers repeated content without a client id (same content hash) with the original event id', async () => {
      const { pack } = await producePack(0);
      const event = { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc };
      const first = await postEvents(t, maker, [event]);
      const second = await postEvents(t, maker, [event, event]);
      expect(second.results.map((r) => [r.status, r.eventId, r.duplicateOf])).toEqual([
        ['duplicate', first.results[0].eventId, 'contentHash'],
        ['duplicate', first.results[0].eventId, 'contentHash'],
      ]);
      const [row] = await t.sql<{ n: string }>('SELECT count(*) AS n FROM battery_event_chain WHERE battery_code = $1', [pack]);
      expect(Number(row.n)).toBe(2);
    });

    it('answers repeated content as a duplicate also when the battery has moved on since, and for a repeated correction', async () => {
      const { pack } = await producePack(0);
      const car = vin(next());
      const delivered = { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc, payload: { deliveryNoteNo: 'DN-RETRY' } };
      const first = await accept(t, maker, delivered);
      const installed = await accept(t, vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: car });
      // The maker's system sends its delivery again after the vehicle maker has installed the pack: the same
      // content, dated before the battery's last event. It is the original, not an illegal step.
      const retried = await postEvents(t, maker, [delivered]);
      expect(retried.results[0]).toMatchObject({ status: 'duplicate', eventId: first, duplicateOf: 'contentHash' });
      // A correction is chained without moving the battery's last event: sent twice, it is recorded once.
      const correction = {
        type: 'correction',
        batteryCodes: [pack],
        occurredAt: at(3),
        correctionOf: installed,
        payload: { reason: 'installed an hour earlier' },
      };
      const corrected = await accept(t, vm, correction);
      const again = await postEvents(t, vm, [correction]);
      expect(again.results[0]).toMatchObject({ status: 'duplicate', eventId: corrected, duplicateOf: 'contentHash' });
      const [row] = await t.sql<{ n: string }>('SELECT count(*) AS n FROM battery_event_chain WHERE battery_code = $1', [pack]);
      expect(Number(row.n)).toBe(4);
    });

    it('stores client ids and payload text with tabs, line breaks, backslashes and quotes exactly, and still finds them', async () => {
      const { pack } = await producePack(0);
      const tricky = 'a\tb\nc\rd\\e\\.f"g{h},i\\N';
      const event = {
        type: 'delivered',
        batteryCodes: [pack],
        occurredAt: at(1),
        counterpartyUscc: vm.uscc,
        clientEventId: `dn ${tricky}`,
        payload: { deliveryNoteNo: tricky },
      };
      const first = await postEvents(t, maker, [event]);
      expect(first.results[0]).toMatchObject({ status: 'accepted' });
      const [row] = await t.sql<{ client_event_id: string; payload: { deliveryNoteNo: string }; battery_codes: string[] }>(
        'SELECT client_event_id, payload, battery_codes FROM lifecycle_events WHERE id = $1',
        [first.results[0].eventId],
      );
      expect(row).toEqual({ client_event_id: `dn ${tricky}`, payload: { deliveryNoteNo: tricky }, battery_codes: [pack] });
      const again = await postEvents(t, maker, [event]);
      expect(again.results[0]).toMatchObject({ status: 'duplicate', eventId: first.results[0].eventId, duplicateOf: 'clientEventId' });
      const verified = await t.http().get(`/v1/batteries/${pack}/verify`).set(maker.auth).expect(200);
      expect(verified.body).toMatchObject({ ok: true, length: 2 });
    });

    it('concurrent identical batches record each event once', async () => {
      const codes = Array.from({ length: 20 }, () => originalCode('P', next()));
      const events = codes.map((c) => ({ type: 'produced', batteryCodes: [c], occurredAt: at(0), payload: attrs }));
      const results = await Promise.all([postEvents(t, maker, events), postEvents(t, maker, events), postEvents(t, maker, events)]);
      const accepted = results.reduce((n, r) => n + r.counts.accepted, 0);
      const duplicate = results.reduce((n, r) => n + r.counts.duplicate, 0);
      expect([accepted, duplicate]).toEqual([20, 40]);
      const [row] = await t.sql<{ n: string }>('SELECT count(*) AS n FROM lifecycle_events WHERE battery_codes && $1::varchar[]', [codes]);
      expect(Number(row.n)).toBe(20);
    });

    it('concurrent identical hand-overs of registered batteries: one is recorded, the repeats are duplicates, not rejections', async () => {
      // The repeats queue on the first batch's row locks with reads that began before it committed, so they do
      // not see its events; a repeated hand-over is a legal step, so only the unique content key (first code,
      // hash) stops them from being written again: the conflict makes each repeat run again and find them.
      const codes = Array.from({ length: 20 }, () => originalCode('P', next()));
      await postEvents(
        t,
        maker,
        codes.map((c) => ({ type: 'produced', batteryCodes: [c], occurredAt: at(0), payload: attrs })),
      );
      const events = codes.map((c, i) => ({
        type: 'delivered',
        batteryCodes: [c],
        occurredAt: at(1),
        counterpartyUscc: vm.uscc,
        payload: { deliveryNoteNo: `DN-R${i}` },
      }));
      // Another transaction holds the batteries, so that all three batches start reading before any of them
      // can write, then queue on the row locks.
      const blocker = new Client({ connectionString: t.config.databaseUrl! });
      await blocker.connect();
      let results: Awaited<ReturnType<typeof postEvents>>[];
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT code FROM batteries WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE', [codes]);
        const pending = [1, 2, 3].map(() => postEvents(t, maker, events, { mode: 'atomic' }));
        for (let waiting = 0, tries = 0; waiting < 3; tries++) {
          if (tries > 500) throw new Error(`only ${waiting} batches queued on the row locks`);
          await new Promise((r) => setTimeout(r, 10));
          const [w] = await t.sql<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
          waiting = Number(w.n);
        }
        await blocker.query('COMMIT');
        results = await Promise.all(pending);
      } finally {
        await blocker.end();
      }
      expect(results.map((r) => r.status)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
      expect([results.reduce((n, r) => n + r.counts.accepted, 0), results.reduce((n, r) => n + r.counts.duplicate, 0)]).toEqual([20, 40]);
      const [row] = await t.sql<{ n: string }>("SELECT count(*) AS n FROM lifecycle_events WHERE type = 'delivered' AND battery_codes && $1::varchar[]", [
        codes,
      ]);
      expect(Number(row.n)).toBe(20);
    });
  });

  describe('atomic, partial and dry run', () => {
    async function counts() {
      const [row] = await t.sql<{ e: string; b: string; c: string; a: string }>(
        `SELECT (SELECT count(*) FROM lifecycle_events) AS e, (SELECT count(*) FROM batteries) AS b,
                (SELECT count(*) FROM battery_event_chain) AS c, (SELECT count(*) FROM audit_log WHERE action = 'lifecycle.events_recorded') AS a`,
      );
      return { events: Number(row.e), batteries: Number(row.b), links: Number(row.c), audits: Number(row.a) };
    }
    const good = () => ({ type: 'produced', batteryCodes: [originalCode('P', next())], occurredAt: at(0), payload: attrs });
    const bad = () => ({
      type: 'produced',
      batteryCodes: [originalCode('P', next())],
      occurredAt: at(0),
      payload: { nominalCapacityAh: 0, nominalVoltageV: 1 },
    });

    it('partial (the default) records the valid events', async () => {
      const before = await counts();
      const body = await postEvents(t, maker, [good(), bad(), good()]);
      expect(body).toMatchObject({ status: 'PARTIALLY_ACCEPTED', counts: { accepted: 2, rejected: 1 } });
      expect(await counts()).toEqual({ events: before.events + 2, batteries: before.batteries + 2, links: before.links + 2, audits: before.audits + 1 });
    });

    it('atomic records nothing when one event is rejected, and says why for each', async () => {
      const before = await counts();
      const body = await postEvents(t, maker, [good(), bad()], { mode: 'atomic' });
      expect(body).toMatchObject({ status: 'REJECTED', counts: { accepted: 0, rejected: 2 } });
      expect(body.results[0].reasons).toEqual([expect.objectContaining({ rule: 'ATOMIC' })]);
      expect(body.results[1].reasons).toEqual([expect.objectContaining({ rule: 'INVALID_VALUE', path: 'events[1].payload.nominalCapacityAh' })]);
      expect(await counts()).toEqual(before);
      const ok = await postEvents(t, maker, [good(), good()], { mode: 'atomic' });
      expect(ok).toMatchObject({ status: 'ACCEPTED', counts: { accepted: 2 } });
    });

    it('a dry run checks everything, the state machine included, and writes nothing', async () => {
      const before = await counts();
      const p = good();
      const code = p.batteryCodes[0];
      const body = await postEvents(
        t,
        maker,
        [
          p,
          { type: 'delivered', batteryCodes: [code], occurredAt: at(1), counterpartyUscc: vm.uscc },
          { type: 'recycled', batteryCodes: [code], occurredAt: at(2), payload: { processedMassKg: 1 } },
        ],
        { dryRun: true },
      );
      expect(body).toMatchObject({ status: 'PARTIALLY_ACCEPTED', dryRun: true, counts: { accepted: 2, rejected: 1 } });
      expect(body.results[0].eventId).toBeUndefined();
      expect(body.results[2].reasons!.map((r) => r.rule)).toEqual(['ROLE', 'STATE_TRANSITION']);
      expect(await counts()).toEqual(before);
      expect(await t.sql('SELECT 1 FROM batteries WHERE code = $1', [code])).toHaveLength(0);
    });
  });

  it('records a correction of the reporter’s own event and never changes the original', async () => {
    const { pack } = await producePack(0);
    const car = vin(next());
    await accept(t, maker, { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc });
    await accept(t, vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: car });
    const certified = await accept(t, vm, {
      type: 'vehicle_certified',
      batteryCodes: [pack],
      occurredAt: at(3),
      vin: car,
      payload: { certificateNo: 'WCC-WRONG' },
    });
    const correction = await accept(t, vm, {
      type: 'correction',
      batteryCodes: [pack],
      occurredAt: at(4),
      correctionOf: certified,
      payload: { reason: 'typo in the certificate number', field: 'payload.certificateNo', correctValue: 'WCC-RIGHT' },
    });
    const [original] = await t.sql<{ payload: Record<string, unknown> }>('SELECT payload FROM lifecycle_events WHERE id = $1', [certified]);
    expect(original.payload).toEqual({ certificateNo: 'WCC-WRONG' });
    const [row] = await t.sql<{ correction_of: string; type: string }>('SELECT correction_of, type FROM lifecycle_events WHERE id = $1', [correction]);
    expect(row).toEqual({ correction_of: certified, type: 'correction' });
    expect(await battery(pack, vm)).toMatchObject({ status: 'certified', lastEvent: { id: certified }, chain: { seq: 5 } });
    // Another enterprise cannot correct it; the original cannot be edited in the database either.
    expect(await reject(t, dealer, { type: 'correction', batteryCodes: [pack], occurredAt: at(4), correctionOf: certified, payload: { reason: 'x' } })).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'CORRECTION_TARGET' })]),
    );
    await expect(t.sql(`UPDATE lifecycle_events SET payload = '{}' WHERE id = $1`, [certified])).rejects.toThrow(/append-only/);
    await expect(t.sql('DELETE FROM battery_event_chain WHERE event_id = $1', [certified])).rejects.toThrow(/append-only/);
    // Row triggers do not fire on TRUNCATE: a statement trigger refuses it on every append-only table.
    for (const table of ['lifecycle_events', 'battery_event_chain', 'battery_origins', 'battery_parties', 'ledger_checkpoints', 'audit_log', 'coding_rules']) {
      await expect(t.sql(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/append-only: TRUNCATE is not allowed/);
    }
    expect((await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM lifecycle_events'))[0].n).toBeGreaterThan(0);
  });

  describe('tamper evidence', () => {
    it('verifies an intact chain, then names an event edited in SQL and a deleted link', async () => {
      const { pack } = await producePack(0);
      await accept(t, maker, { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc, payload: { deliveryNoteNo: 'DN-7' } });
      await accept(t, vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: vin(next()) });
      const ok = await t.http().get(`/v1/batteries/${pack}/verify`).set(maker.auth).expect(200);
      expect(ok.body).toMatchObject({ batteryCode: pack, ok: true, length: 3, firstBroken: null });
      const [head] = await t.sql<{ chain_head: Buffer }>('SELECT chain_head FROM batteries WHERE code = $1', [pack]);
      expect(ok.body.head).toBe(head.chain_head.toString('hex'));

      const [delivered] = await t.sql<{ id: string }>(`SELECT id FROM lifecycle_events WHERE type = 'delivered' AND $1 = ANY(battery_codes)`, [pack]);
      // Bypass the append-only trigger as a superuser would.
      await t.sql(`SET session_replication_role = replica; UPDATE lifecycle_events SET payload = '{"deliveryNoteNo":"DN-8"}' WHERE id = '${delivered.id}'`);
      const edited = await t.http().get(`/v1/batteries/${pack}/verify`).set(maker.auth).expect(200);
      expect(edited.body).toMatchObject({ ok: false, length: 1, firstBroken: { seq: 2, eventId: delivered.id, problem: 'content_hash_mismatch' } });
      expect(edited.body.firstBroken.message).toMatch(/changed after it was recorded/);
      await t.sql(`SET session_replication_role = replica; UPDATE lifecycle_events SET payload = '{"deliveryNoteNo":"DN-7"}' WHERE id = '${delivered.id}'`);
      expect((await t.http().get(`/v1/batteries/${pack}/verify`).set(maker.auth).expect(200)).body.ok).toBe(true);

      await t.sql(`SET session_replication_role = replica; DELETE FROM battery_event_chain WHERE battery_code = '${pack}' AND seq = 2`);
      const deleted = await t.http().get(`/v1/batteries/${pack}/verify`).set(maker.auth).expect(200);
      expect(deleted.body).toMatchObject({ ok: false, firstBroken: { seq: 2, problem: 'missing_link' } });

      // Deleting the last link is caught against the battery's recorded head.
      const other = await producePack(0);
      await accept(t, maker, { type: 'delivered', batteryCodes: [other.pack], occurredAt: at(1), counterpartyUscc: vm.uscc });
      await t.sql(`SET session_replication_role = replica; DELETE FROM battery_event_chain WHERE battery_code = '${other.pack}' AND seq = 2`);
      const tail = await t.http().get(`/v1/batteries/${other.pack}/verify`).set(maker.auth).expect(200);
      expect(tail.body).toMatchObject({ ok: false, length: 1, firstBroken: { seq: 2, problem: 'missing_link' } });
    });
  });
});
