import { normalise, parse } from '#libs/battery-code';

/**
 * The per-item check of a residual test (the rules ResidualTestDto documents), written out by hand: a batch of 500
 * through class-validator took 160–400 ms, more than the ledger spends on the batch's events (measured). Pure.
 */

export const TEST_STANDARDS = ['GB/T 34015-2017', 'GB/T 34015.1-2025'] as const;
export const MAX_CYCLES = 10;

export interface ValidTest {
  batteryCode: string;
  clientTestId?: string;
  testingLab?: string;
  standard?: string;
  testedAt: string;
  ambientTemperatureC: number;
  dischargeCurrentA: number;
  chargeVoltageV: number;
  cutoffVoltageV: number;
  cycles: { capacityAh: number; energyWh: number }[];
  dcResistanceMOhm?: number;
  initialResistanceMOhm?: number;
  openCircuitVoltageV?: number;
  appearanceCheck: 'pass' | 'fail';
  insulationCheck?: 'pass' | 'fail';
}

type Problem = { path: string; reason: string };
type NumberRule = { min: number; max: number; exclusiveMin?: boolean };

const NUMBERS: Record<string, NumberRule & { required: boolean }> = {
  ambientTemperatureC: { min: -60, max: 100, required: true },
  dischargeCurrentA: { min: 0, max: 100_000, exclusiveMin: true, required: true },
  chargeVoltageV: { min: 0, max: 10_000, exclusiveMin: true, required: true },
  cutoffVoltageV: { min: 0, max: 10_000, exclusiveMin: true, required: true },
  dcResistanceMOhm: { min: 0, max: 1_000_000, exclusiveMin: true, required: false },
  initialResistanceMOhm: { min: 0, max: 1_000_000, exclusiveMin: true, required: false },
  openCircuitVoltageV: { min: 0, max: 10_000, required: false },
};
const TEXTS: Record<string, number> = { clientTestId: 100, testingLab: 300 };
const KNOWN = new Set(['batteryCode', 'testedAt', 'cycles', 'standard', 'appearanceCheck', 'insulationCheck', ...Object.keys(NUMBERS), ...Object.keys(TEXTS)]);
const CYCLE: Record<string, NumberRule> = {
  capacityAh: { min: 0, max: 1_000_000, exclusiveMin: true },
  energyWh: { min: 0, max: 1_000_000_000, exclusiveMin: true },
};
/** ISO 8601 date-time with a time zone (what the ledger's occurredAt accepts as an instant). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function number(value: unknown, path: string, rule: NumberRule, out: Problem[]): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return (void out.push({ path, reason: 'must be a number' }), false);
  if (rule.exclusiveMin ? value <= rule.min : value < rule.min)
    return (void out.push({ path, reason: rule.exclusiveMin ? 'must be a positive number' : `must not be less than ${rule.min}` }), false);
  if (value > rule.max) return (void out.push({ path, reason: `must not be greater than ${rule.max}` }), false);
  return true;
}

const sub = (path: string, key: string) => (path ? `${path}.${key}` : key);

export function validateTest(raw: unknown, path: string, now = Date.now()): { ok: true; test: ValidTest } | { ok: false; reasons: Problem[] } {
  const out: Problem[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reasons: [{ path, reason: 'must be an object' }] };
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!KNOWN.has(key)) out.push({ path: sub(path, key), reason: `property ${key} should not exist` });

  let batteryCode = '';
  if (typeof r.batteryCode !== 'string') out.push({ path: sub(path, 'batteryCode'), reason: 'must be a GB/T 34014 battery code (a string)' });
  else {
    const p = parse(normalise(r.batteryCode));
    if (!p.ok) out.push({ path: sub(path, 'batteryCode'), reason: p.errors.map((e) => e.message).join('; ') });
    else if (p.code.form !== 'original')
      out.push({ path: sub(path, 'batteryCode'), reason: `a cascade code (${p.code.code.length} characters) where an original code is required` });
    else batteryCode = p.code.code;
  }
  if (typeof r.testedAt !== 'string' || !DATE_TIME.test(r.testedAt) || Number.isNaN(Date.parse(r.testedAt))) {
    out.push({ path: sub(path, 'testedAt'), reason: 'must be an ISO 8601 date-time with its offset (2026-03-02T10:00:00+08:00)' });
  } else if (Date.parse(r.testedAt) > now + 5 * 60_000) out.push({ path: sub(path, 'testedAt'), reason: 'is in the future' });
  for (const [key, rule] of Object.entries(NUMBERS)) {
    if (r[key] === undefined) {
      if (rule.required) out.push({ path: sub(path, key), reason: 'is required' });
    } else number(r[key], sub(path, key), rule, out);
  }
  for (const [key, max] of Object.entries(TEXTS)) {
    const v = r[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > max))
      out.push({ path: sub(path, key), reason: `must be a string of 1 to ${max} characters` });
  }
  if (r.standard !== undefined && !(TEST_STANDARDS as readonly unknown[]).includes(r.standard))
    out.push({ path: sub(path, 'standard'), reason: `must be one of ${TEST_STANDARDS.join(', ')}` });
  if (r.appearanceCheck !== 'pass' && r.appearanceCheck !== 'fail') out.push({ path: sub(path, 'appearanceCheck'), reason: 'must be pass or fail' });
  if (r.insulationCheck !== undefined && r.insulationCheck !== 'pass' && r.insulationCheck !== 'fail')
    out.push({ path: sub(path, 'insulationCheck'), reason: 'must be pass or fail' });
  const cycles: { capacityAh: number; energyWh: number }[] = [];
  if (!Array.isArray(r.cycles) || r.cycles.length < 1 || r.cycles.length > MAX_CYCLES)
    out.push({ path: sub(path, 'cycles'), reason: `must be an array of 1 to ${MAX_CYCLES} discharge cycles` });
  else {
    r.cycles.forEach((c: unknown, i) => {
      const cp = `${sub(path, 'cycles')}[${i}]`;
      if (typeof c !== 'object' || c === null || Array.isArray(c)) return void out.push({ path: cp, reason: 'must be an object' });
      const cr = c as Record<string, unknown>;
      for (const key of Object.keys(cr)) if (!(key in CYCLE)) out.push({ path: `${cp}.${key}`, reason: `property ${key} should not exist` });
      const ok = number(cr.capacityAh, `${cp}.capacityAh`, CYCLE.capacityAh, out) && number(cr.energyWh, `${cp}.energyWh`, CYCLE.energyWh, out);
      if (ok) cycles.push({ capacityAh: cr.capacityAh as number, energyWh: cr.energyWh as number });
    });
  }
  if (out.length === 0 && (r.cutoffVoltageV as number) >= (r.chargeVoltageV as number))
    out.push({ path: sub(path, 'cutoffVoltageV'), reason: 'must be below chargeVoltageV' });
  if (out.length > 0) return { ok: false, reasons: out };
  return { ok: true, test: { ...(r as unknown as ValidTest), batteryCode, cycles } };
}
