import { residualTest, retiredPack } from './support/cascade-world';
import { at, createFirm, type Firm, postEvents, producePack } from './support/ledger-world';
import { outletBody } from './support/outlet-world';
import { bearer, randomUscc, startTestApp, type TestApp } from './support/test-app';

/**
 * Every endpoint × every kind of caller (issue 18): the access policy of libs/access as README's "Who may do what"
 * states it, checked over HTTP. A row is an endpoint; a column a caller; a cell the status expected. Enterprise A and
 * the regional regulator are in Fujian (35), enterprise B in Guangdong; A's pack and its events are A's. A is also a
 * cascade utiliser: it tested and assembled a cascade product from a retired pack of its own, owns an outlet in
 * Fujian, requested a report about itself, and is named as the sender by a Fujian recycler's custody claim; B is
 * party to none of these. Rows run in order (a write's row may change what a later row sees).
 */
type Caller = 'none' | 'admin' | 'entA' | 'entB' | 'regional' | 'national' | 'revoked';
const CALLERS: Caller[] = ['none', 'admin', 'entA', 'entB', 'regional', 'national', 'revoked'];

interface World {
  a: Firm;
  b: Firm;
  pack: string;
  eventId: string;
  outletId: string;
  reportId: string;
  testId: string;
  product: string;
  claimId: string;
}

type Row = [
  method: 'get' | 'post' | 'patch' | 'put',
  path: (w: World) => string,
  expected: Partial<Record<Caller, number>> & { others: number },
  body?: (w: World, caller: Caller) => unknown,
];

