/**
 * Test support shared by plan.spec.ts, plan.custody.spec.ts and plan.transitions.spec.ts: firms, battery codes,
 * battery states and a planner harness. Not a spec and free of jest globals. Each counter lives in a factory, so each
 * spec file numbers its own codes and events.
 */
import { format } from '#libs/battery-code';
import type { EnterpriseRole } from '#libs/enterprises';
import { usccCheckCharacter } from '#libs/identifiers';
import type { BatteryState } from './battery-state';
import type { CodeFindings, KnownEnterprise } from './plan';
import { planBatch, resolveCandidates } from './plan';
import { ALL_ROLES } from './event-rules-fields';
import { prevalidate } from './prevalidate';

export const NOW = Date.parse('2026-11-25T12:00:00+08:00');
export const VIN = 'LGXCE4CB4N0000001';
// Every role, as the rule sets know them (event-types.spec.ts holds that list to the enterprises' own).
export { ALL_ROLES } from './event-rules-fields';

export const T = (h: number) => new Date(Date.parse('2026-03-01T00:00:00+08:00') + h * 3_600_000).toISOString();

export const usccOf = (n: number) => {
  const body = `91350100MA${String(n).padStart(7, '0')}`;
  return body + usccCheckCharacter(body);
};
export const firm = (n: number, roles: readonly EnterpriseRole[]): KnownEnterprise => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  uscc: usccOf(n),
  name: `firm ${n}`,
  roles: [...roles],
  regionCode: '350102',
});

export const MAKER = firm(1, ['battery_maker']);
export const VM = firm(2, ['vehicle_maker']);
export const DEALER = firm(3, ['dealer']);
export const RECYCLER = firm(4, ['recycler']);
export const OMNI = firm(5, ALL_ROLES);
export const OTHER = firm(6, ALL_ROLES);
export const FIRMS = [MAKER, VM, DEALER, RECYCLER, OMNI, OTHER];

/** Battery codes with a serial of their own: call once per spec file. */
export function codeFactory(o: { productionDate: string; cascadeProductionDate: string; cascadeLevel: 'P' | 'M' }) {
  let serial = 0;
  const code = (level: 'P' | 'M' | 'C') => {
    const r = format({
      manufacturerCode: '001',
      productType: level,
      batteryType: 'B',
      specificationCode: '24',
      traceabilityCode: 'A000001',
      productionDate: o.productionDate,
      serial: ++serial,
    });
    if (!r.ok) throw new Error('bad test code');
    return r.code.code;
  };
  const cascadeCode = () => {
    const r = format({
      form: 'cascade',
      manufacturerCode: 'C01',
      productType: o.cascadeLevel,
      batteryType: 'B',
      specificationCode: '01',
      productionDate: o.cascadeProductionDate,
      serial: ++serial,
      cascadeLevel: o.cascadeLevel,
    });
    if (!r.ok) throw new Error('bad test code');
    return r.code.code;
  };
  return { code, cascadeCode };
}

/** A stored battery state; the level follows the code unless `over` names one. */
export function batteryState(c: string, over: Partial<BatteryState> & Pick<BatteryState, 'producerId' | 'holderId'>): BatteryState {
  const level = c.length === 19 ? 'module' : ({ P: 'pack', M: 'module', C: 'cell' } as const)[c[3] as 'P' | 'M' | 'C'];
  return {
    code: c,
    form: c.length === 19 ? 'cascade' : 'original',
    level,
    decoded: null,
    nominalCapacityAh: 150,
    nominalVoltageV: 350,
    ratedEnergyKwh: null,
    massKg: null,
    producedEventId: 'produced-event',
    status: 'produced',
    pendingTo: null,
    vin: null,
    parentCode: null,
    regionKeys: [],
    lastEventId: 'last-event',
    lastEventType: 'produced',
    lastEventAt: Date.parse('2026-02-01T00:00:00+08:00'),
    chainSeq: 1,
    chainHead: Buffer.alloc(32, 7),
    isNew: false,
    changed: false,
    ...over,
  };
}

export interface RunOptions {
  mode?: 'atomic' | 'partial';
  priorByClientId?: Map<string, { id: string; hashKey: string }>;
  priorByHash?: Map<string, string>;
  corrections?: Map<string, { id: string; reporterEnterpriseId: string; type: string; affectedCodes: string[] }>;
  codeFindings?: Map<string, CodeFindings>;
}

/** Plans raw events for a reporter among `firms`; new event ids are `event-1`, `event-2`, … unless `newId` is given. */
export function planner(firms: KnownEnterprise[], newId?: () => string) {
  let ids = 0;
  const nextId = newId ?? (() => `event-${++ids}`);
  return (reporter: KnownEnterprise, raws: Record<string, unknown>[], states: BatteryState[], o: RunOptions = {}) => {
    const pre = raws.map((r, i) => prevalidate(r, i, `events[${i}]`, NOW));
    const items = resolveCandidates(pre, reporter, new Map(firms.map((f) => [f.uscc, f])));
    const map = new Map(states.map((s) => [s.code, s]));
    return planBatch({
      reporter,
      items,
      states: map,
      enterprises: new Map(firms.map((f) => [f.id, f])),
      priorByClientId: o.priorByClientId ?? new Map(),
      priorByHash: o.priorByHash ?? new Map(),
      corrections: o.corrections ?? new Map(),
      codeFindings: o.codeFindings ?? new Map(),
      mode: o.mode ?? 'partial',
      newId: nextId,
      pathOf: (i) => `events[${i}]`,
    });
  };
}

export const reasons = (plan: ReturnType<typeof planBatch>, i = 0) => plan.results[i].reasons ?? [];
