import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custody claims (issue 13): a receipt (`outlet_received`, `cascade_received`, `recycler_received`) reported by the
 * receiver while no hand-over to it is pending does not take custody; it is kept here as a claim on the enterprise
 * it names as the sender, which confirms it (the receipt is then recorded in the ledger, as of the claim's time) or
 * disputes it. Both tables are append-only: a claim is decided once, by a row in custody_claim_decisions.
 */
export class CustodyClaims1795621000000 implements MigrationInterface {
  name = 'CustodyClaims1795621000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE custody_claims (
        id uuid PRIMARY KEY,
        claimant_enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        claimant_key_id uuid,
        -- The enterprise the claimant says it received the batteries from (not necessarily their holder).
        sender_enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        type text NOT NULL,
        battery_codes text[] NOT NULL,
        occurred_at timestamptz NOT NULL,
        -- The event as reported (envelope and payload), recorded through the ledger when confirmed.
        event jsonb NOT NULL,
        content_hash bytea NOT NULL,
        claimed_at timestamptz NOT NULL,
        request_id text,
        CONSTRAINT custody_claims_content_key UNIQUE (claimant_enterprise_id, content_hash)
      );
      CREATE INDEX custody_claims_sender ON custody_claims (sender_enterprise_id, claimed_at, id);
      CREATE INDEX custody_claims_claimant ON custody_claims (claimant_enterprise_id, claimed_at, id);
      CREATE INDEX custody_claims_listed ON custody_claims (claimed_at, id);

      CREATE TABLE custody_claim_decisions (
        claim_id uuid PRIMARY KEY REFERENCES custody_claims (id),
        decision text NOT NULL CHECK (decision IN ('confirmed', 'disputed')),
        decided_by_enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        decided_by_key_id uuid,
        reason text,
        -- confirmed: the receipt recorded in the ledger.
        event_id uuid,
        decided_at timestamptz NOT NULL,
        CHECK ((decision = 'confirmed') = (event_id IS NOT NULL))
      );

      CREATE TRIGGER custody_claims_append_only BEFORE UPDATE OR DELETE ON custody_claims
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER custody_claim_decisions_append_only BEFORE UPDATE OR DELETE ON custody_claim_decisions
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER custody_claims_no_truncate BEFORE TRUNCATE ON custody_claims FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER custody_claim_decisions_no_truncate BEFORE TRUNCATE ON custody_claim_decisions FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE custody_claim_decisions; DROP TABLE custody_claims');
  }
}
