/**
 * Which regions an enterprise must cover with outlets, by rule set (chosen by the date asked about):
 * - 2019 guide (and the 2021 cascade measures, art. 19): vehicle makers a collection outlet in every prefecture-level
 *   region where they sell NEVs; cascade firms outlets matched to where their products go (read as prefectures);
 *   battery makers had no region-by-region duty.
 * - 2026 measures (from 2026-04-01): battery makers in every province where they sell, vehicle makers in every
 *   prefecture; cascade firms are kept at prefectures (the 2026 text on them was not available).
 */
export type CoverageRole = 'vehicle_maker' | 'battery_maker' | 'cascade_utiliser';
export type CoverageLevel = 'province' | 'prefecture';

export interface CoverageDuty {
  role: CoverageRole;
  /** Null: no region-by-region duty under this set (regions are still listed, as information). */
  level: CoverageLevel | null;
  /** The level regions are listed at when there is no duty. */
  listLevel: CoverageLevel;
  basis: string;
  /** Where the sales come from. */
  sales: string;
}

export interface CoverageRuleSet {
  id: string;
  validFrom: string | null;
  validUntil: string | null;
  duties: Record<CoverageRole, CoverageDuty>;
}

export const COVERAGE_RULE_SETS: readonly CoverageRuleSet[] = [
  {
    id: 'cn-2019-outlets',
    validFrom: null,
    validUntil: '2026-04-01',
    duties: {
      vehicle_maker: {
        role: 'vehicle_maker',
        level: 'prefecture',
        listLevel: 'prefecture',
        basis: '2019 outlet guide: collection outlets in every prefecture-level region where NEVs are sold',
        sales: 'vehicle_sold events it reported',
      },
      battery_maker: {
        role: 'battery_maker',
        level: null,
        listLevel: 'province',
        basis: '2019 outlet guide: no region-by-region duty for battery makers',
        sales: 'vehicle_sold events of packs with its manufacturer codes',
      },
      cascade_utiliser: {
        role: 'cascade_utiliser',
        level: 'prefecture',
        listLevel: 'prefecture',
        basis: '梯次利用管理办法 (2021) art. 19: outlets matched to sales, per the 2019 guide',
        sales: 'cascade_shipped events it reported',
      },
    },
  },
  {
    id: 'cn-2026-outlets',
    validFrom: '2026-04-01',
    validUntil: null,
    duties: {
      vehicle_maker: {
        role: 'vehicle_maker',
        level: 'prefecture',
        listLevel: 'prefecture',
        basis: '2026 暂行办法: outlets in every prefecture-level region where the vehicle maker sells',
        sales: 'vehicle_sold events it reported',
      },
      battery_maker: {
        role: 'battery_maker',
        level: 'province',
        listLevel: 'province',
        basis: '2026 暂行办法: outlets in every province where the battery maker sells',
        sales: 'vehicle_sold events of packs with its manufacturer codes',
      },
      cascade_utiliser: {
        role: 'cascade_utiliser',
        level: 'prefecture',
        listLevel: 'prefecture',
        basis: '梯次利用管理办法 (2021) art. 19, kept until the 2026 text on cascade firms is known',
        sales: 'cascade_shipped events it reported',
      },
    },
  },
];

export function coverageRuleSetOn(date: string): CoverageRuleSet {
  const set = COVERAGE_RULE_SETS.find((s) => (s.validFrom === null || s.validFrom <= date) && (s.validUntil === null || date < s.validUntil));
  if (!set) throw new Error(`no coverage rule set for ${date}`);
  return set;
}

/** The region key of a 6-digit code at a level: 2 digits (province) or 4 (prefecture). */
export function regionKey(code: string, level: CoverageLevel): string {
  return level === 'province' ? code.slice(0, 2) : code.slice(0, 4);
}
