/**
 * The outlet rules as versioned data (2019 outlet guide, 工信部公告2019年第46号; 2026 measures). Each threshold names
 * its source and whether that source is the guide's draft (the final text was not re-confirmed: domain README §4),
 * so an error can say where a number comes from, and a corrected figure is a data change.
 */
export type OutletType = 'collection' | 'centralised_storage';
export const OUTLET_TYPES: readonly OutletType[] = ['collection', 'centralised_storage'];
export type OutletStatus = 'active' | 'suspended' | 'closed';
export const OUTLET_STATUSES: readonly OutletStatus[] = ['active', 'suspended', 'closed'];

export interface Threshold {
  /** Stable id of the rule (also the key of its Chinese message). */
  readonly rule: string;
  readonly type: OutletType;
  readonly field: 'storageAreaM2' | 'capacityT' | 'stockT';
  readonly op: '>=' | '<=';
  readonly value: number;
  readonly unit: 'm²' | 't';
  /** Where the value comes from. */
  readonly source: string;
  /** True when only the draft of the guide is known to carry the value. */
  readonly draft: boolean;
}

export interface OutletRuleSet {
  readonly id: string;
  readonly title: string;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly thresholds: readonly Threshold[];
}

const GUIDE_2019 = '新能源汽车动力蓄电池回收服务网点建设和运营指南 (工信部公告2019年第46号)';

const THRESHOLDS_2019: readonly Threshold[] = [
  {
    rule: 'OUTLET_COLLECTION_MIN_AREA',
    type: 'collection',
    field: 'storageAreaM2',
    op: '>=',
    value: 10,
    unit: 'm²',
    source: `${GUIDE_2019}: 收集型网点贮存面积不低于10 m²`,
    draft: false,
  },
  {
    rule: 'OUTLET_COLLECTION_MAX_STOCK',
    type: 'collection',
    field: 'stockT',
    op: '<=',
    value: 5,
    unit: 't',
    source: `${GUIDE_2019}: 收集型网点贮存量不超过5 t`,
    draft: false,
  },
  {
    rule: 'OUTLET_STORAGE_MIN_CAPACITY',
    type: 'centralised_storage',
    field: 'capacityT',
    op: '>=',
    value: 30,
    unit: 't',
    source: `${GUIDE_2019}: 集中贮存型网点贮存能力不低于30 t`,
    draft: false,
  },
];

/**
 * The 2026 measures replace the 2019 guide but their text on outlet facilities was not available: the 2019
 * thresholds stay in force under the 2026 set until its figures are known (a data change).
 */
export const OUTLET_RULE_SETS: readonly OutletRuleSet[] = [
  { id: 'cn-2019-outlets', title: GUIDE_2019, validFrom: null, validUntil: '2026-04-01', thresholds: THRESHOLDS_2019 },
  {
    id: 'cn-2026-outlets',
    title: '新能源汽车废旧动力电池回收和综合利用管理暂行办法 (2026-04-01); facility thresholds carried over from the 2019 guide',
    validFrom: '2026-04-01',
    validUntil: null,
    thresholds: THRESHOLDS_2019,
  },
];

export function outletRuleSetOn(date: string): OutletRuleSet {
  const set = OUTLET_RULE_SETS.find((s) => (s.validFrom === null || s.validFrom <= date) && (s.validUntil === null || date < s.validUntil));
  if (!set) throw new Error(`no outlet rule set for ${date}`);
  return set;
}

export interface OutletFacts {
  type: OutletType;
  storageAreaM2: number;
  capacityT: number;
}

export interface RuleViolation {
  rule: string;
  path: string;
  reason: string;
  source: string;
  draft: boolean;
  limit: number;
  found: number;
}

const FIELD_TEXT: Record<Threshold['field'], string> = { storageAreaM2: 'storage area', capacityT: 'storage capacity', stockT: 'stock' };

/**
 * The facility rules an outlet record breaks. For a collection outlet the stored quantity limit (5 t) also bounds
 * what the outlet may declare as its capacity: a declared capacity above it would invite over-storage.
 */
export function checkOutlet(facts: OutletFacts, set: OutletRuleSet): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const t of set.thresholds) {
    if (t.type !== facts.type) continue;
    const field = t.field === 'stockT' ? 'capacityT' : t.field;
    const found = facts[field];
    const ok = t.op === '>=' ? found >= t.value : found <= t.value;
    if (!ok) {
      const what = t.field === 'stockT' ? 'storage capacity (the most it may hold in stock)' : FIELD_TEXT[t.field];
      out.push({
        rule: t.rule,
        path: field,
        reason: `a ${facts.type} outlet's ${what} must be ${t.op === '>=' ? 'at least' : 'at most'} ${t.value} ${t.unit} (found ${found}); source: ${t.source}${t.draft ? ' [draft value]' : ''}`,
        source: t.source,
        draft: t.draft,
        limit: t.value,
        found,
      });
    }
  }
  return out;
}

/** The most an outlet may hold, in tonnes: a collection outlet the rule set's stock limit, a storage outlet its capacity. */
export function stockLimitT(facts: OutletFacts, set: OutletRuleSet): { limitT: number; rule: string; source: string } {
  if (facts.type === 'collection') {
    const t = set.thresholds.find((x) => x.type === 'collection' && x.field === 'stockT');
    if (t) return { limitT: Math.min(t.value, facts.capacityT || t.value), rule: t.rule, source: t.source };
  }
  return { limitT: facts.capacityT, rule: 'OUTLET_CAPACITY', source: "the outlet's registered storage capacity" };
}
