import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { createFirm } from './support/ledger-world';

/** The outlet registry (POST/GET/PATCH /v1/outlets, status, inspections) against a real PostgreSQL. */
describe('recycling service outlets: registry (real PostgreSQL)', () => {
  let t: TestApp;
  let vm: Firm;
  let partner: Firm;
  let stranger: Firm;
  let regulatorFj: Record<string, string>;
  let regulatorGd: Record<string, string>;
  let n = 0;

  const outlet = (over: Record<string, unknown> = {}) => ({
    code: `NET-${++n}`,
    name: `福州网点${n}`,
    type: 'collection',
    address: '福建省福州市鼓楼区五四路1号',
    regionCode: '350102',
    coordinates: { lat: 26.08, lng: 119.3 },
    storageAreaM2: 20,
    capacityT: 4,
    contact: { name: '张伟', phone: '+86 591 1234 5678' },
    openedOn: '2025-06-01',
    publicationUrl: 'https://www.example.cn/outlets',
    ...over,
  });

  async function regulator(name: string, regionPrefix: string): Promise<Record<string, string>> {
    const admin = bearer(t.adminKey);
    const r = await t.http().post('/v1/regulators').set(admin).send({ name, regionPrefix }).expect(201);
    const k = await t.http().post(`/v1/regulators/${r.body.id}/api-keys`).set(admin).send({ name: 'k' }).expect(201);
    return bearer(k.body.key);
  }

  beforeAll(async () => {
    t = await startTestApp();
    vm = await createFirm(t, '福州汽车', ['vehicle_maker']);
    partner = await createFirm(t, '共建电池', ['battery_maker']);
    stranger = await createFirm(t, '别家车企', ['vehicle_maker']);
    regulatorFj = await regulator('福建省工信厅', '35');
    regulatorGd = await regulator('广东省工信厅', '44');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers an outlet with region names, history and an audit row; the owner reads it', async () => {
    const res = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ partners: [{ enterpriseId: partner.id, relation: 'co_built' }] }))
      .expect(201);
    expect(res.body).toMatchObject({
      owner: { id: vm.id, name: '福州汽车' },
      partners: [{ id: partner.id, relation: 'co_built' }],
      type: 'collection',
      region: { code: '350102', provinceName: '福建省', prefectureName: '福州市' },
      coordinates: { lat: 26.08, lng: 119.3 },
      storageAreaM2: 20,
      capacityT: 4,
      status: 'active',
      statusSince: '2025-06-01',
      ruleSet: 'cn-2026-outlets',
      statusHistory: [{ from: null, to: 'active', effectiveOn: '2025-06-01', reason: 'opened' }],
      stock: { count: 0, massT: 0, limitT: 4, overLimit: false },
    });
    expect(res.body.region.fullName).toContain('鼓楼区');
    const audit = await t.sql<{ action: string }>('SELECT action FROM audit_log WHERE entity_type = $1 AND entity_id = $2', ['outlet', res.body.id]);
    expect(audit.map((a) => a.action)).toEqual(['outlet.registered']);
    await t.http().get(`/v1/outlets/${res.body.id}`).set(partner.auth).expect(200);
  });

  it('refuses rule violations naming each rule and its source, and writes nothing', async () => {
    const before = await t.sql<{ n: string }>('SELECT count(*) AS n FROM outlets');
    const res = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ storageAreaM2: 8, capacityT: 6 }))
      .expect(422);
    expect(res.body.error.code).toBe('OUTLET_RULE_VIOLATION');
    expect(res.body.error.details).toEqual([
      expect.objectContaining({
        path: 'storageAreaM2',
        rule: 'OUTLET_COLLECTION_MIN_AREA',
        limit: 10,
        found: 8,
        source: expect.stringContaining('2019年第46号'),
      }),
      expect.objectContaining({ path: 'capacityT', rule: 'OUTLET_COLLECTION_MAX_STOCK', limit: 5, found: 6 }),
    ]);
    const storage = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ type: 'centralised_storage', capacityT: 20 }))
      .expect(422);
    expect(storage.body.error.details).toEqual([expect.objectContaining({ path: 'capacityT', rule: 'OUTLET_STORAGE_MIN_CAPACITY', limit: 30 })]);
    await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ type: 'centralised_storage', capacityT: 30 }))
      .expect(201);
    const after = await t.sql<{ n: string }>('SELECT count(*) AS n FROM outlets');
    expect(Number(after[0].n)).toBe(Number(before[0].n) + 1);
  });

  it('validates the region against the GB/T 2260 dataset; a retired code is read as its successor', async () => {
    const bad = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ regionCode: '359999' }))
      .expect(422);
    expect(bad.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ path: 'regionCode', reason: expect.stringContaining('GB/T 2260') })],
    });
    const notDigits = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ regionCode: '35A102' }))
      .expect(422);
    expect(notDigits.body.error.details[0].path).toBe('regionCode');
    const { RENAMED_REGIONS } = await import('#libs/regions');
    const renamed = RENAMED_REGIONS[0];
    const ok = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ regionCode: renamed.from }))
      .expect(201);
    expect(ok.body.region).toMatchObject({ code: renamed.to, submittedCode: renamed.from });
  });

  it('a duplicate code of the same owner is a 409 naming the existing outlet', async () => {
    const first = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ code: 'DUP-1' }))
      .expect(201);
    const again = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ code: 'DUP-1' }))
      .expect(409);
    expect(again.body.error).toMatchObject({ code: 'OUTLET_CODE_TAKEN', details: [expect.objectContaining({ outletId: first.body.id })] });
    // Another owner may use the same code.
    await t
      .http()
      .post('/v1/outlets')
      .set(stranger.auth)
      .send(outlet({ code: 'DUP-1' }))
      .expect(201);
  });

  it('access: owners and co-builders edit; others get 404; regulators read their region only and do not edit', async () => {
    const { body } = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ partners: [{ enterpriseId: partner.id, relation: 'co_built' }] }))
      .expect(201);
    await t.http().get(`/v1/outlets/${body.id}`).set(stranger.auth).expect(404);
    await t.http().patch(`/v1/outlets/${body.id}`).set(stranger.auth).send({ name: 'x' }).expect(404);
    const edited = await t.http().patch(`/v1/outlets/${body.id}`).set(partner.auth).send({ name: '共建网点', capacityT: 5 }).expect(200);
    expect(edited.body).toMatchObject({ name: '共建网点', capacityT: 5, version: 2 });
    await t.http().get(`/v1/outlets/${body.id}`).set(regulatorFj).expect(200);
    await t.http().get(`/v1/outlets/${body.id}`).set(regulatorGd).expect(404);
    await t.http().patch(`/v1/outlets/${body.id}`).set(regulatorFj).send({ name: 'x' }).expect(403);
    const listed = await t.http().get('/v1/outlets?region=3501').set(regulatorGd).expect(200);
    expect(listed.body.items).toEqual([]);
    const mine = await t.http().get(`/v1/outlets?enterpriseId=${partner.id}`).set(partner.auth).expect(200);
    expect(mine.body.items.map((o: { id: string }) => o.id)).toContain(body.id);
    expect(
      (await t.http().get('/v1/outlets').set(stranger.auth).expect(200)).body.items.every((o: { owner: { id: string } }) => o.owner.id === stranger.id),
    ).toBe(true);
    // The rules hold on updates too.
    const bad = await t.http().patch(`/v1/outlets/${body.id}`).set(vm.auth).send({ storageAreaM2: 5 }).expect(422);
    expect(bad.body.error.code).toBe('OUTLET_RULE_VIOLATION');
    expect((await t.http().get(`/v1/outlets/${body.id}`).set(vm.auth)).body.storageAreaM2).toBe(20);
    // An enterprise registers outlets only for itself.
    await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(outlet({ ownerEnterpriseId: stranger.id }))
      .expect(403);
    const byAdmin = await t
      .http()
      .post('/v1/outlets')
      .set(bearer(t.adminKey))
      .send(outlet({ ownerEnterpriseId: stranger.id }))
      .expect(201);
    expect(byAdmin.body.owner.id).toBe(stranger.id);
    // An administrator who names no owner is missing a field (422 naming it), not refused.
    const noOwner = await t.http().post('/v1/outlets').set(bearer(t.adminKey)).send(outlet()).expect(422);
    expect(noOwner.body.error.code).toBe('OUTLET_OWNER_REQUIRED');
    expect(noOwner.body.error.details[0].path).toBe('ownerEnterpriseId');
  });

  it('status changes keep a history with reasons; a closed outlet stays closed; inspections are recorded', async () => {
    const { body } = await t.http().post('/v1/outlets').set(vm.auth).send(outlet()).expect(201);
    const suspended = await t
      .http()
      .post(`/v1/outlets/${body.id}/status`)
      .set(vm.auth)
      .send({ status: 'suspended', reason: '消防整改', effectiveOn: '2026-02-01' })
      .expect(201);
    expect(suspended.body).toMatchObject({ status: 'suspended', statusSince: '2026-02-01' });
    const early = await t
      .http()
      .post(`/v1/outlets/${body.id}/status`)
      .set(vm.auth)
      .send({ status: 'active', reason: 'x', effectiveOn: '2026-01-01' })
      .expect(422);
    expect(early.body.error.code).toBe('OUTLET_DATE_ORDER');
    await t.http().post(`/v1/outlets/${body.id}/status`).set(vm.auth).send({ status: 'active', reason: '整改完成', effectiveOn: '2026-02-10' }).expect(201);
    const closed = await t
      .http()
      .post(`/v1/outlets/${body.id}/status`)
      .set(vm.auth)
      .send({ status: 'closed', reason: '门店关闭', effectiveOn: '2026-03-01' })
      .expect(201);
    expect(closed.body.statusHistory.map((h: { to: string; reason: string }) => `${h.to}:${h.reason}`)).toEqual([
      'active:opened',
      'suspended:消防整改',
      'active:整改完成',
      'closed:门店关闭',
    ]);
    const reopen = await t.http().post(`/v1/outlets/${body.id}/status`).set(vm.auth).send({ status: 'active', reason: 'x' }).expect(409);
    expect(reopen.body.error.code).toBe('OUTLET_STATUS_TRANSITION');
    const inspected = await t
      .http()
      .post(`/v1/outlets/${body.id}/inspections`)
      .set(regulatorFj)
      .send({ inspectedOn: '2026-02-05', result: 'rectification_required', inspector: '福州市消防支队 李明', findings: '灭火器过期' })
      .expect(201);
    expect(inspected.body.inspections).toEqual([
      expect.objectContaining({ inspectedOn: '2026-02-05', result: 'rectification_required', inspector: '福州市消防支队 李明' }),
    ]);
    await t
      .http()
      .post(`/v1/outlets/${body.id}/inspections`)
      .set(regulatorGd)
      .send({ inspectedOn: '2026-02-05', result: 'passed', inspector: 'x' })
      .expect(404);
    const bad = await t
      .http()
      .post(`/v1/outlets/${body.id}/inspections`)
      .set(vm.auth)
      .send({ inspectedOn: '2026-02-30', result: 'great', inspector: '' })
      .expect(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['inspectedOn', 'inspector', 'result']);
    const actions = await t.sql<{ action: string }>('SELECT action FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id', ['outlet', body.id]);
    expect(actions.map((a) => a.action)).toEqual([
      'outlet.registered',
      'outlet.status_changed',
      'outlet.status_changed',
      'outlet.status_changed',
      'outlet.inspected',
    ]);
  });

  it('outlets are never deleted, and their history is append-only', async () => {
    const { body } = await t.http().post('/v1/outlets').set(vm.auth).send(outlet()).expect(201);
    await expect(t.sql('DELETE FROM outlets WHERE id = $1', [body.id])).rejects.toThrow(/never deleted/);
    await expect(t.sql('UPDATE outlet_status_changes SET reason = $2 WHERE outlet_id = $1', [body.id, 'x'])).rejects.toThrow(/append-only/);
  });

  it('unknown ids and bad bodies are clear 4xx', async () => {
    await t.http().get('/v1/outlets/not-a-uuid').set(vm.auth).expect(404);
    await t.http().get('/v1/outlets/00000000-0000-4000-8000-000000000000').set(vm.auth).expect(404);
    const res = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send({ ...outlet(), type: 'depot', coordinates: { lat: 91, lng: 0 }, extra: 1 })
      .expect(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['type', 'coordinates.lat', 'extra']));
    const partners = await t
      .http()
      .post('/v1/outlets')
      .set(vm.auth)
      .send(
        outlet({
          partners: [
            { enterpriseId: vm.id, relation: 'co_built' },
            { enterpriseId: '00000000-0000-4000-8000-000000000000', relation: 'entrusted' },
          ],
        }),
      )
      .expect(422);
    expect(partners.body.error.details.map((d: { path: string }) => d.path)).toEqual(['partners[0].enterpriseId', 'partners[1].enterpriseId']);
  });
});
