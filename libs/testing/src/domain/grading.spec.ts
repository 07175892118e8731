import { derive, ratedValues } from './derive';
import { checkRules, DEFAULT_GRADING_RULE_SET, grade, gradeAllows } from './grading';
import { validateTest } from './validate-test';

const ok = { appearanceCheck: 'pass' as const, insulationCheck: 'pass' as const, resistanceIncreasePercent: null };

describe('derive', () => {
  it('computes mean, spread, SOH_C, SOH_E and the resistance increase', () => {
    const d = derive(
      [
        { capacityAh: 100, energyWh: 360 },
        { capacityAh: 102, energyWh: 366 },
      ],
      { capacityAh: 150, energyWh: 540 },
      { measuredMOhm: 1.5, initialMOhm: 1.0 },
    );
    expect(d).toEqual({ meanCapacityAh: 101, meanEnergyWh: 363, spreadPercent: 1.98, sohCPercent: 67.33, sohEPercent: 67.22, resistanceIncreasePercent: 50 });
  });
  it('leaves SOH unknown when the rated value is unknown', () => {
    const d = derive([{ capacityAh: 100, energyWh: 360 }], { capacityAh: null, energyWh: null }, { measuredMOhm: 2, initialMOhm: null });
    expect(d).toMatchObject({ spreadPercent: 0, sohCPercent: null, sohEPercent: null, resistanceIncreasePercent: null });
  });
  it('takes the registration first, then the filing, then capacity × voltage for energy', () => {
    expect(
      ratedValues({ nominalCapacityAh: 150, nominalVoltageV: 3.65, ratedEnergyKwh: null }, { ratedCapacityAh: 140, nominalVoltageV: 3.7, ratedEnergyKwh: 0.5 }),
    ).toEqual({
      capacity: { value: 150, basis: 'registration' },
      energyWh: { value: 500, basis: 'coding_rule' },
    });
    expect(
      ratedValues(
        { nominalCapacityAh: null, nominalVoltageV: null, ratedEnergyKwh: null },
        { ratedCapacityAh: 140, nominalVoltageV: 3.7, ratedEnergyKwh: null },
      ),
    ).toEqual({
      capacity: { value: 140, basis: 'coding_rule' },
      energyWh: { value: 518, basis: 'rated_capacity_x_nominal_voltage' },
    });
    expect(ratedValues({ nominalCapacityAh: null, nominalVoltageV: 3.7, ratedEnergyKwh: null }, null).capacity).toEqual({ value: null, basis: null });
  });
});

describe('grade (default rule set)', () => {
  const g = (x: Partial<Parameters<typeof grade>[0]>) => grade({ ...ok, spreadPercent: 1, sohCPercent: 75, ...x }, DEFAULT_GRADING_RULE_SET);
  it('sorts by SOH into vehicle reuse, cascade fields and recycling', () => {
    expect(g({ sohCPercent: 85 })).toMatchObject({ grade: 'vehicle_reuse', ruleSetVersion: 1 });
    expect(g({ sohCPercent: 75 })).toMatchObject({
      grade: 'cascade',
      applications: ['low_speed_vehicle', 'energy_storage', 'telecom_backup', 'ups_backup', 'street_lighting'],
    });
    expect(g({ sohCPercent: 55 })).toMatchObject({ grade: 'cascade', applications: ['ups_backup', 'street_lighting'] });
    expect(g({ sohCPercent: 30 })).toMatchObject({ grade: 'recycle', applications: [] });
  });
  it('fails the appearance check, insulation or spread to recycle; unknown SOH stays ungraded', () => {
    expect(g({ sohCPercent: 95, appearanceCheck: 'fail' })).toMatchObject({ grade: 'recycle' });
    expect(g({ sohCPercent: 95, insulationCheck: 'fail' })).toMatchObject({ grade: 'recycle' });
    expect(g({ sohCPercent: 95, spreadPercent: 4 })).toMatchObject({ grade: 'recycle', retest: true });
    expect(g({ sohCPercent: null })).toMatchObject({ grade: 'ungraded', applications: [] });
  });
  it('applies resistance limits where the increase is known', () => {
    expect(g({ sohCPercent: 85, resistanceIncreasePercent: 60 })).toMatchObject({
      grade: 'cascade',
      applications: ['low_speed_vehicle', 'energy_storage', 'telecom_backup', 'ups_backup', 'street_lighting'],
    });
    expect(g({ sohCPercent: 75, resistanceIncreasePercent: 90 }).applications).toEqual(['energy_storage', 'telecom_backup', 'ups_backup', 'street_lighting']);
  });
  it('gradeAllows and checkRules', () => {
    expect(gradeAllows({ grade: 'cascade', applications: ['ups_backup'] }, 'ups_backup')).toBe(true);
    expect(gradeAllows({ grade: 'cascade', applications: ['ups_backup'] }, 'energy_storage')).toBe(false);
    expect(gradeAllows({ grade: 'recycle', applications: [] }, 'energy_storage')).toBe(false);
    expect(
      checkRules({
        ...DEFAULT_GRADING_RULE_SET.rules,
        applications: [
          { field: 'a', minSohPercent: 90 },
          { field: 'a', minSohPercent: 50 },
        ],
      }).map((p) => p.path),
    ).toEqual(['rules.applications[0].minSohPercent', 'rules.applications[1].field']);
  });
});

describe('validateTest', () => {
  const ok = {
    batteryCode: '001mb24a000001g1f0050068',
    testedAt: '2026-03-01T08:00:00+08:00',
    ambientTemperatureC: 25,
    dischargeCurrentA: 30,
    chargeVoltageV: 4.2,
    cutoffVoltageV: 2.75,
    cycles: [{ capacityAh: 100, energyWh: 360 }],
    appearanceCheck: 'pass',
  };
  it('accepts a test, normalising the code, and names every problem with its path', () => {
    expect(validateTest(ok, 'tests[0]')).toMatchObject({ ok: true, test: { batteryCode: '001MB24A000001G1F0050068' } });
    const bad = validateTest(
      { ...ok, colour: 'red', dischargeCurrentA: 0, cycles: [{ capacityAh: 'x', energyWh: 1 }], testedAt: '2026-03-01', standard: 'GB/T 1' },
      'tests[1]',
    );
    expect(bad.ok ? [] : bad.reasons.map((r) => r.path).sort()).toEqual([
      'tests[1].colour',
      'tests[1].cycles[0].capacityAh',
      'tests[1].dischargeCurrentA',
      'tests[1].standard',
      'tests[1].testedAt',
    ]);
    expect(validateTest({ ...ok, cutoffVoltageV: 5 }, '')).toEqual({
      ok: false,
      reasons: [{ path: 'cutoffVoltageV', reason: 'must be below chargeVoltageV' }],
    });
    expect(validateTest({ ...ok, batteryCode: '001MB01G310000010RM' }, '')).toMatchObject({ ok: false, reasons: [{ path: 'batteryCode' }] });
  });
});
