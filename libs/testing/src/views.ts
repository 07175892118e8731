import type { ErrorDetail } from '#libs/common';
import type { ResidualTestView } from './dto';

/** A residual_tests row as the service selects it. */
export interface ResidualTestRow {
  id: string;
  battery_code: string;
  product_type: string;
  enterprise_id: string;
  client_test_id: string | null;
  testing_lab: string | null;
  standard: string;
  /** A Date as read; the ISO text in a row built for the insert. */
  tested_at: Date | string;
  ambient_temperature_c: number;
  discharge_current_a: number;
  charge_voltage_v: number;
  cutoff_voltage_v: number;
  cycles: { capacityAh: number; energyWh: number }[];
  dc_resistance_mohm: number | null;
  initial_resistance_mohm: number | null;
  open_circuit_voltage_v: number | null;
  appearance_check: string;
  insulation_check: string | null;
  mean_capacity_ah: number;
  mean_energy_wh: number;
  spread_percent: number;
  rated_capacity_ah: number | null;
  rated_capacity_basis: string | null;
  rated_energy_wh: number | null;
  rated_energy_basis: string | null;
  soh_c_percent: number | null;
  soh_e_percent: number | null;
  resistance_increase_percent: number | null;
  grade: string;
  applications: string[];
  retest: boolean;
  grading_reasons: string[];
  rule_set_version: number;
  event_id: string;
  recorded_at: Date | string;
}

export const RESIDUAL_TEST_COLUMNS = `t.id, t.battery_code, t.product_type, t.enterprise_id, t.client_test_id, t.testing_lab, t.standard, t.tested_at,
  t.ambient_temperature_c, t.discharge_current_a, t.charge_voltage_v, t.cutoff_voltage_v, t.cycles, t.dc_resistance_mohm, t.initial_resistance_mohm,
  t.open_circuit_voltage_v, t.appearance_check, t.insulation_check, t.mean_capacity_ah, t.mean_energy_wh, t.spread_percent, t.rated_capacity_ah,
  t.rated_capacity_basis, t.rated_energy_wh, t.rated_energy_basis, t.soh_c_percent, t.soh_e_percent, t.resistance_increase_percent, t.grade,
  t.applications, t.retest, t.grading_reasons, t.rule_set_version, t.event_id, t.recorded_at`;

/** ISO 8601 in UTC; a row built for the insert already holds that text (toISOString's). */
const instant = (v: Date | string) => (typeof v === 'string' ? v : v.toISOString());

export function toResidualTestView(r: ResidualTestRow): ResidualTestView {
  return {
    id: r.id,
    batteryCode: r.battery_code,
    productType: r.product_type,
    enterpriseId: r.enterprise_id,
    clientTestId: r.client_test_id,
    testingLab: r.testing_lab,
    standard: r.standard,
    testedAt: instant(r.tested_at),
    ambientTemperatureC: r.ambient_temperature_c,
    dischargeCurrentA: r.discharge_current_a,
    chargeVoltageV: r.charge_voltage_v,
    cutoffVoltageV: r.cutoff_voltage_v,
    cycles: r.cycles,
    dcResistanceMOhm: r.dc_resistance_mohm,
    initialResistanceMOhm: r.initial_resistance_mohm,
    openCircuitVoltageV: r.open_circuit_voltage_v,
    appearanceCheck: r.appearance_check,
    insulationCheck: r.insulation_check,
    meanCapacityAh: r.mean_capacity_ah,
    meanEnergyWh: r.mean_energy_wh,
    spreadPercent: r.spread_percent,
    ratedCapacityAh: r.rated_capacity_ah,
    ratedCapacityBasis: r.rated_capacity_basis,
    ratedEnergyWh: r.rated_energy_wh,
    ratedEnergyBasis: r.rated_energy_basis,
    sohCPercent: r.soh_c_percent ?? 'unknown',
    sohEPercent: r.soh_e_percent ?? 'unknown',
    resistanceIncreasePercent: r.resistance_increase_percent,
    grade: r.grade,
    applications: r.applications,
    retest: r.retest,
    gradingReasons: r.grading_reasons,
    ruleSetVersion: r.rule_set_version,
    eventId: r.event_id,
    recordedAt: instant(r.recorded_at),
  };
}

/** One test's result in a batch's default answer (ResidualTestSummaryView documents it). */
export interface TestResultSummary {
  index: number;
  status: 'accepted' | 'duplicate' | 'rejected';
  testId?: string;
  eventId?: string;
  clientTestId?: string;
  grade?: string;
  sohCPercent?: number | 'unknown';
  retest?: boolean;
  reasons?: ErrorDetail[];
  warnings?: ErrorDetail[];
}

/** A batch item's summary: the record's ids and decision (accepted, or the stored test a duplicate repeats), or why not. */
export function toTestResultSummary(o: {
  index: number;
  status: TestResultSummary['status'];
  row?: ResidualTestRow;
  reasons?: ErrorDetail[];
  warnings?: ErrorDetail[];
}): TestResultSummary {
  const r = o.row;
  const out: TestResultSummary = { index: o.index, status: o.status };
  if (r) {
    out.testId = r.id;
    out.eventId = r.event_id;
    if (r.client_test_id !== null) out.clientTestId = r.client_test_id;
    out.grade = r.grade;
    out.sohCPercent = r.soh_c_percent ?? 'unknown';
    out.retest = r.retest;
  }
  if (o.reasons) out.reasons = o.reasons;
  if (o.warnings) out.warnings = o.warnings;
  return out;
}
