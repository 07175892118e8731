import { parse } from '#libs/battery-code';
import type { TestApp } from './support/test-app';
import { binaryBody, startTestApp } from './support/test-app';
import type { CascadeWorld } from './support/cascade-world';
import { createCascadeWorld, createListedRecycler, GTIN, productBody, residualTest, retiredPack } from './support/cascade-world';
import type { Firm } from './support/ledger-world';
import { accept, at, cascadeCode, createFirm, originalCode, postEvents, reject } from './support/ledger-world';

describe('cascade products (梯次利用管理办法 arts. 10, 12, 15, 20): assembly, minted codes, labels, shipping, waste', () => {
  let t: TestApp;
  let w: CascadeWorld;
  let noCode: Firm;
  let listedRecycler: Firm;
  let unlistedRecycler: Firm;
  let serial = 50_000;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp();
    w = await createCascadeWorld(t, { codes: ['C01'] });
    await t.http().patch(`/v1/enterprises/${w.cascade.id}`).set(w.cascade.auth).send({ address: '福州市鼓楼区工业路 1 号' }).expect(200);
    noCode = await createFirm(t, '无厂商代码梯次', ['cascade_utiliser']);
    listedRecycler = await createListedRecycler(t, '白名单再生');
    unlistedRecycler = await createFirm(t, '非名单再生', ['recycler']);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A retired pack whose modules are tested by the cascade firm at `capacityAh` (of 150 Ah rated). */
  async function testedModules(capacityAh = 112.5, firm = w.cascade) {
    const { pack, modules, cells } = await retiredPack(t, { ...w, cascade: firm }, next);
    const res = await t
      .http()
      .post('/v1/residual-tests')
      .set(firm.auth)
      .send({ tests: modules.map((m) => residualTest(m, capacityAh, 8)) })
      .expect(200);
    if (res.body.counts.accepted !== modules.length) throw new Error(JSON.stringify(res.body.results));
    return { pack, modules, cells };
  }

  const product = productBody;

  const ruleOf = (res: { body: { error: { code: string; details: { rule: string; article: string; path: string }[] } } }) =>
    res.body.error.details.map((d) => [d.path, d.rule, d.article]);

  it('assembles a product with a minted 19-character code under the firm’s manufacturer code; sources leave circulation', async () => {
    const { pack, modules } = await testedModules();
    const res = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product(modules, { clientProductId: 'BOM-1' }))
      .expect(201);
    const code: string = res.body.code;
    const decoded = parse(code);
    expect(decoded.ok && decoded.code).toMatchObject({
      form: 'cascade',
      manufacturerCode: 'C01',
      productType: { symbol: 'M' },
      specificationCode: '01',
      productionDate: '2026-03-01',
      cascadeLevel: 'M',
    });
    expect(res.body).toMatchObject({
      codeSource: 'minted',
      status: 'cascade_stock',
      holderId: w.cascade.id,
      sources: modules.map((m) => ({ code: m, productType: 'module', grade: 'cascade', sohCPercent: 75 })),
      label: {
        complete: true,
        missing: [],
        fields: {
          nominalCapacityAh: 110,
          nominalVoltageV: 87.6,
          firmName: '闽江梯次利用',
          firmAddress: '福州市鼓楼区工业路 1 号',
          placeOfOrigin: '福建省福州市鼓楼区',
          traceCode: code,
          originalCodes: modules,
          gtin: GTIN,
        },
      },
    });
    const origins = await t.sql<{ original_code: string }>('SELECT original_code FROM battery_origins WHERE cascade_code = $1 ORDER BY original_code', [code]);
    expect(origins.map((o) => o.original_code)).toEqual([...modules].sort());
    expect((await t.http().get(`/v1/batteries/${modules[0]}`).set(w.cascade.auth).expect(200)).body).toMatchObject({
      ownStatus: 'in_cascade_product',
      insideOf: code,
    });
    // Sent again with the same clientProductId: the same product, nothing new.
    const again = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product(modules, { clientProductId: 'BOM-1' }))
      .expect(200);
    expect(again.body.code).toBe(code);
    // Sources leave circulation: the ledger refuses any further event about them.
    const retest = await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send(residualTest(modules[0], 100, 10))
      .expect(422);
    expect(retest.body.error.details[0]).toMatchObject({ rule: 'CASCADE_SOURCE_IN_PRODUCT', article: '梯次利用管理办法 art. 15', path: 'batteryCode' });
    // Reading: one product, the list, by source; others see nothing.
    expect((await t.http().get(`/v1/cascade-products/${code.toLowerCase()}`).set(w.cascade.auth).expect(200)).body.code).toBe(code);
    const bySource = await t.http().get(`/v1/cascade-products?source=${modules[1]}`).set(w.cascade.auth).expect(200);
    expect(bySource.body.items.map((p: { code: string }) => p.code)).toEqual([code]);
    await t.http().get(`/v1/cascade-products/${code}`).set(noCode.auth).expect(404);
    expect((await t.http().get('/v1/cascade-products').set(noCode.auth).expect(200)).body.items).toEqual([]);
    expect(await t.sql('SELECT 1 FROM audit_log WHERE action = $1 AND entity_id = $2', ['cascade_product.assembled', code])).toHaveLength(1);
    void pack;
  });

  it('art. 10: a source without a test, or whose grade does not allow the application, is refused naming the article', async () => {
    const { modules, cells } = await testedModules(80); // SOH 53 %: ups_backup and street_lighting only
    const res = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[0], cells[1][0]]))
      .expect(422);
    expect(res.body.error.code).toBe('CASCADE_RULE_BROKEN');
    expect(ruleOf(res)).toEqual([
      ['sourceCodes[0]', 'CASCADE_SOURCE_NOT_QUALIFIED', '梯次利用管理办法 art. 10'],
      ['sourceCodes[1]', 'CASCADE_SOURCE_NOT_QUALIFIED', '梯次利用管理办法 art. 10'],
    ]);
    expect(res.body.error.details[0].reason).toContain('does not allow energy_storage');
    expect(res.body.error.details[1].reason).toContain('has no residual-capacity test');
    // The same module qualifies for a field its grade allows.
    await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[0]], { applicationField: 'ups_backup' }))
      .expect(201);
  });

  it('art. 12: a firm without a manufacturer code, or a supplied code with another firm’s, is refused naming the article', async () => {
    const { modules } = await testedModules(112.5, noCode);
    const res = await t.http().post('/v1/cascade-products').set(noCode.auth).send(product(modules)).expect(422);
    expect(ruleOf(res)).toEqual([['manufacturerCode', 'CASCADE_NO_MANUFACTURER_CODE', '梯次利用管理办法 art. 12']]);
    const mine = await testedModules();
    const theirs = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product(mine.modules, { cascadeCode: cascadeCode(next(), 'D02') }))
      .expect(422);
    expect(ruleOf(theirs)).toEqual([['cascadeCode', 'CASCADE_NO_MANUFACTURER_CODE', '梯次利用管理办法 art. 12']]);
    // A supplied code of its own is accepted as given.
    const own = cascadeCode(next(), 'C01');
    const ok = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product(mine.modules, { cascadeCode: own }))
      .expect(201);
    expect(ok.body).toMatchObject({ code: own, codeSource: 'supplied' });
  });

  it('art. 15: a cascade product as a source, a source named twice or used before is refused naming the article', async () => {
    const { modules } = await testedModules();
    const first = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[0]]))
      .expect(201);
    const res = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([first.body.code, modules[1], modules[1]]))
      .expect(422);
    expect(ruleOf(res)).toEqual([
      ['sourceCodes[0]', 'CASCADE_ORIGINAL_CODE_REQUIRED', '梯次利用管理办法 art. 15'],
      ['sourceCodes[2]', 'CASCADE_SOURCE_ALREADY_USED', '梯次利用管理办法 art. 15'],
    ]);
    const used = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[0], modules[1]]))
      .expect(422);
    expect(ruleOf(used)).toEqual([['sourceCodes[0]', 'CASCADE_SOURCE_ALREADY_USED', '梯次利用管理办法 art. 15']]);
    expect(used.body.error.details[0].reason).toContain(first.body.code);
    // A bad GTIN is a validation error naming the check digit.
    const gtin = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[1]], { gtin: '6901234567891' }))
      .expect(422);
    expect(gtin.body.error.details).toEqual([{ path: 'gtin', reason: "gtin is not a GTIN: check digit is '1', expected '2' (GS1)" }]);
  });

  it('art. 15 speaks only about batteries the firm may see: another firm’s used source gets the answer an unregistered code gets', async () => {
    const { modules } = await testedModules();
    const made = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[0]]))
      .expect(201);
    const stranger = await createFirm(t, '别家梯次', ['cascade_utiliser'], '440305', ['C02']);
    const answers = await Promise.all(
      [modules[0], originalCode('M', next())].map(async (code) => {
        const res = await t
          .http()
          .post('/v1/cascade-products')
          .set(stranger.auth)
          .send(product([code]))
          .expect(422);
        return JSON.stringify([res.body.error.message, res.body.error.details]).replaceAll(code, '<code>');
      }),
    );
    expect(answers[0]).not.toContain(made.body.code);
    expect(answers[0]).toBe(answers[1]);
  });

  it('mints distinct consecutive codes for concurrent requests', async () => {
    const packs = await Promise.all([testedModules(), testedModules()]);
    const sources = packs.flatMap((p) => p.modules);
    const results = await Promise.all(
      sources.map((m) =>
        t
          .http()
          .post('/v1/cascade-products')
          .set(w.cascade.auth)
          .send(product([m])),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const serials = results.map((r) => Number((parse(r.body.code) as { ok: true; code: { serial: string } }).code.serial)).sort((a, b) => a - b);
    expect(new Set(serials).size).toBe(4);
    expect(serials[3] - serials[0]).toBe(3);
  });

  it('art. 15 at shipping: a product missing a label field cannot ship (the rule names the field); with every field it ships', async () => {
    const { modules } = await testedModules();
    const bare = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[0]], { gtin: undefined }))
      .expect(201);
    expect(bare.body.label).toMatchObject({ complete: false, missing: ['gtin'] });
    const reasons = await reject(t, w.cascade, { type: 'cascade_shipped', batteryCodes: [bare.body.code], occurredAt: at(10) });
    expect(reasons).toEqual([
      expect.objectContaining({ rule: 'CASCADE_LABEL_INCOMPLETE', article: '梯次利用管理办法 art. 15', field: 'gtin', path: 'events[0].batteryCodes[0]' }),
    ]);
    expect((await t.http().get(`/v1/batteries/${bare.body.code}`).set(w.cascade.auth).expect(200)).body.status).toBe('cascade_stock');
    const full = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send(product([modules[1]]))
      .expect(201);
    await accept(t, w.cascade, { type: 'cascade_shipped', batteryCodes: [full.body.code], occurredAt: at(10), payload: { customerName: '某储能电站' } });
    expect((await t.http().get(`/v1/cascade-products/${full.body.code}`).set(w.cascade.auth).expect(200)).body.status).toBe('cascade_in_use');
  });

  it('art. 15 at shipping: a product assembled by a bare cascade_assembled event (no product record, so no label) cannot ship', async () => {
    const { modules } = await testedModules();
    const code = cascadeCode(next(), 'C01');
    const assembled = await postEvents(t, w.cascade, [
      {
        type: 'cascade_assembled',
        batteryCodes: [modules[0]],
        occurredAt: at(9),
        payload: { cascadeCode: code, nominalCapacityAh: 110, nominalVoltageV: 43.8, application: 'energy storage' },
      },
    ]);
    expect(assembled.results[0]).toMatchObject({ status: 'accepted' });
    const reasons = await reject(t, w.cascade, { type: 'cascade_shipped', batteryCodes: [code], occurredAt: at(10) });
    expect(reasons).toEqual([
      expect.objectContaining({ rule: 'CASCADE_LABEL_UNKNOWN', article: '梯次利用管理办法 art. 15', path: 'events[0].batteryCodes[0]' }),
    ]);
    expect((await t.http().get(`/v1/batteries/${code}`).set(w.cascade.auth).expect(200)).body.status).toBe('cascade_stock');
  });

  it('labels: JSON, SVG and PDF (Data Matrix for the code, EAN-13 for the GTIN, the CJK font embedded)', async () => {
    const { modules } = await testedModules();
    const { body: p } = await t.http().post('/v1/cascade-products').set(w.cascade.auth).send(product(modules)).expect(201);
    const json = await t.http().get(`/v1/cascade-products/${p.code}/label`).set(w.cascade.auth).expect(200);
    expect(json.body).toMatchObject({
      code: p.code,
      complete: true,
      captions: { nominalCapacityAh: '标称容量', originalCodes: '原动力蓄电池编码' },
      warrantyMonths: 36,
    });
    const svg = await t.http().get(`/v1/cascade-products/${p.code}/label?format=svg`).set(w.cascade.auth).buffer(true).parse(binaryBody).expect(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    const text = (svg.body as Buffer).toString('utf8');
    for (const s of ['标称容量', '产品产地', p.code, modules[0], GTIN, '<svg x=']) expect(text).toContain(s);
    const pdf = await t.http().get(`/v1/cascade-products/${p.code}/label?format=pdf`).set(w.cascade.auth).buffer(true).parse(binaryBody).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1')).toMatch(/NotoSansSC/);
    await t.http().get(`/v1/cascade-products/${p.code}/label?format=png`).set(w.cascade.auth).expect(422);
  });

  it('trace: a product reaches every original pack, module and cell it came from; an original cell reaches the product', async () => {
    const { pack, modules, cells } = await testedModules();
    const { body: p } = await t.http().post('/v1/cascade-products').set(w.cascade.auth).send(product(modules)).expect(201);
    const trace = (await t.http().get(`/v1/batteries/${p.code}/trace`).set(w.cascade.auth).expect(200)).body;
    const down = trace.down.map((l: { parentCode: string; childCode: string; kind: string }) => [l.parentCode, l.childCode, l.kind]);
    expect(down).toEqual(
      expect.arrayContaining([...modules.map((m) => [p.code, m, 'origin']), ...modules.flatMap((m, i) => cells[i].map((c) => [m, c, 'component']))]),
    );
    expect(trace.originsFrom.map((l: { parentCode: string }) => l.parentCode)).toEqual(modules.map(() => pack));
    const codes = new Set([...trace.relatives.map((r: { code: string }) => r.code)]);
    for (const c of [pack, ...modules, ...cells.flat()]) expect(codes).toContain(c);
    const up = (await t.http().get(`/v1/batteries/${cells[1][0]}/trace`).set(w.cascade.auth).expect(200)).body;
    expect(up.battery).toMatchObject({ topLevelCode: p.code });
    expect(up.up.map((l: { parentCode: string; kind: string }) => [l.parentCode, l.kind])).toEqual(
      expect.arrayContaining([
        [modules[1], 'component'],
        [p.code, 'origin'],
      ]),
    );
  });

  it('art. 20: a scrapped product goes to a whitelisted recycler; a non-whitelisted one is refused naming the article', async () => {
    const { modules } = await testedModules();
    const { body: p } = await t.http().post('/v1/cascade-products').set(w.cascade.auth).send(product(modules)).expect(201);
    await accept(t, w.cascade, { type: 'cascade_shipped', batteryCodes: [p.code], occurredAt: at(10) });
    await accept(t, w.cascade, { type: 'cascade_scrapped', batteryCodes: [p.code], occurredAt: at(11), payload: { reason: '容量衰减' } });
    const handed = await reject(t, w.cascade, {
      type: 'outlet_handed_over',
      batteryCodes: [p.code],
      occurredAt: at(12),
      counterpartyUscc: unlistedRecycler.uscc,
    });
    expect(handed).toEqual([expect.objectContaining({ rule: 'CASCADE_WASTE_TO_NON_WHITELISTED', article: '梯次利用管理办法 art. 20', name: '非名单再生' })]);
    const received = await reject(t, unlistedRecycler, {
      type: 'recycler_received',
      batteryCodes: [p.code],
      occurredAt: at(12),
      counterpartyUscc: w.cascade.uscc,
    });
    expect(received[0]).toMatchObject({ rule: 'CASCADE_WASTE_TO_NON_WHITELISTED' });
    await accept(t, w.cascade, { type: 'outlet_handed_over', batteryCodes: [p.code], occurredAt: at(12), counterpartyUscc: listedRecycler.uscc });
    await accept(t, listedRecycler, { type: 'recycler_received', batteryCodes: [p.code], occurredAt: at(13), counterpartyUscc: w.cascade.uscc });
    expect((await t.http().get(`/v1/batteries/${p.code}`).set(listedRecycler.auth).expect(200)).body).toMatchObject({
      status: 'at_recycler',
      holder: { id: listedRecycler.id },
    });
  });

  it('art. 20: testing scrap (graded recycle) goes only to a whitelisted recycler too', async () => {
    const { pack } = await retiredPack(t, w, next);
    const res = await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send(residualTest(pack, 30, 8))
      .expect(201);
    expect(res.body.grade).toBe('recycle');
    const batch = await postEvents(t, w.cascade, [
      { type: 'outlet_handed_over', batteryCodes: [pack], occurredAt: at(9), counterpartyUscc: unlistedRecycler.uscc },
    ]);
    expect(batch.results[0].reasons).toEqual([
      expect.objectContaining({ rule: 'CASCADE_WASTE_TO_NON_WHITELISTED', reason: expect.stringContaining('testing scrap') }),
    ]);
    await accept(t, w.cascade, { type: 'outlet_handed_over', batteryCodes: [pack], occurredAt: at(9), counterpartyUscc: listedRecycler.uscc });
  });
});

describe('art. 20 in flag mode (CASCADE_WASTE_HANDOVER=flag)', () => {
  let t: TestApp;
  afterAll(async () => {
    await t?.close();
  });

  it('records the hand-over of waste to a non-whitelisted recycler with a warning naming the article', async () => {
    t = await startTestApp({ cascadeWasteHandover: 'flag' });
    const w = await createCascadeWorld(t);
    const recycler = await createFirm(t, '非名单再生', ['recycler']);
    let serial = 70_000;
    const { pack } = await retiredPack(t, w, () => ++serial);
    await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send(residualTest(pack, 30, 8))
      .expect(201);
    const batch = await postEvents(t, w.cascade, [{ type: 'outlet_handed_over', batteryCodes: [pack], occurredAt: at(9), counterpartyUscc: recycler.uscc }]);
    expect(batch.results[0]).toMatchObject({
      status: 'accepted',
      warnings: [expect.objectContaining({ rule: 'CASCADE_WASTE_TO_NON_WHITELISTED', article: '梯次利用管理办法 art. 20' })],
    });
  });
});
