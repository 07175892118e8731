/**
 * Upload deadlines as versioned data: per ledger rule set (chosen by the event's business date), which event types
 * are upload nodes with a deadline, who is responsible, how long and in which unit. A node missing from a table
 * has **no deadline known** (the 2026 measures' full text was not available: domain README §10) — never a
 * made-up one. Completing a table is a data change: add rows, bump `version`.
 *
 * The stored `lifecycle_events.rule_set` is `<id>@<version>` (e.g. `cn-2018@1`), so every assessment names the
 * data it was made with.
 */
import type { EnterpriseRole } from '#libs/enterprises';
import type { EventType } from '#libs/lifecycle';

export type DeadlineUnit = 'working_days' | 'calendar_days';

export interface DeadlineRule {
  /** Who must upload the node (the reporter's role in the regulation's words). */
  readonly responsible: readonly EnterpriseRole[];
  readonly amount: number;
  readonly unit: DeadlineUnit;
  /** What the deadline counts from: the node's business time (`occurredAt`), in Beijing days. */
  readonly start: 'occurred_at';
  /** Article and text it comes from, with the domain README's confidence mark where it is not [C]. */
  readonly basis: string;
}

/**
 * A node that should follow another and has not (a missing upload): after `after`, one of `expect` by the party
 * that owes it, within `within` of the first event's business time.
 */
export interface Expectation {
  readonly id: string;
  readonly after: EventType;
  /** Only when the first event names a counterparty (a hand-over). */
  readonly needsCounterparty?: boolean;
  /** Who owes the follow-up: the first event's counterparty (the receiver) or its reporter. */
  readonly owedBy: 'counterparty' | 'reporter';
  /** Follow-ups that fulfil it; `by: 'owing'`: must be reported by the owing party; `counterpartyRoles`: it must hand over to one of them. */
  readonly expect: readonly { readonly type: EventType; readonly by: 'owing' | 'any'; readonly counterpartyRoles?: readonly EnterpriseRole[] }[];
  readonly within: { readonly amount: number; readonly unit: DeadlineUnit };
  readonly description: string;
  readonly basis: string;
}

export interface DeadlineRuleSet {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  /** The ledger rule set (by business date) whose events this table judges. */
  readonly ledgerRuleSet: string;
  readonly rules: Readonly<Partial<Record<EventType, DeadlineRule>>>;
  readonly expectations: readonly Expectation[];
}

/** A table's row builder for one unit: `wd(15, ['dismantler'], 'art. 13: …')` is a node's deadline, counted from its business time. */
const deadlineIn =
  (unit: DeadlineUnit) =>
  (amount: number, responsible: readonly EnterpriseRole[], basis: string): DeadlineRule => ({ responsible, amount, unit, start: 'occurred_at', basis });
const wd = deadlineIn('working_days');
const cd = deadlineIn('calendar_days');

const OUTLET_RESPONSIBLE: readonly EnterpriseRole[] = ['vehicle_maker'];
const RECEIPTS: Expectation['expect'] = [
  { type: 'cascade_received', by: 'owing' },
  { type: 'recycler_received', by: 'owing' },
  { type: 'outlet_received', by: 'owing' },
];

/**
 * The receiver of a hand-over (a removal, or a hand-over out of an outlet) owes its receipt: the same two
 * expectations in every table, each table with its own window and basis.
 */
const receiptsOwed = (within: Expectation['within'], basis: string): Expectation[] => [
  {
    id: 'removed_not_received',
    after: 'removed',
    needsCounterparty: true,
    owedBy: 'counterparty',
    expect: RECEIPTS,
    within,
    description: 'A battery removed and handed over has no receipt by the receiver',
    basis,
  },
  {
    id: 'handed_over_not_received',
    after: 'outlet_handed_over',
    needsCounterparty: true,
    owedBy: 'counterparty',
    expect: RECEIPTS,
    within,
    description: 'A battery handed out of an outlet has no receipt by the receiver',
    basis,
  },
];

