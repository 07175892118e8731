import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { CascadeWorld } from './support/cascade-world';
import { createCascadeWorld, residualTest, retiredPack } from './support/cascade-world';
import type { Firm } from './support/ledger-world';
import { createFirm, originalCode } from './support/ledger-world';

describe('residual-capacity tests (GB/T 34015): records, derived values, grading, the residual_tested event', () => {
  let t: TestApp;
  let w: CascadeWorld;
  let other: Firm;
  let serial = 30_000;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp();
    w = await createCascadeWorld(t);
    other = await createFirm(t, '别家梯次', ['cascade_utiliser']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records one test (201): derived values, grade and rule-set version, and its residual_tested event in the ledger', async () => {
    const { modules } = await retiredPack(t, w, next);
    const res = await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send(residualTest(modules[0].toLowerCase(), 112.5, 8, { dcResistanceMOhm: 1.5, initialResistanceMOhm: 1.2, insulationCheck: 'pass' }))
      .expect(201);
    expect(res.body).toMatchObject({
      batteryCode: modules[0],
      productType: 'module',
      standard: 'GB/T 34015-2017',
      meanCapacityAh: 112.5,
      spreadPercent: 1,
      ratedCapacityAh: 150,
      ratedCapacityBasis: 'registration',
      ratedEnergyWh: 6570,
      ratedEnergyBasis: 'rated_capacity_x_nominal_voltage',
      sohCPercent: 75,
      sohEPercent: 6.16,
      resistanceIncreasePercent: 25,
      grade: 'cascade',
      applications: ['low_speed_vehicle', 'energy_storage', 'telecom_backup', 'ups_backup', 'street_lighting'],
      ruleSetVersion: 1,
    });
    const [event] = await t.sql<{ type: string; payload: Record<string, unknown>; id: string }>(
      'SELECT id, type, payload FROM lifecycle_events WHERE id = $1',
      [res.body.eventId],
    );
    expect(event).toMatchObject({ type: 'residual_tested', payload: { testRecordRef: res.body.id, sohPercent: 75, decision: 'cascade' } });
    const battery = await t.http().get(`/v1/batteries/${modules[0]}`).set(w.cascade.auth).expect(200);
    expect(battery.body).toMatchObject({ status: 'tested', holder: { id: w.cascade.id } });
    expect(await t.sql('SELECT 1 FROM audit_log WHERE action = $1 AND entity_id = $2', ['residual_tests.recorded', res.body.id])).toHaveLength(1);
    const got = await t.http().get(`/v1/residual-tests/${res.body.id}`).set(w.cascade.auth).expect(200);
    expect(got.body).toEqual(res.body);
    await t.http().get(`/v1/residual-tests/${res.body.id}`).set(other.auth).expect(404);
  });

  it('a batch answers per item; a battery the firm does not hold, a bad field, a failed check and an unstable spread each get their own result', async () => {
    const { pack, modules } = await retiredPack(t, w, next, 0);
    const held = await retiredPack(t, w, next, 0);
    const res = await t
      .http()
      .post('/v1/residual-tests?view=full')
      .set(w.cascade.auth)
      .send({
        tests: [
          residualTest(modules[0], 100, 8, { clientTestId: 'LAB-0' }),
          residualTest(held.modules[0], 140, 8, { clientTestId: 'LAB-1' }),
          residualTest(held.modules[1], 140, 8, { cutoffVoltageV: 5 }),
          residualTest(held.cells[0][0], 50, 8, { appearanceCheck: 'fail' }),
          residualTest(held.cells[0][1], 50, 8, {
            cycles: [
              { capacityAh: 100, energyWh: 360 },
              { capacityAh: 110, energyWh: 390 },
            ],
          }),
        ],
      })
      .expect(200);
    expect(res.body.counts).toEqual({ total: 5, accepted: 4, duplicate: 0, rejected: 1 });
    const [cascade, vehicle, bad, failed, spread] = res.body.results;
    expect(cascade.test).toMatchObject({
      sohCPercent: 66.67,
      grade: 'cascade',
      applications: ['energy_storage', 'telecom_backup', 'ups_backup', 'street_lighting'],
    });
    expect(vehicle.test).toMatchObject({ sohCPercent: 93.33, grade: 'vehicle_reuse', clientTestId: 'LAB-1' });
    expect(bad).toMatchObject({ status: 'rejected', reasons: [{ path: 'tests[2].cutoffVoltageV', reason: 'must be below chargeVoltageV' }] });
    expect(failed.test).toMatchObject({ grade: 'recycle', gradingReasons: [expect.stringContaining('appearance')] });
    expect(spread.test).toMatchObject({ grade: 'recycle', retest: true });
    const [ev] = await t.sql<{ payload: Record<string, unknown> }>('SELECT payload FROM lifecycle_events WHERE id = $1', [failed.test.eventId]);
    expect(ev.payload).toEqual({ testRecordRef: failed.test.id, sohPercent: 33.33, decision: 'recycle' });
    // What the batch answered is what was stored (the rows go as typed column arrays).
    for (const r of [cascade, vehicle, failed, spread]) {
      const stored = await t.http().get(`/v1/residual-tests/${r.test.id}`).set(w.cascade.auth).expect(200);
      expect(stored.body).toEqual(r.test);
    }

    // Same clientTestId again: the same record, nothing new; by default a batch answers with each test's summary.
    const again = await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send({
        tests: [
          residualTest(held.modules[0], 140, 9, { clientTestId: 'LAB-1' }),
          residualTest(held.modules[1], 140, 9, { clientTestId: 'LAB-2' }),
          residualTest(held.modules[1], 140, 9, { clientTestId: 'LAB-2' }),
          residualTest(held.cells[1][0], 50, 9, { cutoffVoltageV: 5 }),
        ],
      })
      .expect(200);
    expect(again.body.counts).toEqual({ total: 4, accepted: 1, duplicate: 2, rejected: 1 });
    const [repeated, fresh, repeatedInBatch, rejected] = again.body.results;
    expect(repeated).toEqual({
      index: 0,
      status: 'duplicate',
      testId: vehicle.test.id,
      eventId: vehicle.test.eventId,
      clientTestId: 'LAB-1',
      grade: 'vehicle_reuse',
      sohCPercent: 93.33,
      retest: false,
    });
    const stored = await t.http().get(`/v1/residual-tests/${fresh.testId}`).set(w.cascade.auth).expect(200);
    expect(fresh).toEqual({
      index: 1,
      status: 'accepted',
      testId: stored.body.id,
      eventId: stored.body.eventId,
      clientTestId: 'LAB-2',
      grade: stored.body.grade,
      sohCPercent: stored.body.sohCPercent,
      retest: stored.body.retest,
    });
    expect(stored.body).toMatchObject({ grade: 'vehicle_reuse', sohCPercent: 93.33, clientTestId: 'LAB-2' });
    expect(repeatedInBatch).toEqual({ ...fresh, index: 2, status: 'duplicate' });
    expect(rejected).toEqual({ index: 3, status: 'rejected', reasons: [{ path: 'tests[3].cutoffVoltageV', reason: 'must be below chargeVoltageV' }] });
    const badView = await t
      .http()
      .post('/v1/residual-tests?view=records')
      .set(w.cascade.auth)
      .send({ tests: [{}] })
      .expect(422);
    expect(badView.body.error.details).toEqual([expect.objectContaining({ path: 'view' })]);

    // Not held by this firm: the ledger refuses the event, so no test is stored.
    const notHeld = await t
      .http()
      .post('/v1/residual-tests')
      .set(other.auth)
      .send(residualTest(pack, 100, 9))
      .expect(422);
    expect(notHeld.body.error.code).toBe('RESIDUAL_TEST_REJECTED');
    expect(notHeld.body.error.details[0]).toMatchObject({ rule: expect.any(String) });
    expect(await t.sql('SELECT 1 FROM residual_tests WHERE enterprise_id = $1', [other.id])).toHaveLength(0);
  });

  it('a battery the firm may not see gets the answer an unregistered code gets, even when its values fail the units check', async () => {
    // 400 Ah measured against the 150 Ah on file is over 200 %: the units check would name the rated capacity of
    // another firm's module, and tell that the code is registered, before the ledger's own (blind) answer.
    const { modules } = await retiredPack(t, w, next, 0);
    const unregistered = originalCode('M', next());
    const answers = await Promise.all(
      [modules[0], unregistered].map(async (code) => {
        const res = await t
          .http()
          .post('/v1/residual-tests')
          .set(other.auth)
          .send(residualTest(code, 400, 9))
          .expect(422);
        return JSON.stringify(res.body.error.details).replaceAll(code, '<code>');
      }),
    );
    expect(answers[0]).not.toContain('150');
    expect(answers[0]).toBe(answers[1]);
    // The firm that holds it is told what is wrong.
    const own = await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send(residualTest(modules[0], 400, 9))
      .expect(422);
    expect(own.body.error.details).toEqual([
      expect.objectContaining({ path: 'cycles', reason: 'the residual capacity is 266.67 % of the rated 150 Ah: check the units' }),
    ]);
  });

  it('validates the body: unknown fields, missing fields, a cascade code, more than 500 tests', async () => {
    const res = await t.http().post('/v1/residual-tests').set(w.cascade.auth).send({ batteryCode: 'X', cycles: [], colour: 'red' }).expect(422);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['batteryCode', 'cycles', 'colour', 'testedAt', 'appearanceCheck']));
    const many = await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send({ tests: Array.from({ length: 501 }, () => ({})) })
      .expect(413);
    expect(many.body.error.code).toBe('TOO_MANY_TESTS');
    await t
      .http()
      .post('/v1/residual-tests')
      .set(bearer(t.adminKey))
      .send({ tests: [{}] })
      .expect(403);
  });

  it('grading rules: an administrator adds a version (audited); new tests name it; old ones keep theirs', async () => {
    const rules = { maxCycleSpreadPercent: 2, vehicleReuseMinSohPercent: 95, applications: [{ field: 'energy_storage', minSohPercent: 90 }] };
    await t.http().post('/v1/residual-grading-rules').set(w.cascade.auth).send({ rules, basis: 'mine' }).expect(403);
    const bad = await t
      .http()
      .post('/v1/residual-grading-rules')
      .set(bearer(t.adminKey))
      .send({ rules: { ...rules, vehicleReuseMinSohPercent: 85 }, basis: 'x' })
      .expect(422);
    expect(bad.body.error.code).toBe('INVALID_GRADING_RULES');
    const created = await t
      .http()
      .post('/v1/residual-grading-rules')
      .set(bearer(t.adminKey))
      .send({ rules, basis: 'stricter after the 2026 review' })
      .expect(201);
    expect(created.body).toMatchObject({ version: 2, current: true });
    const list = await t.http().get('/v1/residual-grading-rules').set(w.cascade.auth).expect(200);
    expect(list.body.map((r: { version: number; current: boolean }) => [r.version, r.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    const { modules } = await retiredPack(t, w, next, 0);
    const res = await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send(residualTest(modules[0], 140, 8))
      .expect(201);
    expect(res.body).toMatchObject({ sohCPercent: 93.33, grade: 'cascade', applications: ['energy_storage'], ruleSetVersion: 2 });
    expect(await t.sql('SELECT 1 FROM audit_log WHERE action = $1', ['residual_grading_rules.created'])).toHaveLength(1);

    const page = await t.http().get(`/v1/residual-tests?grade=cascade&from=2026-03-01&to=2026-03-01&limit=1`).set(w.cascade.auth).expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const page2 = await t.http().get(`/v1/residual-tests?grade=cascade&limit=1&cursor=${page.body.nextCursor}`).set(w.cascade.auth).expect(200);
    expect(page2.body.items[0].id).not.toBe(page.body.items[0].id);
    const byBattery = await t.http().get(`/v1/residual-tests?battery=${modules[0]}`).set(w.cascade.auth).expect(200);
    expect(byBattery.body.items.map((x: { id: string }) => x.id)).toEqual([res.body.id]);
    expect((await t.http().get(`/v1/residual-tests?battery=${modules[0]}`).set(other.auth).expect(200)).body.items).toEqual([]);
  });

  it('by file: POST /v1/uploads?kind=residual-tests records tests per row (cycles as columns), with the template', async () => {
    const { modules, cells } = await retiredPack(t, w, next, 0);
    const csv = await t.http().get('/v1/uploads/templates/residual-tests?format=csv').set(w.cascade.auth).expect(200);
    const header = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(',');
    expect(header.slice(0, 3)).toEqual(['clientTestId', 'batteryCode', 'testedAt']);
    expect(header).toEqual(expect.arrayContaining(['cycle1CapacityAh', 'cycle3EnergyWh', 'appearanceCheck']));
    const cols = [
      'clientTestId',
      'batteryCode',
      'testedAt',
      'ambientTemperatureC',
      'dischargeCurrentA',
      'chargeVoltageV',
      'cutoffVoltageV',
      'cycle1CapacityAh',
      'cycle1EnergyWh',
      'cycle2CapacityAh',
      'cycle2EnergyWh',
      'appearanceCheck',
    ];
    const file = [
      cols.join(','),
      `F-1,${modules[0]},2026-03-01 08:00,25,30,4.2,2.75,145,522,146,525,pass`,
      `F-2,${modules[1]},2026-03-01 08:00,25,30,4.2,2.75,112,-1,113,406,pass`,
      `F-3,${cells[0][0]},2026-03-01 08:00,25,30,4.2,2.75,140,504,,,fail`,
      `F-1,${modules[0]},2026-03-01 08:00,25,30,4.2,2.75,145,522,146,525,pass`,
    ].join('\r\n');
    const res = await t
      .http()
      .post('/v1/uploads?kind=residual-tests')
      .set(w.cascade.auth)
      .attach('file', Buffer.from(file), { filename: 'cycler.csv', contentType: 'text/csv' })
      .expect(202);
    let done:
      | {
          status: string;
          counts: Record<string, number>;
          results: { items: { row: number; status: string; eventId: string | null; reasons: { path: string }[] }[] };
        }
      | undefined;
    for (let i = 0; i < 300 && !['completed', 'failed'].includes(done?.status ?? ''); i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      done = (await t.http().get(`/v1/uploads/${res.body.id}`).set(w.cascade.auth).expect(200)).body;
    }
    expect(done).toMatchObject({ status: 'completed', counts: { accepted: 2, duplicate: 1, rejected: 1 } });
    const items = done!.results.items;
    expect(items.map((r) => [r.row, r.status])).toEqual([
      [2, 'accepted'],
      [3, 'rejected'],
      [4, 'accepted'],
      [5, 'duplicate'],
    ]);
    expect(items[1].reasons[0].path).toBe('cycle1EnergyWh');
    const first = await t.http().get(`/v1/residual-tests/${items[0].eventId}`).set(w.cascade.auth).expect(200);
    expect(first.body).toMatchObject({
      clientTestId: 'F-1',
      batteryCode: modules[0],
      cycles: [{ capacityAh: 145 }, { capacityAh: 146 }],
      grade: 'vehicle_reuse',
      testedAt: '2026-03-01T00:00:00.000Z',
    });
    expect(items[3].eventId).toBe(items[0].eventId);
    expect((await t.http().get(`/v1/residual-tests/${items[2].eventId}`).set(w.cascade.auth).expect(200)).body).toMatchObject({
      grade: 'recycle',
      appearanceCheck: 'fail',
    });
  });

  // Last in the file: the coding rule it files for 001/24 would give the other tests' modules a rated energy.
  it("rated values: the registration's, else the maker's coding rule in force on the production date (a module registered without rated energy)", async () => {
    const { pack, modules } = await retiredPack(t, w, next);
    const rule = {
      manufacturerCode: '001',
      specificationCode: '24',
      validFrom: '2020-01-01',
      productType: 'M',
      batteryType: 'B',
      shape: 'prismatic',
      dimensions: { lengthMm: 590, widthMm: 220, heightMm: 110 },
      ratedCapacityAh: 160,
      nominalVoltageV: 44,
      ratedEnergyKwh: 0.5,
      keyMaterials: { cathode: 'LiFePO4', anode: 'graphite' },
      traceabilityScheme: '8: plant; 9-14: line, shift and lot',
    };
    await t.http().post(`/v1/enterprises/${w.maker.id}/coding-rules`).set(bearer(t.adminKey)).send(rule).expect(201);
    const res = await t
      .http()
      .post('/v1/residual-tests?view=full')
      .set(w.cascade.auth)
      .send({ tests: [residualTest(modules[0], 112.5, 8), residualTest(pack, 112.5, 8)] })
      .expect(200);
    expect(res.body.status).toBe('ACCEPTED');
    const [module, packTest] = res.body.results.map((r: { test: unknown }) => r.test);
    // The module's registration has a rated capacity (150 Ah, kept) but no rated energy: the rule's 0.5 kWh.
    expect(module).toMatchObject({
      ratedCapacityAh: 150,
      ratedCapacityBasis: 'registration',
      ratedEnergyWh: 500,
      ratedEnergyBasis: 'coding_rule',
      sohCPercent: 75,
      sohEPercent: 81,
    });
    // The pack's registration holds all its rated values: the rule is not used.
    expect(packTest).toMatchObject({ ratedCapacityAh: 150, ratedCapacityBasis: 'registration', ratedEnergyWh: 52560, ratedEnergyBasis: 'registration' });
    const stored = await t.http().get(`/v1/residual-tests/${module.id}`).set(w.cascade.auth).expect(200);
    expect(stored.body).toMatchObject({ ratedEnergyWh: 500, ratedEnergyBasis: 'coding_rule' });
  });
});
