import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit-log checkpoints (issue 13): a hash chain over every audit row in id order, extended by each checkpoint from
 * the previous one, so that a row edited, deleted or inserted in the past by someone who could go around the
 * append-only triggers (the owner, a superuser) breaks the chain at a checkpoint. Kept here rather than as a column
 * of each row: chaining at insert time would serialise every write of the service on the chain's head.
 */
export class AuditCheckpoints1795623000000 implements MigrationInterface {
  name = 'AuditCheckpoints1795623000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- every audit row with id <= this was committed when the checkpoint was cut, and is covered
        cut_id bigint NOT NULL,
        -- rows covered from the first audit row up to cut_id
        row_count bigint NOT NULL,
        -- SHA-256 chain: the previous checkpoint's chain_hash (32 zero bytes for the first), then each row's hash
        chain_hash bytea NOT NULL
      );
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_checkpoints');
  }
}
