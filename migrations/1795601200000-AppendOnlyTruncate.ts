import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only tables refuse TRUNCATE too: their row triggers (BEFORE UPDATE OR DELETE ... FOR EACH ROW) do
 * not fire on it, so one statement could empty the ledger. A statement trigger on TRUNCATE closes that. As with
 * the row triggers, a superuser can still go around them (session_replication_role = replica); the hash chains
 * and checkpoints are there for that.
 */
const TABLES = ['audit_log', 'coding_rules', 'lifecycle_events', 'battery_event_chain', 'battery_origins', 'battery_parties', 'ledger_checkpoints'];

export class AppendOnlyTruncate1795601200000 implements MigrationInterface {
  name = 'AppendOnlyTruncate1795601200000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
  }
}