/** 溯源管理暂行规定 (2018) §3 of the domain README; 梯次利用管理办法 (2021) art. 12 refers to the same deadlines. */
export const CN_2018: DeadlineRuleSet = Object.freeze({
  id: 'cn-2018',
  version: 1,
  title: '溯源管理暂行规定 (工信部公告2018年第35号), deadlines in working days',
  ledgerRuleSet: 'cn-2018',
  rules: Object.freeze({
    // Battery makers have no upload deadline in arts. 8–15 (they code and file: art. 6): produced, delivered.
    vehicle_certified: wd(15, ['vehicle_maker'], 'art. 8: certificate of conformity issued, 15 working days'),
    vehicle_imported: wd(15, ['importer'], 'art. 8: imported vehicle cleared and inspected, 15 working days'),
    vehicle_sold: wd(30, ['vehicle_maker', 'importer', 'dealer'], 'art. 9 (sale; 30 working days inferred from art. 10 [U])'),
    repaired: wd(30, ['vehicle_maker', 'repairer', 'leasing'], 'art. 10: repair or replacement, 30 working days'),
    replaced: wd(30, ['vehicle_maker', 'repairer', 'leasing'], 'art. 10: repair or replacement, 30 working days'),
    outlet_received: wd(30, OUTLET_RESPONSIBLE, 'art. 11: received into outlet stock (回收入库), 30 working days'),
    outlet_handed_over: wd(30, OUTLET_RESPONSIBLE, 'art. 11: handed out of outlet stock (移交出库), 30 working days'),
    vehicle_scrapped: wd(15, ['dismantler'], 'art. 13: scrapped vehicle received, 15 working days'),
    removed: wd(15, ['dismantler'], 'art. 13: battery removed and handed out (拆卸并移交出库), 15 working days'),
    cascade_received: wd(15, ['cascade_utiliser'], 'art. 14: waste battery received (回收入库), 15 working days'),
    cascade_shipped: wd(15, ['cascade_utiliser'], 'art. 14: cascade product leaves stock (梯次利用电池产品出库), 15 working days'),
    cascade_scrapped: wd(15, ['cascade_utiliser'], 'art. 14; 梯次利用管理办法 art. 20: waste arising at the cascade firm, 15 working days'),
    recycler_received: wd(30, ['recycler'], 'art. 15: received into stock (接收入库), 30 working days'),
    recycled: wd(30, ['recycler'], 'art. 15: recycling and final disposal completed, 30 working days'),
  }),
  expectations: Object.freeze([
    ...receiptsOwed({ amount: 30, unit: 'working_days' }, 'arts. 11, 14, 15: the receiver uploads its receipt (15 or 30 working days; the longer is used)'),
    {
      id: 'scrapped_not_removed',
      after: 'vehicle_scrapped',
      owedBy: 'reporter',
      expect: [{ type: 'removed', by: 'owing' }],
      within: { amount: 15, unit: 'working_days' },
      description: 'A scrapped vehicle’s battery was not removed and handed over',
      basis: 'art. 13: removal and hand-over, 15 working days',
    },
    {
      id: 'cascade_scrap_not_handed_over',
      after: 'cascade_scrapped',
      owedBy: 'reporter',
      expect: [
        { type: 'outlet_handed_over', by: 'owing', counterpartyRoles: ['recycler'] },
        { type: 'recycler_received', by: 'any' },
      ],
      within: { amount: 15, unit: 'working_days' },
      description: 'A scrapped cascade product was not handed over to a recycler',
      basis: '梯次利用管理办法 art. 20; 溯源管理暂行规定 art. 14 (15 working days)',
    },
    {
      id: 'received_not_recycled',
      after: 'recycler_received',
      owedBy: 'reporter',
      expect: [{ type: 'recycled', by: 'owing' }],
      within: { amount: 30, unit: 'working_days' },
      description: 'A battery received by a recycler has no completed recycling',
      basis: 'art. 15: receipt and completion each within 30 working days (the window for completing is this table’s reading [U])',
    },
  ] satisfies Expectation[]),
});

/**
 * 2026 暂行办法 (in force 2026-04-01), domain README §10: only art. 24(7) is known — comprehensive-utilisation
 * firms report within 30 日 (read as calendar days [P]) of receiving waste batteries and after their products
 * leave stock. Every other node: no deadline known.
 */
export const CN_2026: DeadlineRuleSet = Object.freeze({
  id: 'cn-2026',
  version: 1,
  title: '新能源汽车废旧动力电池回收和综合利用管理暂行办法 (2026), partly known',
  ledgerRuleSet: 'cn-2026',
  rules: Object.freeze({
    cascade_received: cd(30, ['cascade_utiliser'], 'art. 24(7): waste batteries received, 30 days [P]'),
    recycler_received: cd(30, ['recycler'], 'art. 24(7): waste batteries received, 30 days [P]'),
    cascade_shipped: cd(30, ['cascade_utiliser'], 'art. 24(7): products leave stock, 30 days [P]'),
  }),
  expectations: Object.freeze(receiptsOwed({ amount: 30, unit: 'calendar_days' }, 'art. 24(7): receipts within 30 days [P]')),
});

export const DEADLINE_RULE_SETS: readonly DeadlineRuleSet[] = Object.freeze([CN_2018, CN_2026]);

/** `cn-2018@1`: what `lifecycle_events.rule_set` stores. */
export const ruleSetKey = (s: DeadlineRuleSet): string => `${s.id}@${s.version}`;

/** The deadline table for events the ledger judged under `ledgerRuleSet` (null: none). */
export function deadlineRuleSetFor(ledgerRuleSet: string, sets: readonly DeadlineRuleSet[] = DEADLINE_RULE_SETS): DeadlineRuleSet | null {
  return sets.find((s) => s.ledgerRuleSet === ledgerRuleSet) ?? null;
}

/** Every rule set's key, sorted: part of a report's identity (a new version gives a new report). */
export function ruleSetsVersion(sets: readonly DeadlineRuleSet[] = DEADLINE_RULE_SETS): string {
  return sets.map(ruleSetKey).sort().join(',');
}
