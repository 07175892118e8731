import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { createFirm } from './support/ledger-world';
import { outletBody, OutletWorld } from './support/outlet-world';

/** Public disclosure (no key), nearest search, and coverage against sales, against a real PostgreSQL. */
describe('recycling service outlets: public disclosure, nearest, coverage (real PostgreSQL)', () => {
  let t: TestApp;
  let maker: Firm;
  let vm: Firm;
  let repairer: Firm;
  let other: Firm;
  const register = async (firm: Firm, body: Record<string, unknown>) =>
    (await t.http().post('/v1/outlets').set(firm.auth).send(outletBody(body)).expect(201)).body;

  beforeAll(async () => {
    t = await startTestApp({ publicRateLimitPerMinute: 40 });
    maker = await createFirm(t, '宁德电池', ['battery_maker']);
    vm = await createFirm(t, '福州汽车', ['vehicle_maker']);
    repairer = await createFirm(t, '维修厂', ['repairer']);
    other = await createFirm(t, '=HYPERLINK("http://evil")', ['dealer']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists active outlets by region, type and words, without a key, paginated; suspended ones are hidden', async () => {
    const gulou = await register(vm, { name: '鼓楼网点', regionCode: '350102', coordinates: { lat: 26.082, lng: 119.298 } });
    const cangshan = await register(vm, {
      name: '仓山贮存中心',
      type: 'centralised_storage',
      capacityT: 40,
      regionCode: '350104',
      coordinates: { lat: 26.04, lng: 119.32 },
    });
    const xiamen = await register(vm, { name: '厦门网点', regionCode: '350203', coordinates: { lat: 24.45, lng: 118.08 } });
    await register(vm, { name: '广州网点', regionCode: '440103', coordinates: { lat: 23.12, lng: 113.26 } });
    const hidden = await register(vm, { name: '停用网点', regionCode: '350102', coordinates: { lat: 26.0821, lng: 119.2981 } });
    await t.http().post(`/v1/outlets/${hidden.id}/status`).set(vm.auth).send({ status: 'suspended', reason: '整改' }).expect(201);

    const fuzhou = (await t.http().get('/v1/public/outlets?region=3501').expect(200)).body;
    expect(fuzhou.items.map((o: { id: string }) => o.id)).toEqual([gulou.id, cangshan.id]);
    expect(fuzhou.items[0]).toMatchObject({
      name: '鼓楼网点',
      ownerName: '福州汽车',
      type: 'collection',
      region: { code: '350102', prefectureName: '福州市' },
      contact: { phone: '+86 591 1234 5678' },
    });
    expect(fuzhou.items[0]).not.toHaveProperty('storageAreaM2');
    const fujian = (await t.http().get('/v1/public/outlets?region=35&limit=2').expect(200)).body;
    expect(fujian.items).toHaveLength(2);
    const rest = (await t.http().get(`/v1/public/outlets?region=35&limit=2&cursor=${fujian.nextCursor}`).expect(200)).body;
    expect(rest).toEqual({ items: [expect.objectContaining({ id: xiamen.id })], nextCursor: null });
    const storage = (await t.http().get('/v1/public/outlets?type=centralised_storage').expect(200)).body;
    expect(storage.items.map((o: { id: string }) => o.id)).toEqual([cangshan.id]);
    const words = (
      await t
        .http()
        .get(`/v1/public/outlets?q=${encodeURIComponent('厦门')}`)
        .expect(200)
    ).body;
    expect(words.items.map((o: { id: string }) => o.id)).toEqual([xiamen.id]);
    const percent = (await t.http().get('/v1/public/outlets?q=%25').expect(200)).body;
    expect(percent.items).toEqual([]);
    const bad = await t.http().get('/v1/public/outlets?region=99&type=depot').expect(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['region', 'type']);
  });

  it('CSV download: every matching outlet, with formula-like cells neutralised', async () => {
    await register(other, { name: '+SUM(A1:A9)', address: '@cmd|calc', regionCode: '330106', coordinates: { lat: 30.27, lng: 120.15 } });
    const res = await t.http().get('/v1/public/outlets?region=33&format=csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('id,name,type,owner,address,region_code,region,lat,lng,contact_name,contact_phone,contact_email,publication_url');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`'+SUM(A1:A9)`);
    expect(lines[1]).toContain(`'@cmd|calc`);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('nearest: by great-circle distance, with the distance, filtered by type; widens until it finds enough', async () => {
    const near = (await t.http().get('/v1/public/outlets/nearest?lat=26.0745&lng=119.2965&limit=3').expect(200)).body;
    expect(near.items.map((o: { name: string }) => o.name)).toEqual(['鼓楼网点', '仓山贮存中心', '厦门网点']);
    expect(near.items[0].distanceKm).toBeGreaterThan(0.5);
    expect(near.items[0].distanceKm).toBeLessThan(1.5);
    expect(near.items[2].distanceKm).toBeGreaterThan(200);
    const storage = (await t.http().get('/v1/public/outlets/nearest?lat=23.1&lng=113.3&type=centralised_storage').expect(200)).body;
    expect(storage.items.map((o: { name: string }) => o.name)).toEqual(['仓山贮存中心']);
    const bad = await t.http().get('/v1/public/outlets/nearest?lat=95&lng=abc&limit=0').expect(422);
    expect([...new Set(bad.body.error.details.map((d: { path: string }) => d.path))].sort()).toEqual(['lat', 'limit', 'lng']);
  });

  it('coverage: a vehicle maker by prefecture (both rule sets), a battery maker by province only from 2026-04-01; gaps first', async () => {
    const world = new OutletWorld(t, maker, vm, repairer, 1000);
    // The battery maker's packs are found by its manufacturer code (001, the test codes' maker).
    await t
      .http()
      .post('/v1/manufacturer-codes')
      .set(bearer(t.adminKey))
      .send({ code: '001', enterpriseId: maker.id, certificateDate: '2018-03-01' })
      .expect(201);
    // Sales at hour 4 of 2026-03-01: Fuzhou twice, Quanzhou (3505) once, Guangzhou (4401) once.
    for (const region of ['350102', '350102', '350503', '440106']) await world.soldPack(region);
    const coverage = async (firm: Firm, on: string, auth = firm.auth) =>
      (await t.http().get(`/v1/enterprises/${firm.id}/outlet-coverage?on=${on}`).set(auth).expect(200)).body;

    const vm2019 = await coverage(vm, '2026-03-15');
    expect(vm2019.duties).toHaveLength(1);
    expect(vm2019.duties[0]).toMatchObject({ role: 'vehicle_maker', ruleSet: 'cn-2019-outlets', level: 'prefecture', regions: 3, gaps: 1 });
    expect(vm2019.duties[0].items.map((i: { regionKey: string; covered: boolean; sales: number }) => [i.regionKey, i.covered, i.sales])).toEqual([
      ['3505', false, 1],
      ['3501', true, 2],
      ['4401', true, 1],
    ]);
    expect(vm2019.duties[0].items[0].regionName).toContain('泉州市');
    // Before the sales there is nothing to cover.
    expect((await coverage(vm, '2026-02-28')).duties[0].items).toEqual([]);

    const bm2019 = await coverage(maker, '2026-03-15');
    expect(bm2019.duties[0]).toMatchObject({ role: 'battery_maker', level: null, gaps: 0 });
    const bm2026 = await coverage(maker, '2026-04-15');
    expect(bm2026.duties[0]).toMatchObject({ role: 'battery_maker', ruleSet: 'cn-2026-outlets', level: 'province', regions: 2, gaps: 2 });
    expect(bm2026.duties[0].items.map((i: { regionKey: string; sales: number }) => [i.regionKey, i.sales])).toEqual([
      ['35', 3],
      ['44', 1],
    ]);
    // An outlet co-built with the battery maker in Fujian closes one gap.
    const shared = await register(vm, { name: '共建网点', regionCode: '350102', partners: [{ enterpriseId: maker.id, relation: 'co_built' }] });
    expect((await coverage(maker, '2026-04-15')).duties[0]).toMatchObject({
      gaps: 1,
      items: [expect.objectContaining({ regionKey: '44', covered: false }), expect.objectContaining({ regionKey: '35', covered: true })],
    });
    // Closed before the date: not covering.
    await t.http().post(`/v1/outlets/${shared.id}/status`).set(vm.auth).send({ status: 'closed', reason: '关闭', effectiveOn: '2026-04-10' }).expect(201);
    expect((await coverage(maker, '2026-04-15')).duties[0].gaps).toBe(2);

    // Access (by the firm, as the enterprise record): another enterprise gets 404 as for an unknown id; a regulator
    // of the region may; of another region not.
    await t.http().get(`/v1/enterprises/${vm.id}/outlet-coverage`).set(other.auth).expect(404);
    const admin = bearer(t.adminKey);
    const reg = await t.http().post('/v1/regulators').set(admin).send({ name: '广东', regionPrefix: '44' }).expect(201);
    const key = await t.http().post(`/v1/regulators/${reg.body.id}/api-keys`).set(admin).send({ name: 'k' }).expect(201);
    await t.http().get(`/v1/enterprises/${vm.id}/outlet-coverage`).set(bearer(key.body.key)).expect(404);
    await coverage(vm, '2026-03-15', admin);
    const noDuty = await t.http().get(`/v1/enterprises/${repairer.id}/outlet-coverage`).set(admin).expect(422);
    expect(noDuty.body.error.code).toBe('NO_COVERAGE_DUTY');
  });

  it('the public endpoints are rate-limited per client (429 with Retry-After)', async () => {
    let last = 200;
    for (let i = 0; i < 45 && last !== 429; i++) last = (await t.http().get('/v1/public/outlets?region=44')).status;
    expect(last).toBe(429);
    const res = await t.http().get('/v1/public/outlets/nearest?lat=26&lng=119').expect(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after-public-codes'])).toBeGreaterThan(0);
  });
});
