/**
 * Missing uploads (pure): per battery, the events that call for a follow-up (deadline-rules.ts `expectations`)
 * and whether it came. A follow-up that has not come is `overdue` once its window has passed (as of the report's
 * time), `open` before, and `pending` when the calendar cannot count the window.
 */
import type { EnterpriseRole } from '#libs/enterprises';
import type { DeadlineEngine } from './assess';
import type { DeadlineRuleSet, Expectation } from './deadline-rules';

export interface TimelineEvent {
  id: string;
  type: string;
  occurredAt: Date;
  reporterId: string;
  counterpartyId: string | null;
  /** The ledger rule set chosen by its business date. */
  ledgerRuleSet: string;
}

export type ExpectationStatus = 'fulfilled' | 'overdue' | 'open' | 'pending';

export interface ExpectationResult {
  expectation: string;
  description: string;
  basis: string;
  batteryCode: string;
  /** The event that called for the follow-up. */
  eventId: string;
  eventType: string;
  occurredAt: Date;
  /** The party that owes the follow-up (enterprise id); null when the event names none. */
  owedBy: string | null;
  status: ExpectationStatus;
  dueAt: Date | null;
  /** Which event fulfilled it. */
  fulfilledBy: string | null;
}

/**
 * Every expectation raised by a battery's timeline (events in business-time order) and its status as of `asOf`.
 * `rolesOf` answers an enterprise's roles (for "handed over to a recycler").
 */
export function expectationsOf(
  batteryCode: string,
  timeline: readonly TimelineEvent[],
  engine: DeadlineEngine,
  asOf: Date,
  rolesOf: (enterpriseId: string) => readonly EnterpriseRole[],
): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (let i = 0; i < timeline.length; i += 1) {
    const e = timeline[i];
    const raised = expectationsAfter(engine.sets, e.ledgerRuleSet, e.type);
    if (raised === undefined) continue;
    for (const x of raised) {
      if (x.needsCounterparty && !e.counterpartyId) continue;
      const owedBy = x.owedBy === 'counterparty' ? e.counterpartyId : e.reporterId;
      let by: TimelineEvent | undefined;
      for (let j = i + 1; j < timeline.length && !by; j += 1) if (fulfils(x, timeline[j], owedBy, rolesOf)) by = timeline[j];
      const dueAt = engine.dueAt(x.within.amount, x.within.unit, e.occurredAt);
      const status: ExpectationStatus = by ? 'fulfilled' : dueAt === null ? 'pending' : asOf.getTime() > dueAt.getTime() ? 'overdue' : 'open';
      out.push({
        expectation: x.id,
        description: x.description,
        basis: x.basis,
        batteryCode,
        eventId: e.id,
        eventType: e.type,
        occurredAt: e.occurredAt,
        owedBy,
        status,
        dueAt,
        fulfilledBy: by?.id ?? null,
      });
    }
  }
  return out;
}

/** Per table list: ledger rule set → event type → the expectations it raises (in table order), built once. */
const raisedBy = new WeakMap<readonly DeadlineRuleSet[], Map<string, Map<string, readonly Expectation[]>>>();

function expectationsAfter(sets: readonly DeadlineRuleSet[], ledgerRuleSet: string, type: string): readonly Expectation[] | undefined {
  let byLedger = raisedBy.get(sets);
  if (!byLedger) {
    byLedger = new Map();
    for (const set of sets) {
      // The first table of a ledger rule set is the one that judges it (as `sets.find` did).
      if (byLedger.has(set.ledgerRuleSet)) continue;
      const byType = new Map<string, Expectation[]>();
      for (const x of set.expectations) byType.set(x.after, [...(byType.get(x.after) ?? []), x]);
      byLedger.set(set.ledgerRuleSet, byType);
    }
    raisedBy.set(sets, byLedger);
  }
  return byLedger.get(ledgerRuleSet)?.get(type);
}

function fulfils(x: Expectation, f: TimelineEvent, owedBy: string | null, rolesOf: (id: string) => readonly EnterpriseRole[]): boolean {
  return x.expect.some((want) => {
    if (want.type !== f.type) return false;
    if (want.by === 'owing' && f.reporterId !== owedBy) return false;
    if (want.counterpartyRoles) {
      if (!f.counterpartyId) return false;
      const roles = rolesOf(f.counterpartyId);
      if (!want.counterpartyRoles.some((r) => roles.includes(r))) return false;
    }
    return true;
  });
}
