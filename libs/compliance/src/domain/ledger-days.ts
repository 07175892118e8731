/**
 * The two per-event facts a report derives from a business time, as pure code (a report partition runs in a worker
 * thread that loads no Nest): the Beijing date, and the ledger rule set in force on it. Both are memoised by day,
 * since millions of events fall on a few hundred days.
 */
import { beijingDate } from '#libs/identifiers';

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3_600_000;
/** Bound on each memo (days): a report over centuries of dates starts over rather than grow without end. */
const MEMO_DAYS = 50_000;

const dateByDay = new Map<number, string>();

/** The Beijing date (YYYY-MM-DD) of an instant, memoised by day. */
export function beijingDateOf(at: Date): string {
  const day = Math.floor((at.getTime() + BEIJING_MS) / DAY_MS);
  let date = dateByDay.get(day);
  if (date === undefined) {
    if (dateByDay.size > MEMO_DAYS) dateByDay.clear();
    dateByDay.set(day, (date = beijingDate(at.getTime())));
  }
  return date;
}

/** A ledger rule set's window of business dates (#libs/lifecycle's LedgerRuleSet, only what the choice reads). */
export interface LedgerRuleSetWindow {
  readonly id: string;
  /** First business date it applies to; null: since always. */
  readonly validFrom: string | null;
  /** First business date it no longer applies to; null: still in force. */
  readonly validUntil: string | null;
}

/**
 * The ledger's choice of rule set by business date (#libs/lifecycle's `ruleSetFor`, over the windows only: the
 * first set whose window holds the date, else the last), memoised by day. A spec holds it to `ruleSetFor`.
 */
export function ledgerRuleSetChooser(windows: readonly LedgerRuleSetWindow[]): (occurredAt: Date) => string {
  if (windows.length === 0) throw new Error('no ledger rule sets');
  const byDay = new Map<number, string>();
  const choose = (date: string): string =>
    (windows.find((s) => (s.validFrom === null || date >= s.validFrom) && (s.validUntil === null || date < s.validUntil)) ?? windows[windows.length - 1]).id;
  return (occurredAt) => {
    const day = Math.floor((occurredAt.getTime() + BEIJING_MS) / DAY_MS);
    let id = byDay.get(day);
    if (id === undefined) {
      if (byDay.size > MEMO_DAYS) byDay.clear();
      byDay.set(day, (id = choose(beijingDateOf(occurredAt))));
    }
    return id;
  };
}
