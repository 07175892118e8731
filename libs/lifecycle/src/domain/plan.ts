/**
 * The state machine over a batch: given the events of one request (validated on their own), the loaded
 * state of every battery they name, and what the database already holds (earlier events with the same
 * client ids or content hashes, the events being corrected), decides for each event in order whether it is
 * accepted, a duplicate or rejected, applies the accepted ones to the in-memory state (so later events of
 * the batch see them), and returns every row to write. Pure: no I/O, so it is unit-tested directly.
 */
import type { EventContent } from './canonical';
import { contentHash, linkHash } from './canonical';
import { apply, BatchEffects } from './plan-apply';
import { evaluate } from './plan-checks';
import { planOf } from './plan-result';
import type { BatteryState } from './battery-state';
import type { IngestResult, KnownEnterprise, Plan, PlanInput, PlannedClaim, PlannedEvent, PlannedLink, Resolved, ResolvedCandidate } from './plan-types';
import type { Prevalidated } from './prevalidate';
import { regionKeys } from './region';
import { detail, LedgerRule } from './rules';

export * from './plan-types';
export { keepsPartInPlace } from './plan-apply';

// ---- resolving counterparties and hashing ---------------------------------------------------------------

/**
 * Names counterparties by enterprise (from their USCC) and computes each event's content hash. Unknown
 * USCCs reject the event here, before anything else is looked at.
 */
export function resolveCandidates(items: readonly Prevalidated[], reporter: KnownEnterprise, byUscc: ReadonlyMap<string, KnownEnterprise>): Resolved[] {
  return items.map((item): Resolved => {
    if (!item.ok) return item;
    const c = item.candidate;
    let counterparty: KnownEnterprise | null = null;
    if (c.counterpartyUscc !== null) {
      counterparty = byUscc.get(c.counterpartyUscc) ?? null;
      if (!counterparty) {
        return {
          ok: false,
          clientEventId: c.clientEventId,
          reasons: [
            detail(
              `${c.path}.counterpartyUscc`,
              LedgerRule.UNKNOWN_COUNTERPARTY,
              `no enterprise with USCC ${c.counterpartyUscc} is registered: the counterparty must have an account`,
            ),
          ],
        };
      }
    }
    const content: EventContent = {
      type: c.type,
      schemaVersion: c.schemaVersion,
      batteryCodes: c.batteryCodes,
      occurredAt: c.occurredAt,
      reporterEnterpriseId: reporter.id,
      counterpartyEnterpriseId: counterparty?.id ?? null,
      regionCode: c.regionCode,
      vin: c.vin,
      payload: c.payload,
      correctionOf: c.correctionOf,
      clientEventId: c.clientEventId,
    };
    const hash = contentHash(content);
    const resolved = c as ResolvedCandidate;
    resolved.counterparty = counterparty;
    resolved.content = content;
    resolved.contentHash = hash;
    resolved.hashKey = hash.toString('hex');
    return { ok: true, candidate: resolved };
  });
}