const ALL_READ = { none: 401, revoked: 401, others: 200 };
/** What the caller's read scope covers of A's things: all but B. */
const NOT_B = { none: 401, revoked: 401, entB: 404, others: 200 };
const ADMIN_ONLY = (ok: number) => ({ none: 401, revoked: 401, admin: ok, others: 403 });
/** Writes only enterprise keys make (refused to the others before the body is looked at). */
const ENTERPRISES_ONLY = (ok: number) => ({ none: 401, revoked: 401, entA: ok, entB: ok, others: 403 });
const NOT_ENTERPRISES = { none: 401, revoked: 401, entA: 403, entB: 403, others: 200 };
const GRADING_RULES = { maxCycleSpreadPercent: 2, vehicleReuseMinSohPercent: 95, applications: [{ field: 'energy_storage', minSohPercent: 60 }] };
const CALENDAR_2027 = ['2027-01-01', ...['05', '06', '07', '08', '09', '10', '11'].map((d) => `2027-02-${d}`), '2027-10-01', '2027-10-04', '2027-10-05'];
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
  ['get', (w) => `/v1/batteries/${w.pack}/passport`, NOT_B],
  ['get', () => '/v1/audit/verify', NOT_ENTERPRISES],
  ['post', () => '/v1/audit/checkpoints', ADMIN_ONLY(201)],

  // Compliance reports: an enterprise about itself, a regional regulator about its region and the firms registered there.
  ['get', () => '/v1/reports', ALL_READ],
  ['get', (w) => `/v1/reports/${w.reportId}`, NOT_B],
  ['get', (w) => `/v1/reports/${w.reportId}/download?format=csv`, NOT_B],
  [
    'post',
    () => '/v1/reports',
    { none: 401, revoked: 401, entB: 403, others: 202 },
    (w) => ({ type: 'timeliness', scope: `enterprise:${w.a.id}`, period: '2026' }),
  ],
  [
    'post',
    () => '/v1/reports',
    { none: 401, revoked: 401, admin: 202, national: 202, others: 403 },
    () => ({ type: 'timeliness', scope: 'region:44', period: '2026' }),
  ],
  [
    'post',
    () => '/v1/reports',
    { none: 401, revoked: 401, entA: 403, entB: 403, others: 202 },
    () => ({ type: 'timeliness', scope: 'region:3501', period: '2026' }),
  ],
  ['get', () => '/v1/report-schedules', NOT_ENTERPRISES],
  ['get', () => '/v1/calendar/years', ALL_READ],
  ['put', () => '/v1/calendar/years/2027', ADMIN_ONLY(200), () => ({ holidays: CALENDAR_2027, workdays: [], source: '国办发明电 (matrix)' })],

  // Outlets: the owner (and co-builders) edit, regulators read and inspect in their region, the public list needs no key.
  ['get', () => '/v1/outlets', ALL_READ],
  ['get', () => '/v1/outlets/unregistered', ALL_READ],
  ['get', (w) => `/v1/outlets/${w.outletId}`, NOT_B],
  ['get', (w) => `/v1/outlets/${w.outletId}/records`, NOT_B],
  [
    'post',
    () => '/v1/outlets',
    { none: 401, revoked: 401, admin: 201, entA: 201, others: 403 },
    (w) => outletBody({ ownerEnterpriseId: w.a.id, name: '矩阵网点' }),
  ],
  ['patch', (w) => `/v1/outlets/${w.outletId}`, { none: 401, revoked: 401, admin: 200, entA: 200, entB: 404, others: 403 }, () => ({ name: '鼓楼网点（改）' })],
  [
    'post',
    (w) => `/v1/outlets/${w.outletId}/status`,
    { none: 401, revoked: 401, admin: 201, entA: 201, entB: 404, others: 403 },
    // The admin suspends it, then A reopens it: each a valid change.
    (_w, caller) => ({ status: caller === 'admin' ? 'suspended' : 'active', reason: '矩阵' }),
  ],
  [
    'post',
    (w) => `/v1/outlets/${w.outletId}/inspections`,
    { none: 401, revoked: 401, entB: 404, others: 201 },
    () => ({ inspectedOn: '2026-02-05', result: 'passed', inspector: '矩阵' }),
  ],
  ['get', (w) => `/v1/enterprises/${w.a.id}/outlet-coverage`, NOT_B],
  ['get', () => '/v1/public/outlets', { others: 200 }],
  ['get', () => '/v1/public/outlets/nearest?lat=26.07&lng=119.29', { others: 200 }],

  // Residual tests and grading rules; cascade products and their labels (batteries: visible as the battery is).
  ['post', () => '/v1/residual-tests', ENTERPRISES_ONLY(200), () => ({ tests: [{}] })],
  ['get', () => '/v1/residual-tests', ALL_READ],
  ['get', (w) => `/v1/residual-tests/${w.testId}`, NOT_B],
  ['get', () => '/v1/residual-grading-rules', ALL_READ],
  ['post', () => '/v1/residual-grading-rules', ADMIN_ONLY(201), () => ({ rules: GRADING_RULES, basis: '矩阵' })],
  ['post', () => '/v1/cascade-products', ENTERPRISES_ONLY(422), () => ({})],
  ['get', () => '/v1/cascade-products', ALL_READ],
  ['get', (w) => `/v1/cascade-products/${w.product}`, NOT_B],
  ['get', (w) => `/v1/cascade-products/${w.product}/label`, NOT_B],

  // Custody claims: the claimant and the named sender read it; only the sender decides, once.
  ['get', () => '/v1/custody-claims', ALL_READ],
  ['get', (w) => `/v1/custody-claims/${w.claimId}`, NOT_B],
  ['post', (w) => `/v1/custody-claims/${w.claimId}/dispute`, { none: 401, revoked: 401, entA: 200, entB: 404, others: 403 }, () => ({ reason: '未交付' })],
  ['post', (w) => `/v1/custody-claims/${w.claimId}/confirm`, { none: 401, revoked: 401, entA: 409, entB: 404, others: 403 }],

  // Operations (their own middleware): administrators only.
  ['get', () => '/metrics', { none: 401, revoked: 401, admin: 200, others: 403 }],
  ['get', () => '/admin/queues', { none: 401, revoked: 401, admin: 200, others: 403 }],
];

