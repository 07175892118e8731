import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ledger checkpoints: a Merkle root over every battery's chain head, so that deleting whole chains (which a
 * per-battery chain cannot show) is detectable. Chain links get a ledger-wide sequence number; a checkpoint
 * records the sequence number it covers, so the same heads can be recomputed later from the append-only links.
 */
export class LedgerCheckpoints1795600400000 implements MigrationInterface {
  name = 'LedgerCheckpoints1795600400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE battery_event_chain ADD COLUMN ledger_seq bigint GENERATED ALWAYS AS IDENTITY;
      CREATE INDEX battery_event_chain_ledger_seq_idx ON battery_event_chain (ledger_seq);

      CREATE TABLE ledger_checkpoints (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- every chain link with ledger_seq <= this was committed when the checkpoint was cut
        cut_ledger_seq bigint NOT NULL,
        battery_count integer NOT NULL,
        link_count bigint NOT NULL,
        root bytea NOT NULL,
        -- per manufacturer code: leaf count and sub-root, to say where a later mismatch lies
        buckets jsonb NOT NULL,
        algorithm text NOT NULL
      );
      CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE ledger_checkpoints;
      DROP INDEX battery_event_chain_ledger_seq_idx;
      ALTER TABLE battery_event_chain DROP COLUMN ledger_seq;
    `);
  }
}
