/**
 * A battery passport following the Battery Pass data model 1.2 (DIN DKE SPEC 99100; EU 2023/1542 art. 77,
 * Annex XIII), built from what the registry holds: pure, no Nest or database. The model requires far more than a
 * traceability registry knows (power capability, self-discharge, recycled content, …); nothing is invented: a
 * field the model requires and the registry cannot fill is left out and listed in `gaps`, with the reason.
 */

export type BatteryPassStatus = 'Original' | 'Repurposed' | 'Reused' | 'Remanufactured' | 'Waste';

export interface PartyFacts {
  name: string;
  uscc: string;
  contactName: string | null;
  address: string | null;
  /** The region's full name (福建省福州市鼓楼区), when the firm has a region. */
  regionName: string | null;
}

export interface TestFacts {
  testedAt: string;
  meanCapacityAh: number;
  meanEnergyWh: number;
  sohCPercent: number | null;
  sohEPercent: number | null;
  resistanceIncreasePercent: number | null;
  initialResistanceMOhm: number | null;
}

export interface PassportFacts {
  code: string;
  form: 'original' | 'cascade';
  productType: 'pack' | 'module' | 'cell';
  productionDate: string;
  status: string;
  nominalCapacityAh: number | null;
  nominalVoltageV: number | null;
  ratedEnergyKwh: number | null;
  massKg: number | null;
  producer: PartyFacts;
  /** The economic operator: the holder, else the producer. */
  operator: PartyFacts;
  /** First `installed` (original) or `cascade_shipped` (cascade product) business time. */
  puttingIntoService: string | null;
  latestTest: TestFacts | null;
  /** Cascade products. */
  applicationField: string | null;
  placeOfOrigin: string | null;
  warrantyMonths: number | null;
  /** Cascade product: the originals it was built from. */
  predecessors: string[];
  /** Original: the cascade product it went into. */
  successor: string | null;
}

export interface Gap {
  /** JSON path in the document, e.g. `generalProductInformation.batteryMass`. */
  path: string;
  reason: string;
}

export interface Passport {
  batteryPassportIdentifier: string;
  productIdentifier: string;
  dataModel: string;
  generalProductInformation: Record<string, unknown>;
  performanceAndDurability: { batteryTechicalProperties: Record<string, unknown>; batteryCondition: Record<string, unknown> };
  circularity: Record<string, unknown>;
  gaps: Gap[];
}

export const DATA_MODEL = 'Battery Pass 1.2 (io.BatteryPass.GeneralProductInformation 1.2.0, Performance 1.2.x, Circularity 1.2.0)';

/** A passport identifier the model's pattern accepts (`urn:<nid>:<nss>`, lower-case letters and digits). */
export const passportUrn = (code: string) => `urn:gbt34014:${code.toLowerCase()}`;

const POST_VEHICLE = new Set([
  'in_scrapped_vehicle',
  'removed',
  'in_transit',
  'at_outlet',
  'swap_stock',
  'cascade_stock',
  'tested',
  'waste',
  'at_recycler',
  'recycled',
]);
const WASTE = new Set(['waste', 'at_recycler', 'recycled']);

/**
 * Original until the vehicle is scrapped, then Waste (a waste battery, 废旧动力蓄电池); an original regrouped into a
 * cascade product is Repurposed with it. A cascade product is Repurposed until scrapped, then Waste.
 */
export function batteryStatus(f: Pick<PassportFacts, 'form' | 'status'>): BatteryPassStatus {
  if (f.form === 'cascade') return WASTE.has(f.status) ? 'Waste' : 'Repurposed';
  if (f.status === 'in_cascade_product') return 'Repurposed';
  return POST_VEHICLE.has(f.status) ? 'Waste' : 'Original';
}

/** The model's categories: EV for traction batteries; a cascade product by its application field. */
export function batteryCategory(f: Pick<PassportFacts, 'form' | 'applicationField'>): 'lmt' | 'ev' | 'industrial' | 'stationary' {
  if (f.form === 'original') return 'ev';
  if (f.applicationField === 'low_speed_vehicle') return 'lmt';
  if (f.applicationField === 'energy_storage' || f.applicationField === 'telecom_backup') return 'stationary';
  return 'industrial';
}

const NOT_HELD = 'not held by the registry';

