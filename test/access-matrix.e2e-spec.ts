import { at, createFirm, type Firm, producePack } from './support/ledger-world';
import { bearer, randomUscc, startTestApp, type TestApp } from './support/test-app';

/**
 * Every endpoint × every kind of caller (issue 18): the access policy of libs/access as README's "Who may do what"
 * states it, checked over HTTP. A row is an endpoint; a column a caller; a cell the status expected. Enterprise A and
 * the regional regulator are in Fujian (35), enterprise B in Guangdong; A's pack and its events are A's.
 */
type Caller = 'none' | 'admin' | 'entA' | 'entB' | 'regional' | 'national' | 'revoked';
const CALLERS: Caller[] = ['none', 'admin', 'entA', 'entB', 'regional', 'national', 'revoked'];

interface World {
  a: Firm;
  b: Firm;
  pack: string;
  eventId: string;
}

type Row = [
  method: 'get' | 'post' | 'patch',
  path: (w: World) => string,
  expected: Partial<Record<Caller, number>> & { others: number },
  body?: (w: World) => unknown,
];

const ALL_READ = { none: 401, revoked: 401, others: 200 };
const ROWS: Row[] = [
  ['get', () => '/v1/me', ALL_READ],
  ['get', () => '/v1/enterprises', ALL_READ],
  // Another firm's record answers as a missing one (404): a 403 would tell which ids are enterprises.
  ['get', (w) => `/v1/enterprises/${w.a.id}`, { none: 401, revoked: 401, entB: 404, others: 200 }],
  [
    'patch',
    (w) => `/v1/enterprises/${w.a.id}`,
    { none: 401, revoked: 401, admin: 200, entA: 200, entB: 404, others: 403 },
    () => ({ address: '福州市鼓楼区' }),
  ],
  ['patch', (w) => `/v1/enterprises/${w.a.id}`, { none: 401, revoked: 401, admin: 200, entB: 404, others: 403 }, () => ({ regionCode: '350102' })],
  [
    'post',
    () => '/v1/enterprises',
    { none: 401, revoked: 401, admin: 201, others: 403 },
    () => ({ name: 'New firm', uscc: randomUscc(), roles: ['dealer'], regionCode: '350102' }),
  ],
  ['get', (w) => `/v1/enterprises/${w.a.id}/api-keys`, { none: 401, revoked: 401, admin: 200, entA: 200, entB: 404, others: 403 }],
  ['get', () => '/v1/regulators', { none: 401, revoked: 401, admin: 200, others: 403 }],
  [
    'post',
    () => '/v1/manufacturer-codes',
    { none: 401, revoked: 401, admin: 201, others: 403 },
    (w) => ({ code: 'Z98', enterpriseId: w.a.id, certificateDate: '2026-01-05' }),
  ],
  ['get', () => '/v1/manufacturer-codes', ALL_READ],
  ['get', () => '/v1/batteries', ALL_READ],
  ['get', (w) => `/v1/batteries/${w.pack}`, { none: 401, revoked: 401, entB: 404, others: 200 }],
  ['get', (w) => `/v1/batteries/${w.pack}/trace`, { none: 401, revoked: 401, entB: 404, others: 200 }],
  ['get', (w) => `/v1/batteries/${w.pack}/verify`, { none: 401, revoked: 401, entB: 404, others: 200 }],
  [
    'post',
    () => '/v1/events?dryRun=true',
    { none: 401, revoked: 401, entA: 200, entB: 200, others: 403 },
    (w) => ({ events: [{ type: 'delivered', batteryCodes: [w.pack], occurredAt: at(5), counterpartyUscc: w.b.uscc }] }),
  ],
  ['get', () => '/v1/events', ALL_READ],
  ['get', (w) => `/v1/events/${w.eventId}`, { none: 401, revoked: 401, entB: 404, others: 200 }],
  ['get', () => '/v1/events?format=csv', ALL_READ],
  ['get', () => '/v1/audit-log', ALL_READ],
  ['get', () => '/v1/audit-log?format=csv', ALL_READ],
  ['get', () => '/v1/uploads', ALL_READ],
  ['get', () => '/v1/ledger/checkpoints', { none: 401, revoked: 401, entA: 403, entB: 403, others: 200 }],
  ['post', () => '/v1/ledger/checkpoints', { none: 401, revoked: 401, admin: 201, others: 403 }],
  ['get', () => '/v1/ledger/verify', { none: 401, revoked: 401, entA: 403, entB: 403, others: 200 }],
];

describe('access matrix: every endpoint × every kind of caller', () => {
  let t: TestApp;
  let world: World;
  const keys = {} as Record<Caller, string | null>;
  let serial = 0;

  beforeAll(async () => {
    t = await startTestApp();
    const admin = bearer(t.adminKey);
    const a = await createFirm(t, '福建电池 A', ['battery_maker'], '350102', ['001']);
    const b = await createFirm(t, '广东经销 B', ['vehicle_maker'], '440305');
    const { pack } = await producePack(t, a, () => ++serial);
    const [produced] = await t.sql<{ id: string }>("SELECT id FROM lifecycle_events WHERE type = 'produced' AND $1 = ANY(battery_codes)", [pack]);
    world = { a, b, pack, eventId: produced.id };
    const regulator = async (regionPrefix?: string) => {
      const r = await t
        .http()
        .post('/v1/regulators')
        .set(admin)
        .send({ name: 'r', ...(regionPrefix ? { regionPrefix } : {}) })
        .expect(201);
      return (await t.http().post(`/v1/regulators/${r.body.id}/api-keys`).set(admin).send({ name: 'k' }).expect(201)).body.key as string;
    };
    const revoked = await t.http().post(`/v1/enterprises/${a.id}/api-keys`).set(admin).send({ name: 'old' }).expect(201);
    await t.http().delete(`/v1/api-keys/${revoked.body.id}`).set(admin).expect(204);
    Object.assign(keys, {
      none: null,
      admin: t.adminKey,
      entA: a.key,
      entB: b.key,
      regional: await regulator('35'),
      national: await regulator(),
      revoked: revoked.body.key,
    });
  }, 60_000);
  afterAll(() => t?.close());

  const cases = ROWS.flatMap(([method, path, expected, body], i) =>
    CALLERS.map((caller) => ({ i, method, path, body, caller, status: expected[caller] ?? expected.others })),
  );

  it.each(cases)('$method #$i as $caller → $status', async ({ method, path, body, caller, status }) => {
    let req = t.http()[method](path(world));
    const key = keys[caller];
    if (key) req = req.set(bearer(key));
    const res = await (body ? req.send(body(world) as object) : req);
    if (res.status !== status)
      throw new Error(`${method.toUpperCase()} ${path(world)} as ${caller}: ${res.status}, expected ${status}: ${res.text.slice(0, 300)}`);
  });
});