/** Every code an event is about: its batteryCodes and the codes its payload names. */
export function affectedCodesOf(batteryCodes: readonly string[], payload: Readonly<Record<string, unknown>>, type: string): string[] {
  const out = [...batteryCodes];
  for (const key of PAYLOAD_CODE_FIELDS[type] ?? []) {
    const v = payload[key];
    if (typeof v === 'string' && !out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * Payload fields that name batteries which get a link in their chain. `parentCode` of `produced` does not:
 * the parent's own history does not change when a part is registered into it.
 */
const PAYLOAD_CODE_FIELDS: Partial<Record<string, readonly string[]>> = {
  replaced: ['replacementCode'],
  swapped: ['replacementCode'],
  cascade_assembled: ['cascadeCode'],
};

// ---- the batch ---------------------------------------------------------------------------------------

/**
 * Plans a batch: each event in order is a duplicate (of a client id or content seen before, in the database or
 * earlier in the batch), rejected (plan-checks) or accepted and applied to the state (plan-apply), with a link in
 * the chain of every battery it affects; plan-result builds the answer.
 */
export function planBatch(input: PlanInput): Plan {
  const { reporter, states } = input;
  const results: IngestResult[] = [];
  const events: PlannedEvent[] = [];
  const links: PlannedLink[] = [];
  const fx = new BatchEffects();
  const claims: PlannedClaim[] = [];
  const seen: SeenInBatch = { byClientId: new Map(), byHash: new Map() };

  for (let i = 0; i < input.items.length; i++) {
    const item = input.items[i];
    if (!item.ok) {
      results.push({ index: i, status: 'rejected', clientEventId: item.clientEventId, reasons: item.reasons });
      continue;
    }
    const c = item.candidate;
    const repeated = repeatOf(input, seen, c, i);
    if (repeated) {
      results.push(repeated);
      continue;
    }
    const base = { index: i, clientEventId: c.clientEventId };
    const outcome = evaluate(input, c);
    if (outcome.status === 'duplicate') {
      results.push({ ...base, status: 'duplicate', eventId: outcome.eventId, duplicateOf: outcome.by });
      continue;
    }
    if (outcome.status === 'rejected') {
      results.push({ ...base, status: 'rejected', reasons: outcome.reasons });
      continue;
    }
    if (outcome.status === 'claimed') {
      // Nothing changes until the sender confirms (libs/custody): the claim is written, not the event.
      const claim: PlannedClaim = { index: i, id: input.newId(), senderId: outcome.senderId, candidate: c };
      claims.push(claim);
      results.push({ ...base, status: 'accepted', claimId: claim.id, warnings: outcome.warnings });
      continue;
    }

    const id = input.newId();
    const affected = apply(input, fx, c, id);
    const region = c.regionCode ?? reporter.regionCode;
    for (const code of affected) links.push(chainLink(states.get(code)!, c, id, region));
    events.push({ index: i, id, content: c.content, contentHash: c.contentHash, hashKey: c.hashKey });
    if (c.clientEventId !== null) seen.byClientId.set(c.clientEventId, { id, hashKey: c.hashKey });
    seen.byHash.set(c.hashKey, id);
    const accepted: IngestResult = { index: i, clientEventId: c.clientEventId, status: 'accepted', eventId: id };
    if (outcome.warnings.length) accepted.warnings = outcome.warnings;
    results.push(accepted);
  }
  return planOf(input, results, events, links, fx, claims);
}

/** Events accepted earlier in the batch, by client id and by content hash. */
interface SeenInBatch {
  byClientId: Map<string, { id: string; hashKey: string }>;
  byHash: Map<string, string>;
}

/** The answer to an event that repeats an earlier one (same client id, or same content), or null. */
function repeatOf(input: PlanInput, seen: SeenInBatch, c: ResolvedCandidate, index: number): IngestResult | null {
  const base = { index, clientEventId: c.clientEventId };
  if (c.clientEventId !== null) {
    const prior = seen.byClientId.get(c.clientEventId) ?? input.priorByClientId.get(c.clientEventId);
    if (prior) {
      if (prior.hashKey === c.hashKey) return { ...base, status: 'duplicate', eventId: prior.id, duplicateOf: 'clientEventId' };
      return {
        ...base,
        status: 'rejected',
        reasons: [
          detail(
            `${c.path}.clientEventId`,
            LedgerRule.CLIENT_EVENT_ID_REUSED,
            `clientEventId '${c.clientEventId}' was already used by you for a different event (${prior.id})`,
          ),
        ],
      };
    }
  }
  const priorId = seen.byHash.get(c.hashKey) ?? input.priorByHash.get(c.hashKey);
  return priorId !== undefined ? { ...base, status: 'duplicate', eventId: priorId, duplicateOf: 'contentHash' } : null;
}

/** Extends a battery's hash chain by event `id`, and adds the event's region to the battery's regions. */
function chainLink(s: BatteryState, c: ResolvedCandidate, id: string, region: string | null): PlannedLink {
  const seq = s.chainSeq + 1;
  const link = linkHash(s.chainHead, c.contentHash, s.code, seq);
  const planned: PlannedLink = { batteryCode: s.code, seq, eventId: id, prevHash: s.chainHead, linkHash: link };
  s.chainSeq = seq;
  s.chainHead = link;
  s.changed = true;
  if (region !== null) {
    for (const k of regionKeys(region)) if (!s.regionKeys.includes(k)) s.regionKeys.push(k);
  }
  return planned;
}
