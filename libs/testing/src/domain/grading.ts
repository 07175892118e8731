import type { Derived } from './derive';

/**
 * Grading a tested battery: back into a vehicle, into cascade products (and which application fields), or to
 * recycling. No standard text sets these thresholds (domain notes §2.3: only the 80 % retirement convention is
 * confirmed); the rule set is data, versioned, replaced by administrators, and each grade names its version.
 */

export const GRADES = ['vehicle_reuse', 'cascade', 'recycle', 'ungraded'] as const;
export type Grade = (typeof GRADES)[number];

/** Application fields of cascade products (梯次利用领域); rule sets may name others. */
export const APPLICATION_FIELDS = ['energy_storage', 'telecom_backup', 'low_speed_vehicle', 'ups_backup', 'street_lighting'] as const;

export interface ApplicationThreshold {
  /** Field of use, e.g. energy_storage (储能), telecom_backup (通信基站备电), low_speed_vehicle (低速车). */
  field: string;
  minSohPercent: number;
  /** When the resistance increase is known, at most this. */
  maxResistanceIncreasePercent?: number;
}

export interface GradingRules {
  /** A spread between discharge cycles above this (%) means the result is not stable: retest, graded recycle. */
  maxCycleSpreadPercent: number;
  /** Back into a vehicle (the same kind of use): at least this SOH_C. */
  vehicleReuseMinSohPercent: number;
  vehicleReuseMaxResistanceIncreasePercent?: number;
  applications: ApplicationThreshold[];
}

export interface GradingRuleSet {
  version: number;
  rules: GradingRules;
  basis: string;
}

/**
 * Version 1, built in. Industry practice, not standard text: 80 % SOH is the usual end of vehicle use
 * (GB/T 34015.3-2021 introduction); 3 % cycle spread is the acceptance commonly described for GB/T 34015;
 * the per-field thresholds are typical figures from the literature.
 */
export const DEFAULT_GRADING_RULE_SET: GradingRuleSet = {
  version: 1,
  basis: 'Built-in defaults: industry practice, not standard text (GB/T 34015 sets no thresholds)',
  rules: {
    maxCycleSpreadPercent: 3,
    vehicleReuseMinSohPercent: 80,
    vehicleReuseMaxResistanceIncreasePercent: 50,
    applications: [
      { field: 'low_speed_vehicle', minSohPercent: 70, maxResistanceIncreasePercent: 80 },
      { field: 'energy_storage', minSohPercent: 60, maxResistanceIncreasePercent: 100 },
      { field: 'telecom_backup', minSohPercent: 60, maxResistanceIncreasePercent: 100 },
      { field: 'ups_backup', minSohPercent: 50 },
      { field: 'street_lighting', minSohPercent: 40 },
    ],
  },
};

export interface GradingInput extends Pick<Derived, 'spreadPercent' | 'sohCPercent' | 'resistanceIncreasePercent'> {
  appearanceCheck: 'pass' | 'fail';
  insulationCheck: 'pass' | 'fail' | null;
}

export interface GradingDecision {
  grade: Grade;
  /** The application fields it qualifies for (all of them for vehicle_reuse; none for recycle). */
  applications: string[];
  /** The measurement should be repeated (spread over the limit). */
  retest: boolean;
  reasons: string[];
  ruleSetVersion: number;
}

export function grade(input: GradingInput, set: GradingRuleSet): GradingDecision {
  const r = set.rules;
  const base = { ruleSetVersion: set.version, retest: false };
  if (input.appearanceCheck === 'fail')
    return { ...base, grade: 'recycle', applications: [], reasons: ['the appearance check failed (deformation, leakage or swelling)'] };
  if (input.insulationCheck === 'fail') return { ...base, grade: 'recycle', applications: [], reasons: ['the insulation check failed'] };
  if (input.spreadPercent > r.maxCycleSpreadPercent) {
    return {
      ...base,
      retest: true,
      grade: 'recycle',
      applications: [],
      reasons: [`the spread between discharge cycles (${input.spreadPercent} %) is over ${r.maxCycleSpreadPercent} %: retest, or recycle`],
    };
  }
  const soh = input.sohCPercent;
  if (soh === null) return { ...base, grade: 'ungraded', applications: [], reasons: ['the rated capacity is unknown, so SOH is unknown: no grade'] };
  const ri = input.resistanceIncreasePercent;
  const resistanceOk = (max: number | undefined) => max === undefined || ri === null || ri <= max;
  const fields = r.applications.filter((a) => soh >= a.minSohPercent && resistanceOk(a.maxResistanceIncreasePercent)).map((a) => a.field);
  if (soh >= r.vehicleReuseMinSohPercent && resistanceOk(r.vehicleReuseMaxResistanceIncreasePercent)) {
    return { ...base, grade: 'vehicle_reuse', applications: r.applications.map((a) => a.field), reasons: [`SOH ${soh} % ≥ ${r.vehicleReuseMinSohPercent} %`] };
  }
  if (fields.length > 0) return { ...base, grade: 'cascade', applications: fields, reasons: [`SOH ${soh} % qualifies for ${fields.join(', ')}`] };
  return { ...base, grade: 'recycle', applications: [], reasons: [`SOH ${soh} % is below every application field's threshold`] };
}

/** Whether a grade lets the battery go into a cascade product for `field`. */
export function gradeAllows(g: { grade: string; applications: readonly string[] }, field: string): boolean {
  return (g.grade === 'vehicle_reuse' || g.grade === 'cascade') && g.applications.includes(field);
}

/** Checks a rule set given by an administrator; returns the problems as (path, reason). */
export function checkRules(rules: GradingRules): { path: string; reason: string }[] {
  const out: { path: string; reason: string }[] = [];
  const fields = new Set<string>();
  rules.applications.forEach((a, i) => {
    if (fields.has(a.field)) out.push({ path: `rules.applications[${i}].field`, reason: `${a.field} appears twice` });
    fields.add(a.field);
    if (a.minSohPercent > rules.vehicleReuseMinSohPercent)
      out.push({ path: `rules.applications[${i}].minSohPercent`, reason: 'must not be above vehicleReuseMinSohPercent' });
  });
  return out;
}
