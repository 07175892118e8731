/**
 * The plan a batch ends with: counts and status from the per-event results, the batteries to insert or update,
 * and the all-or-nothing rule of atomic batches (one rejection and nothing is written: every accepted event is
 * answered as rejected by ATOMIC).
 */
import type { BatteryState } from './battery-state';
import type { BatchEffects } from './plan-apply';
import type { BatchStatus, IngestCounts, IngestResult, Plan, PlanInput, PlannedClaim, PlannedEvent, PlannedLink } from './plan-types';
import { detail, LedgerRule } from './rules';

export function planOf(
  input: PlanInput,
  results: IngestResult[],
  events: PlannedEvent[],
  links: PlannedLink[],
  fx: BatchEffects,
  claims: PlannedClaim[],
): Plan {
  const counts: IngestCounts = { total: results.length, accepted: 0, duplicate: 0, rejected: 0 };
  for (const r of results) counts[r.status]++;
  if (input.mode === 'atomic' && counts.rejected > 0) return rolledBack(input, results, counts);

  const batteriesToInsert: BatteryState[] = [];
  const batteriesToUpdate: BatteryState[] = [];
  for (const s of input.states.values()) {
    if (s.isNew) batteriesToInsert.push(s);
    else if (s.changed) batteriesToUpdate.push(s);
  }
  const status: BatchStatus = counts.rejected === 0 ? 'ACCEPTED' : counts.accepted + counts.duplicate === 0 ? 'REJECTED' : 'PARTIALLY_ACCEPTED';
  const { componentStarts, componentEnds, origins, parties } = fx;
  return { status, counts, results, events, links, batteriesToInsert, batteriesToUpdate, componentStarts, componentEnds, origins, parties, claims };
}

/** An atomic batch with a rejection: nothing to write, and the events that were valid say why they were not recorded. */
function rolledBack(input: PlanInput, results: readonly IngestResult[], counts: IngestCounts): Plan {
  return {
    status: 'REJECTED',
    counts: { ...counts, accepted: 0, rejected: counts.rejected + counts.accepted },
    results: results.map((r) =>
      r.status === 'accepted'
        ? {
            index: r.index,
            status: 'rejected',
            clientEventId: r.clientEventId,
            reasons: [detail(input.pathOf(r.index), LedgerRule.ATOMIC, 'valid, but not recorded: the batch is atomic and other events in it were rejected')],
          }
        : r,
    ),
    events: [],
    links: [],
    batteriesToInsert: [],
    batteriesToUpdate: [],
    componentStarts: [],
    componentEnds: [],
    origins: [],
    parties: [],
    claims: [],
  };
}
