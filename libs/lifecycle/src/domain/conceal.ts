/**
 * What a rejection may say about a registered battery. Visibility (README, "Who may do what") lets an enterprise
 * see the batteries it produced, holds or held, and those being handed over to it; the ledger's reasons name a
 * battery's holder, status, vehicle and last event, and would otherwise tell any firm with an API key what it
 * could not read through GET /v1/batteries. For a battery the reporter may not see, those reasons become the
 * one a battery that is not registered gets: the same words, so that not even its existence shows.
 */
import type { BatteryState } from './battery-state';
import { effectiveOf } from './battery-state';
import type { IngestResult, PartyLink } from './plan';
import type { RuleDetail } from './rules';
import { revealedBy } from './rules';

/** The batteries the rejected events' reasons tell about. */
export function revealedCodes(results: readonly IngestResult[]): Set<string> {
  const codes = new Set<string>();
  for (const r of results) {
    if (r.status !== 'rejected') continue;
    for (const d of r.reasons ?? []) {
      const revealed = revealedBy(d as RuleDetail);
      if (revealed) codes.add(revealed.batteryCode);
    }
  }
  return codes;
}

/**
 * Whether the batch itself shows that the reporter may see the battery: it produced it, holds it (or the battery
 * it is inside), a hand-over to it is pending, or an event of this batch made it a party. Otherwise the stored
 * parties decide (BatteriesService.visibleTo).
 */
export function knownFromBatch(reporterId: string, code: string, states: ReadonlyMap<string, BatteryState>, parties: readonly PartyLink[]): boolean {
  const s = states.get(code);
  if (!s) return false;
  const e = effectiveOf(s, states);
  if (s.producerId === reporterId || s.holderId === reporterId || s.pendingTo === reporterId || e.holderId === reporterId || e.pendingTo === reporterId)
    return true;
  return parties.some((p) => p.batteryCode === code && p.enterpriseId === reporterId);
}

/**
 * Replaces, in place, every reason about a battery in `unseen` by the reason an unregistered battery gets (once per battery),
 * or drops it when an unregistered battery gets none beyond the event's other reasons (Revealed.concealedAs null).
 */
export function concealUnseen(results: IngestResult[], unseen: ReadonlySet<string>): void {
  if (unseen.size === 0) return;
  for (const r of results) {
    if (r.status !== 'rejected' || !r.reasons) continue;
    const out: RuleDetail[] = [];
    const concealed = new Set<string>();
    for (const d of r.reasons as RuleDetail[]) {
      const revealed = revealedBy(d);
      if (!revealed || !unseen.has(revealed.batteryCode)) {
        out.push(d);
        continue;
      }
      if (revealed.concealedAs === null) continue;
      const key = `${revealed.batteryCode}\u0000${revealed.concealedAs.path}\u0000${revealed.concealedAs.reason}`;
      if (concealed.has(key)) continue;
      concealed.add(key);
      out.push(revealed.concealedAs);
    }
    r.reasons = out;
  }
}