export function buildPassport(f: PassportFacts): Passport {
  const gaps: Gap[] = [];
  const gap = (path: string, reason = NOT_HELD) => void gaps.push({ path, reason });

  const address = (path: string, street: string | null): Record<string, unknown> => {
    gap(`${path}.postalCode`, 'enterprises register no postal code');
    if (!street) gap(`${path}.streetAddress`, 'the firm has no address or region on file');
    return { addressCountry: 'CN', ...(street ? { streetAddress: street } : {}) };
  };
  const contact = (path: string, p: PartyFacts) => ({
    contactName: p.contactName ?? p.name,
    identifier: p.uscc,
    postalAddress: address(`${path}.postalAddress`, p.address ?? p.regionName),
  });

  const g = 'generalProductInformation';
  const general: Record<string, unknown> = {
    productIdentifier: f.code,
    batteryPassportIdentifier: passportUrn(f.code),
    batteryCategory: batteryCategory(f),
    manufacturerInformation: contact(`${g}.manufacturerInformation`, f.producer),
    manufacturingDate: `${f.productionDate}T00:00:00+08:00`,
    batteryStatus: batteryStatus(f),
    manufacturingPlace: address(`${g}.manufacturingPlace`, f.placeOfOrigin ?? f.producer.address ?? f.producer.regionName),
    operatorInformation: contact(`${g}.operatorInformation`, f.operator),
  };
  if (f.massKg !== null) general.batteryMass = f.massKg;
  else gap(`${g}.batteryMass`, 'no mass was registered');
  if (f.puttingIntoService) general.puttingIntoService = f.puttingIntoService;
  else gap(`${g}.puttingIntoService`, f.form === 'cascade' ? 'not shipped yet' : 'no installed event names it');
  // The model types the warranty as an xsd:gMonth (--MM): only 1 to 12 months fit it.
  if (f.warrantyMonths !== null && f.warrantyMonths >= 1 && f.warrantyMonths <= 12) general.warrentyPeriod = `--${String(f.warrantyMonths).padStart(2, '0')}`;
  else gap(`${g}.warrentyPeriod`, f.warrantyMonths === null ? 'no warranty on file' : `${f.warrantyMonths} months do not fit the model's --MM form`);

  const tp = 'performanceAndDurability.batteryTechicalProperties';
  const technical: Record<string, unknown> = {};
  if (f.nominalCapacityAh !== null) technical.ratedCapacity = f.nominalCapacityAh;
  else gap(`${tp}.ratedCapacity`);
  if (f.ratedEnergyKwh !== null) technical.ratedEnergy = f.ratedEnergyKwh;
  else gap(`${tp}.ratedEnergy`);
  if (f.nominalVoltageV !== null) technical.nominalVoltage = f.nominalVoltageV;
  else gap(`${tp}.nominalVoltage`);
  if (f.latestTest?.initialResistanceMOhm != null)
    technical.initialInternalResistance = [{ ohmicResistance: f.latestTest.initialResistanceMOhm / 1000, batteryComponent: f.productType }];
  else gap(`${tp}.initialInternalResistance`);
  for (const k of [
    'originalPowerCapability',
    'ratedMaximumPower',
    'powerCapabilityRatio',
    'expectedNumberOfCycles',
    'initialSelfDischarge',
    'roundtripEfficiency',
    'expectedLifetime',
    'minimumVoltage',
    'maximumVoltage',
    'capacityThresholdForExhaustion',
    'lifetimeReferenceTest',
    'cRateLifeCycleTest',
    'temperatureRangeIdleState',
  ]) {
    gap(`${tp}.${k}`);
  }

  const cp = 'performanceAndDurability.batteryCondition';
  const condition: Record<string, unknown> = {};
  const t = f.latestTest;
  const noTest = 'no residual-capacity test of this battery';
  if (t) {
    const at = new Date(t.testedAt).toISOString();
    condition.remainingCapacity = { remainingCapacityValue: t.meanCapacityAh, lastUpdate: at };
    // The model's field name is spelled `remainingEnergyalue`; kWh like ratedEnergy.
    condition.remainingEnergy = { remainingEnergyalue: t.meanEnergyWh / 1000, lastUpdate: at };
    if (t.sohCPercent !== null) condition.capacityFade = { capacityFadeValue: Math.round((100 - t.sohCPercent) * 100) / 100, lastUpdate: at };
    else gap(`${cp}.capacityFade`, 'the rated capacity is unknown');
    // SOH_E (residual ÷ rated energy) stands for the state of certified energy (domain notes §7 cross-walk).
    if (t.sohEPercent !== null) condition.stateOfCertifiedEnergy = { stateOfCertifiedEnergyValue: t.sohEPercent, lastUpdate: at };
    else gap(`${cp}.stateOfCertifiedEnergy`, 'the rated energy is unknown');
    if (t.resistanceIncreasePercent !== null)
      condition.internalResistanceIncrease = [
        { internalResistanceIncreaseValue: t.resistanceIncreasePercent, lastUpdate: at, batteryComponent: f.productType },
      ];
    else gap(`${cp}.internalResistanceIncrease`, 'no beginning-of-life resistance');
  } else {
    for (const k of ['remainingCapacity', 'remainingEnergy', 'capacityFade', 'stateOfCertifiedEnergy', 'internalResistanceIncrease']) gap(`${cp}.${k}`, noTest);
  }
  for (const k of [
    'energyThroughput',
    'capacityThroughput',
    'numberOfFullCycles',
    'negativeEvents',
    'temperatureInformation',
    'remainingPowerCapability',
    'powerFade',
    'roundTripEfficiencyFade',
    'evolutionOfSelfDischarge',
    'currentSelfDischargingRate',
    'roundTripEfficiencyat50PerCentCycleLife',
    'remainingRoundTripEnergyEfficiency',
    'stateOfCharge',
  ]) {
    gap(`${cp}.${k}`, 'BMS data, not reported to the registry');
  }

  // Circularity: the model has no field for the passport chain; the links are added beside its fields
  // (art. 77(7): a repurposed battery's new passport is linked to the original ones).
  const circularity: Record<string, unknown> = {};
  if (f.predecessors.length > 0)
    circularity.predecessorPassports = f.predecessors.map((c) => ({ productIdentifier: c, batteryPassportIdentifier: passportUrn(c) }));
  if (f.successor) circularity.successorPassport = { productIdentifier: f.successor, batteryPassportIdentifier: passportUrn(f.successor) };
  for (const k of ['dismantlingAndRemovalInformation', 'sparePartSources', 'recycledContent', 'safetyMeasures', 'endOfLifeInformation', 'renewableContent'])
    gap(`circularity.${k}`);

  return {
    batteryPassportIdentifier: passportUrn(f.code),
    productIdentifier: f.code,
    dataModel: DATA_MODEL,
    generalProductInformation: general,
    performanceAndDurability: { batteryTechicalProperties: technical, batteryCondition: condition },
    circularity,
    gaps,
  };
}
