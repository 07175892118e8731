import type { TestApp } from './test-app';
import { bearer } from './test-app';
import type { Firm } from './ledger-world';
import { accept, at, attrs, cellAttrs, createFirm, moduleAttrs, originalCode, postEvents, vin } from './ledger-world';

/** The firms a retired battery passes through on its way to a cascade utiliser. */
export interface CascadeWorld {
  maker: Firm;
  vm: Firm;
  dealer: Firm;
  dismantler: Firm;
  cascade: Firm;
}

/**
 * The maker holds manufacturer code `001`, which the codes of `retiredPack` carry; the cascade utiliser is registered
 * in `cascade.region` and holds `cascade.codes` (e.g. `C01`, to mint cascade codes).
 */
export async function createCascadeWorld(t: TestApp, cascade: { region?: string; codes?: string[] } = {}): Promise<CascadeWorld> {
  return {
    maker: await createFirm(t, '宁德电池', ['battery_maker'], '350102', ['001']),
    vm: await createFirm(t, '福州汽车', ['vehicle_maker']),
    dealer: await createFirm(t, '福州经销商', ['dealer']),
    dismantler: await createFirm(t, '拆解厂', ['dismantler']),
    cascade: await createFirm(t, '闽江梯次利用', ['cascade_utiliser'], cascade.region ?? '350102', cascade.codes ?? []),
  };
}

/** A recycler on the MIIT whitelist (梯次利用管理办法 art. 20: scrapped cascade products go only to one). */
export async function createListedRecycler(t: TestApp, name: string): Promise<Firm> {
  const recycler = await createFirm(t, name, ['recycler']);
  await t
    .http()
    .patch(`/v1/enterprises/${recycler.id}`)
    .set(bearer(t.adminKey))
    .send({ whitelist: { status: 'listed', version: '2024', batch: '第1批' } })
    .expect(200);
  return recycler;
}

/**
 * `pack`, delivered to the vehicle maker, installed in a new vehicle, certified and sold in `regionCode` by the
 * dealer (hours `hour` + 1 to 4); returns the vehicle's VIN.
 */
export async function soldInVehicle(
  t: TestApp,
  w: Pick<CascadeWorld, 'maker' | 'vm' | 'dealer'>,
  pack: string,
  next: () => number,
  hour = 0,
  regionCode = '350102',
) {
  const car = vin(next());
  await accept(t, w.maker, { type: 'delivered', batteryCodes: [pack], occurredAt: at(hour + 1), counterpartyUscc: w.vm.uscc });
  await accept(t, w.vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(hour + 2), vin: car });
  await accept(t, w.vm, { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(hour + 3), vin: car, payload: { certificateNo: `WCC-${car}` } });
  await accept(t, w.dealer, { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(hour + 4), vin: car, regionCode });
  return car;
}

/**
 * A pack of `modules` modules with two cells each, produced, put in a vehicle, sold, scrapped, removed and received
 * into the cascade utiliser's stock (events from hour `hour` on).
 */
export async function retiredPack(t: TestApp, w: CascadeWorld, next: () => number, hour = 0, o: { modules?: number } = {}) {
  const pack = originalCode('P', next());
  const modules = Array.from({ length: o.modules ?? 2 }, () => originalCode('M', next()));
  const cells = modules.map(() => [originalCode('C', next()), originalCode('C', next())]);
  const body = await postEvents(t, w.maker, [
    { type: 'produced', batteryCodes: [pack], occurredAt: at(hour), payload: attrs },
    ...modules.map((m) => ({ type: 'produced', batteryCodes: [m], occurredAt: at(hour), payload: { ...moduleAttrs, parentCode: pack } })),
    ...cells.map((cs, i) => ({ type: 'produced', batteryCodes: cs, occurredAt: at(hour), payload: { ...cellAttrs, parentCode: modules[i] } })),
  ]);
  if (body.status !== 'ACCEPTED') throw new Error(`pack not registered: ${JSON.stringify(body.results)}`);
  const car = await soldInVehicle(t, w, pack, next, hour);
  await accept(t, w.dismantler, {
    type: 'vehicle_scrapped',
    batteryCodes: [pack],
    occurredAt: at(hour + 5),
    vin: car,
    payload: { scrapCertificateNo: `BF-${car}` },
  });
  await accept(t, w.dismantler, { type: 'removed', batteryCodes: [pack], occurredAt: at(hour + 6), counterpartyUscc: w.cascade.uscc });
  await accept(t, w.cascade, { type: 'cascade_received', batteryCodes: [pack], occurredAt: at(hour + 7) });
  return { pack, modules, cells };
}

/** A residual test of `code` whose mean capacity is `capacityAh` (three cycles within 1 %). */
export function residualTest(code: string, capacityAh: number, hour: number, extra: Record<string, unknown> = {}) {
  return {
    batteryCode: code,
    testedAt: at(hour),
    ambientTemperatureC: 25,
    dischargeCurrentA: 30,
    chargeVoltageV: 4.2,
    cutoffVoltageV: 2.75,
    cycles: [0.995, 1, 1.005].map((f) => ({ capacityAh: capacityAh * f, energyWh: capacityAh * f * 3.6 })),
    appearanceCheck: 'pass',
    ...extra,
  };
}

/** A valid commodity barcode (GS1 check digit 2) for cascade products. */
export const GTIN = '6901234567892';

/** A complete `POST /v1/cascade-products` body: modules reused in energy storage, assembled at hour 9. */
export function productBody(sourceCodes: string[], extra: Record<string, unknown> = {}) {
  return {
    sourceCodes,
    reuseLevel: 'module',
    applicationField: 'energy_storage',
    nominalCapacityAh: 110,
    nominalVoltageV: 87.6,
    gtin: GTIN,
    warrantyMonths: 36,
    specificationCode: '01',
    assembledAt: at(9),
    ...extra,
  };
}