describe('access matrix: every endpoint × every kind of caller', () => {
  let t: TestApp;
  let world: World;
  const keys = {} as Record<Caller, string | null>;
  let serial = 0;

  beforeAll(async () => {
    t = await startTestApp();
    const admin = bearer(t.adminKey);
    const a = await createFirm(t, '福建电池 A', ['battery_maker', 'cascade_utiliser'], '350102', ['001']);
    const b = await createFirm(t, '广东经销 B', ['vehicle_maker'], '440305');
    const { pack } = await producePack(t, a, () => ++serial);
    const [produced] = await t.sql<{ id: string }>("SELECT id FROM lifecycle_events WHERE type = 'produced' AND $1 = ANY(battery_codes)", [pack]);
    world = { a, b, pack, eventId: produced.id, ...(await aFirmsThings(a)) };
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

  /** A's residual test, cascade product, outlet, report, and a custody claim naming it (see the top). */
  async function aFirmsThings(a: Firm): Promise<Pick<World, 'outletId' | 'reportId' | 'testId' | 'product' | 'claimId'>> {
    const http = t.http();
    await http.patch(`/v1/enterprises/${a.id}`).set(a.auth).send({ address: '福州市鼓楼区工业路 1 号' }).expect(200);
    const cw = {
      maker: a,
      cascade: a,
      vm: await createFirm(t, '福州汽车', ['vehicle_maker']),
      dealer: await createFirm(t, '福州经销商', ['dealer']),
      dismantler: await createFirm(t, '拆解厂', ['dismantler']),
    };
    const next = () => ++serial;
    const { modules } = await retiredPack(t, cw, next, 10);
    const tested = await http
      .post('/v1/residual-tests')
      .set(a.auth)
      .send({ tests: modules.map((m) => residualTest(m, 112.5, 18)) })
      .expect(200);
    if (tested.body.counts.accepted !== modules.length) throw new Error(JSON.stringify(tested.body.results));
    const product = await http
      .post('/v1/cascade-products')
      .set(a.auth)
      .send({
        sourceCodes: modules,
        reuseLevel: 'module',
        applicationField: 'energy_storage',
        nominalCapacityAh: 110,
        nominalVoltageV: 87.6,
        gtin: '6901234567892',
        warrantyMonths: 36,
        specificationCode: '01',
        assembledAt: at(19),
      })
      .expect(201);
    const outlet = await http
      .post('/v1/outlets')
      .set(a.auth)
      .send(outletBody({ name: '鼓楼网点' }))
      .expect(201);
    // A recycler in Fujian reports receiving a pack of A's cascade stock that A never handed over: a claim on A.
    const { pack: held } = await retiredPack(t, cw, next, 20);
    const recycler = await createFirm(t, '福州再生', ['recycler']);
    const claim = await postEvents(t, recycler, [{ type: 'recycler_received', batteryCodes: [held], occurredAt: at(28), counterpartyUscc: a.uscc }]);
    if (!claim.results[0].claimId) throw new Error(JSON.stringify(claim.results[0]));
    const report = await http.post('/v1/reports').set(a.auth).send({ type: 'timeliness', period: '2026' }).expect(202);
    for (let i = 0; ; i++) {
      const status = (await http.get(`/v1/reports/${report.body.id}`).set(a.auth).expect(200)).body.status;
      if (status === 'done') break;
      if (status === 'failed' || i > 300) throw new Error(`report ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      outletId: outlet.body.id,
      reportId: report.body.id,
      testId: tested.body.results[0].testId,
      product: product.body.code,
      claimId: claim.results[0].claimId!,
    };
  }

  const cases = ROWS.flatMap(([method, path, expected, body], i) =>
    CALLERS.map((caller) => ({ i, method, path, body, caller, status: expected[caller] ?? expected.others })),
  );

  it.each(cases)('$method #$i as $caller → $status', async ({ method, path, body, caller, status }) => {
    let req = t.http()[method](path(world));
    const key = keys[caller];
    if (key) req = req.set(bearer(key));
    const res = await (body ? req.send(body(world, caller) as object) : req);
    if (res.status !== status)
      throw new Error(`${method.toUpperCase()} ${path(world)} as ${caller}: ${res.status}, expected ${status}: ${res.text.slice(0, 300)}`);
  });
});
