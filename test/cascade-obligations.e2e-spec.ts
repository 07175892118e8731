import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { CascadeWorld } from './support/cascade-world';
import { createCascadeWorld, productBody, residualTest, retiredPack } from './support/cascade-world';
import { accept, at, cascadeCode, postEvents } from './support/ledger-world';
import { outletBody } from './support/outlet-world';

/**
 * The cascade obligations report reads the records other modules own: structured residual tests (art. 10,
 * libs/testing), product and label records (art. 15, libs/cascade) and outlet coverage (art. 19, libs/outlets).
 * Seeded: products through the API (complete, and one without a GTIN), assemblies by raw ledger events (a source
 * tested and graded for the application, one whose only test is a bare ledger event, one graded too low for the
 * application), and shipments into a prefecture with an outlet of the firm and one without.
 */
describe('cascade obligations report: arts. 10, 15 and 19 from the testing, cascade and outlet records', () => {
  let t: TestApp;
  let w: CascadeWorld;
  let serial = 70_000;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp();
    w = await createCascadeWorld(t);
    await t.http().patch(`/v1/enterprises/${w.cascade.id}`).set(w.cascade.auth).send({ address: '福州市鼓楼区工业路 1 号' }).expect(200);
    await t
      .http()
      .post('/v1/manufacturer-codes')
      .set(bearer(t.adminKey))
      .send({ code: 'C01', enterpriseId: w.cascade.id, certificateDate: '2022-01-01' })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A retired pack whose two modules the cascade firm tested at `capacityAh` of 150 Ah (75 %: energy storage allowed; 55 %: UPS only). */
  async function testedModules(capacityAh: number | null) {
    const { modules } = await retiredPack(t, w, next);
    if (capacityAh !== null) {
      const res = await t
        .http()
        .post('/v1/residual-tests')
        .set(w.cascade.auth)
        .send({ tests: modules.map((m) => residualTest(m, capacityAh, 8)) })
        .expect(200);
      expect(res.body.counts.accepted).toBe(modules.length);
    }
    return modules;
  }
  const product = (sourceCodes: string[], extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(productBody(sourceCodes, extra))
      .expect(201)
      .then((r) => r.body.code as string);
  const rawAssembly = async (sources: string[], application: string) => {
    const code = cascadeCode(next(), 'C01');
    const body = await postEvents(t, w.cascade, [
      {
        type: 'cascade_assembled',
        batteryCodes: sources,
        occurredAt: at(9),
        payload: { cascadeCode: code, nominalCapacityAh: 110, nominalVoltageV: 43.8, application },
      },
    ]);
    expect(body.results[0]).toMatchObject({ status: 'accepted' });
    return code;
  };

  it('lists each source without a test record or graded too low, each product without (complete) label data, and each prefecture shipped into without an outlet', async () => {
    // Complete products: no findings. One ships into Fuzhou (3501, no outlet of the firm), one into Shanghai (3101, an outlet).
    const fuzhou = await product(await testedModules(112.5));
    const shanghai = await product(await testedModules(112.5));
    await t
      .http()
      .post('/v1/outlets')
      .set(w.cascade.auth)
      .send(outletBody({ name: '上海网点', address: '上海市黄浦区中山东一路1号', regionCode: '310101', coordinates: { lat: 31.23, lng: 121.49 } }))
      .expect(201);
    await accept(t, w.cascade, {
      type: 'cascade_shipped',
      batteryCodes: [fuzhou],
      occurredAt: at(10),
      regionCode: '350102',
      payload: { customerName: '某储能电站' },
    });
    await accept(t, w.cascade, {
      type: 'cascade_shipped',
      batteryCodes: [shanghai],
      occurredAt: at(10),
      regionCode: '310101',
      payload: { customerName: '某数据中心' },
    });
    // A product without a GTIN (art. 15: label incomplete).
    const [m1] = await testedModules(112.5);
    const noGtin = await product([m1], { gtin: undefined });
    // Raw assemblies, none with a product record (art. 15 each): a source tested for energy storage (art. 10 met); a
    // source whose only "test" is a bare residual_tested event (art. 10: no record); a source graded for UPS only, used
    // for energy storage (art. 10: grade).
    const [good] = await testedModules(112.5);
    const rawGood = await rawAssembly([good], 'energy_storage');
    const [bare] = await testedModules(null);
    await accept(t, w.cascade, {
      type: 'residual_tested',
      batteryCodes: [bare],
      occurredAt: at(8),
      payload: { testRecordRef: 'LAB-REPORT-17', sohPercent: 75, decision: 'cascade' },
    });
    const rawBare = await rawAssembly([bare], 'energy_storage');
    const [low] = await testedModules(82.5);
    const rawLow = await rawAssembly([low], 'energy_storage');

    const asked = await t.http().post('/v1/reports').set(w.cascade.auth).send({ type: 'cascade_obligations', period: '2026-03' }).expect(202);
    let r = asked.body;
    for (let i = 0; i < 200 && r.status !== 'done' && r.status !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      r = (await t.http().get(`/v1/reports/${asked.body.id}`).set(w.cascade.auth).expect(200)).body;
    }
    expect(r.status).toBe('done');
    expect(r.summary.cascade).toMatchObject({
      hasManufacturerCode: true,
      assembledProducts: 6,
      assembledSources: 8,
      findings: { 'art. 10': 2, 'art. 12 (manufacturer code)': 0, 'art. 15': 4, 'art. 19': 1, 'art. 20': 0, 'art. 22': 0 },
    });
    // What stays unassessed is said, with the reason.
    expect(r.summary.cascade.notAssessed).toEqual([expect.objectContaining({ article: '19', check: expect.stringContaining('website') })]);

    const json = JSON.parse((await t.http().get(`/v1/reports/${r.id}/download?format=json`).set(w.cascade.auth).buffer(true).parse(text).expect(200)).body);
    const records = (json.rows as Record<string, unknown>[])
      .filter((x) => ['art. 10', 'art. 15', 'art. 19'].includes(x.article as string))
      .map((x) => [x.article, x.code, x.batteryCode ?? x.regionKey, x.missing ?? x.grade ?? null]);
    expect(records).toEqual([
      ['art. 10', 'CASCADE_SOURCE_WITHOUT_TEST_RECORD', bare, null],
      ['art. 10', 'CASCADE_SOURCE_GRADE_NOT_ALLOWING', low, 'cascade'],
      ['art. 15', 'CASCADE_PRODUCT_LABEL_INCOMPLETE', noGtin, ['gtin']],
      ['art. 15', 'CASCADE_PRODUCT_WITHOUT_LABEL_RECORD', rawGood, null],
      ['art. 15', 'CASCADE_PRODUCT_WITHOUT_LABEL_RECORD', rawBare, null],
      ['art. 15', 'CASCADE_PRODUCT_WITHOUT_LABEL_RECORD', rawLow, null],
      ['art. 19', 'CASCADE_OUTLET_COVERAGE_GAP', '3501', null],
    ]);
    // Chinese text with every new finding.
    for (const x of json.rows.filter((x: { code?: string }) => x.code)) expect(x.findingZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('a firm that is not a cascade utiliser: art. 19 not assessed, with the reason', async () => {
    const asked = await t
      .http()
      .post('/v1/reports')
      .set(bearer(t.adminKey))
      .send({ type: 'cascade_obligations', scope: `enterprise:${w.dismantler.id}`, period: '2026-03' })
      .expect(202);
    let r = asked.body;
    for (let i = 0; i < 200 && r.status !== 'done' && r.status !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      r = (await t.http().get(`/v1/reports/${asked.body.id}`).set(bearer(t.adminKey)).expect(200)).body;
    }
    expect(r.status).toBe('done');
    expect(r.summary.cascade.findings).toMatchObject({ 'art. 10': 0, 'art. 15': 0, 'art. 19': 0 });
    expect(r.summary.cascade.notAssessed.map((x: { article: string; reason: string }) => [x.article, x.reason])).toEqual([
      ['19', expect.stringContaining('not registered as a cascade utiliser')],
      ['19', expect.stringContaining('website')],
    ]);
  });
});

function text(response: unknown, done: (err: Error | null, body: string) => void) {
  const res = response as NodeJS.ReadableStream;
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (data += chunk));
  res.on('end', () => done(null, data));
}
