import type { EntityManager } from 'typeorm';
import type { Plan } from './domain/plan';

/**
 * Writes a batch's custody claims (receipts reported by the receiver alone; see claimOf in plan-checks.ts) and
 * sets each result's claimId. Claiming the same content again is idempotent: the result names the earlier claim.
 */
export async function insertClaims(
  db: EntityManager,
  plan: Plan,
  claimant: { enterpriseId: string; keyId: string | null; requestId: string | null },
  at: Date,
): Promise<void> {
  const rows = plan.claims.map((claim) => {
    const c = claim.candidate;
    return {
      id: claim.id,
      sender: claim.senderId,
      type: c.type,
      codes: c.batteryCodes,
      occurred_at: new Date(c.occurredAt).toISOString(),
      event: claimedEvent(c),
      hash: c.hashKey,
    };
  });
  await db.query(
    `INSERT INTO custody_claims (id, claimant_enterprise_id, claimant_key_id, sender_enterprise_id, type, battery_codes, occurred_at, event, content_hash, claimed_at, request_id)
     SELECT x.id, $2, $3, x.sender, x.type, x.codes, x.occurred_at, x.event, decode(x.hash, 'hex'), $4, $5
       FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, sender uuid, type text, codes text[], occurred_at timestamptz, event jsonb, hash text)
     ON CONFLICT (claimant_enterprise_id, content_hash) DO NOTHING`,
    [JSON.stringify(rows), claimant.enterpriseId, claimant.keyId, at, claimant.requestId],
  );
  const stored = await db.query<{ id: string; hash: string }[]>(
    `SELECT id, encode(content_hash, 'hex') AS hash FROM custody_claims WHERE claimant_enterprise_id = $1 AND content_hash = ANY($2::bytea[])`,
    [claimant.enterpriseId, rows.map((r) => Buffer.from(r.hash, 'hex'))],
  );
  const byHash = new Map(stored.map((r) => [r.hash, r.id]));
  for (const claim of plan.claims) {
    const result = plan.results[claim.index];
    result.claimId = byHash.get(claim.candidate.hashKey) ?? claim.id;
  }
}

/** The event as the claimant reported it (after validation), to be recorded through the ledger when confirmed. */
function claimedEvent(c: Plan['claims'][number]['candidate']): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: c.type,
    batteryCodes: c.batteryCodes,
    occurredAt: new Date(c.occurredAt).toISOString(),
    counterpartyUscc: c.counterpartyUscc,
    schemaVersion: c.schemaVersion,
    payload: c.payload,
  };
  if (c.clientEventId !== null) event.clientEventId = c.clientEventId;
  if (c.regionCode !== null) event.regionCode = c.regionCode;
  if (c.vin !== null) event.vin = c.vin;
  return event;
}
