import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { CascadeWorld } from './support/cascade-world';
import { createCascadeWorld, residualTest, retiredPack } from './support/cascade-world';
import { accept, at, createFirm } from './support/ledger-world';

/** The Battery Pass 1.2 schemas shipped in libs/passport/schemas (some are UTF-16 with a BOM, as published). */
function schema(name: string): Record<string, unknown> {
  const bytes = readFileSync(join(__dirname, '..', 'libs', 'passport', 'schemas', `${name}-schema.json`));
  const text = bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8').replace(/^\uFEFF/, '');
  return JSON.parse(text) as Record<string, unknown>;
}

/** The schema without any `required`: checks that every field present conforms. */
function withoutRequired(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRequired);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'required')
        .map(([k, v]) => [k, withoutRequired(v)]),
    );
  return value;
}

const ASPECTS = [
  ['generalProductInformation', 'GeneralProductInformation'],
  ['performanceAndDurability', 'PerformanceAndDurability'],
  ['circularity', 'Circularity'],
] as const;

function ajv() {
  const a = new Ajv({ allErrors: true, strict: false });
  addFormats(a);
  return a;
}

/**
 * Every field present conforms to its aspect's schema, and the fields the schema requires that are absent are
 * exactly the passport's declared gaps.
 */
function expectConforms(passport: { gaps: { path: string }[] } & Record<string, unknown>) {
  const a = ajv();
  const missing: string[] = [];
  for (const [key, name] of ASPECTS) {
    const s = schema(name);
    const present = a.compile(withoutRequired(s) as object);
    if (!present(passport[key])) throw new Error(`${key}: ${JSON.stringify(present.errors)}`);
    const full = a.compile(s);
    full(passport[key]);
    for (const e of full.errors ?? []) {
      expect(e.keyword).toBe('required');
      const at = e.instancePath.split('/').filter(Boolean).join('.');
      missing.push([key, at, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.'));
    }
  }
  expect([...new Set(missing)].sort()).toEqual(passport.gaps.map((g) => g.path).sort());
}

describe('battery passport (Battery Pass 1.2): GET /v1/batteries/:code/passport, validated with ajv against the shipped schemas', () => {
  let t: TestApp;
  let w: CascadeWorld;
  let serial = 90_000;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp();
    w = await createCascadeWorld(t);
    await t
      .http()
      .patch(`/v1/enterprises/${w.cascade.id}`)
      .set(w.cascade.auth)
      .send({ address: '福州市鼓楼区工业路 1 号', contact: { name: '林工' } })
      .expect(200);
    await t
      .http()
      .post('/v1/manufacturer-codes')
      .set(bearer(t.adminKey))
      .send({ code: 'C07', enterpriseId: w.cascade.id, certificateDate: '2022-01-01' })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an original (Waste once retired, with its test), a cascade product (Repurposed, predecessors) and a source (successor)', async () => {
    const { pack, modules } = await retiredPack(t, w, next);
    await t
      .http()
      .post('/v1/residual-tests')
      .set(w.cascade.auth)
      .send({ tests: [residualTest(pack, 120, 8, { dcResistanceMOhm: 1.5, initialResistanceMOhm: 1.2 }), ...modules.map((m) => residualTest(m, 112.5, 8))] })
      .expect(200);
    const packPassport = (await t.http().get(`/v1/batteries/${pack}/passport`).set(w.cascade.auth).expect(200)).body;
    expect(packPassport).toMatchObject({
      batteryPassportIdentifier: `urn:gbt34014:${pack.toLowerCase()}`,
      generalProductInformation: {
        productIdentifier: pack,
        batteryCategory: 'ev',
        batteryStatus: 'Waste',
        batteryMass: 380,
        manufacturingDate: '2026-01-15T00:00:00+08:00',
        puttingIntoService: new Date(at(2)).toISOString(),
      },
      performanceAndDurability: {
        batteryTechicalProperties: {
          ratedCapacity: 150,
          ratedEnergy: 52.56,
          nominalVoltage: 350.4,
          initialInternalResistance: [{ ohmicResistance: 0.0012, batteryComponent: 'pack' }],
        },
        batteryCondition: {
          remainingCapacity: { remainingCapacityValue: 120 },
          capacityFade: { capacityFadeValue: 20 },
          internalResistanceIncrease: [{ internalResistanceIncreaseValue: 25, batteryComponent: 'pack' }],
        },
      },
    });
    expectConforms(packPassport);

    const { body: product } = await t
      .http()
      .post('/v1/cascade-products')
      .set(w.cascade.auth)
      .send({
        sourceCodes: modules,
        reuseLevel: 'module',
        applicationField: 'energy_storage',
        nominalCapacityAh: 110,
        nominalVoltageV: 87.6,
        ratedEnergyKwh: 9.6,
        massKg: 60,
        gtin: '6901234567892',
        warrantyMonths: 12,
        specificationCode: '01',
        assembledAt: at(9),
      })
      .expect(201);
    await accept(t, w.cascade, { type: 'cascade_shipped', batteryCodes: [product.code], occurredAt: at(10) });
    const productPassport = (await t.http().get(`/v1/batteries/${product.code}/passport`).set(w.cascade.auth).expect(200)).body;
    expect(productPassport).toMatchObject({
      generalProductInformation: {
        batteryStatus: 'Repurposed',
        batteryCategory: 'stationary',
        warrentyPeriod: '--12',
        manufacturingPlace: { addressCountry: 'CN', streetAddress: '福建省福州市鼓楼区' },
        manufacturerInformation: { contactName: '林工', identifier: w.cascade.uscc },
      },
      circularity: { predecessorPassports: modules.map((m) => ({ productIdentifier: m, batteryPassportIdentifier: `urn:gbt34014:${m.toLowerCase()}` })) },
    });
    expectConforms(productPassport);

    const source = (await t.http().get(`/v1/batteries/${modules[0]}/passport`).set(w.cascade.auth).expect(200)).body;
    expect(source).toMatchObject({
      generalProductInformation: { batteryStatus: 'Repurposed' },
      circularity: { successorPassport: { productIdentifier: product.code } },
    });
    expectConforms(source);

    // Scrapped: Waste. Visibility as the trace: a stranger gets 404.
    await accept(t, w.cascade, { type: 'cascade_scrapped', batteryCodes: [product.code], occurredAt: at(11) });
    expect((await t.http().get(`/v1/batteries/${product.code}/passport`).set(w.cascade.auth).expect(200)).body.generalProductInformation.batteryStatus).toBe(
      'Waste',
    );
    const stranger = await createFirm(t, '无关企业', ['recycler']);
    await t.http().get(`/v1/batteries/${product.code}/passport`).set(stranger.auth).expect(404);
  });

  it('the passport check fails a document with a wrong value (the check can fail)', () => {
    expect(() =>
      expectConforms({ generalProductInformation: { batteryStatus: 'Second life' }, performanceAndDurability: {}, circularity: {}, gaps: [] }),
    ).toThrow(/batteryStatus|enum/);
  });
});
