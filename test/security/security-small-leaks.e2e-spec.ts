import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/test-app';
import { bearer, startTestApp } from '../support/test-app';
import type { Firm } from './security-fixtures';
import { batteryCode, firm, regulator } from './security-fixtures';

/** Issue 13, item 10: answers that tell existing from missing, national figures for regional eyes, a header promised. */
describe('security: small leaks', () => {
  let t: TestApp;
  let maker: Firm;
  let other: Firm;
  beforeAll(async () => {
    t = await startTestApp({ publicRateLimitPerMinute: 3 });
    maker = await firm(t, ['battery_maker']);
    other = await firm(t, ['recycler'], '650102');
  });
  afterAll(async () => {
    await t?.close();
  });

  const answer = (res: { status: number; body: { error?: { code: string } } }) => ({ status: res.status, code: res.body.error?.code });

  it("gives an enterprise the same answer for another firm's enterprise id as for one that does not exist", async () => {
    for (const [method, path, body] of [
      ['get', (id: string) => `/v1/enterprises/${id}`, undefined],
      ['patch', (id: string) => `/v1/enterprises/${id}`, { address: 'x' }],
      ['post', (id: string) => `/v1/enterprises/${id}/api-keys`, { name: 'steal' }],
      ['get', (id: string) => `/v1/enterprises/${id}/api-keys`, undefined],
    ] as const) {
      const send = (id: string) => t.http()[method](path(id)).set(bearer(maker.key)).send(body);
      const existing = answer(await send(other.id));
      expect(existing).toEqual(answer(await send(randomUUID())));
      expect(existing).toEqual({ status: 404, code: 'ENTERPRISE_NOT_FOUND' });
    }
  });

  it('gives a regulator the same answer on DELETE /v1/api-keys/:id whether the key exists or not', async () => {
    const reg = await regulator(t);
    const existing = answer(await t.http().delete(`/v1/api-keys/${other.keyId}`).set(bearer(reg.key)));
    expect(existing).toEqual(answer(await t.http().delete(`/v1/api-keys/${randomUUID()}`).set(bearer(reg.key))));
    expect(existing.status).toBe(403);
    // and the key was not revoked
    await t.http().get('/v1/me').set(bearer(other.key)).expect(200);
  });

  it('shows a regional regulator the ledger check in totals, without national per-manufacturer counts', async () => {
    await t
      .http()
      .post('/v1/manufacturer-codes')
      .set(bearer(t.adminKey))
      .send({ code: '0L1', enterpriseId: maker.id, certificateDate: '2018-03-01' })
      .expect(201);
    await t
      .http()
      .post('/v1/batteries')
      .set(bearer(maker.key))
      .send({ batteries: [1, 2, 3].map((n) => ({ code: batteryCode('0L1', n), nominalCapacityAh: 50, nominalVoltageV: 350 })) })
      .expect(201);
    await t.http().post('/v1/ledger/checkpoints').set(bearer(t.adminKey)).expect(201);

    const national = (
      await t
        .http()
        .get('/v1/ledger/verify')
        .set(bearer((await regulator(t)).key))
        .expect(200)
    ).body;
    expect(national.ok).toBe(true);
    expect(national.recomputed.buckets['0L1']).toMatchObject({ count: 3 });

    const xinjiang = (await regulator(t, '65')).key;
    const regional = (await t.http().get('/v1/ledger/verify').set(bearer(xinjiang)).expect(200)).body;
    expect(regional.ok).toBe(true);
    expect(regional.recomputed.batteryCount).toBe(3);
    expect(regional.checkpoint.buckets).toEqual({});
    expect(regional.recomputed.buckets).toEqual({});
    const list = (await t.http().get('/v1/ledger/checkpoints').set(bearer(xinjiang)).expect(200)).body;
    expect(list.items[0].buckets).toEqual({});
    expect(JSON.stringify(regional) + JSON.stringify(list)).not.toContain('0L1');
  });

  it('sends the standard Retry-After header with a 429 on the public code endpoints', async () => {
    let res;
    for (let i = 0; i < 4; i++) res = await t.http().get('/v1/codes/001PB240000003B3C0221953');
    expect(res!.status).toBe(429);
    expect(res!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(res!.headers['retry-after'])).toBeGreaterThan(0);
  });
});
