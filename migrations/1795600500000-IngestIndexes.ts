import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest: the client-id uniqueness of lifecycle_events becomes a partial unique index over the events that
 * carry a client id. The guarantee is unchanged (NULL client ids were never constrained by the UNIQUE
 * constraint either), but an event without a client id no longer costs an index insert. The index keeps the
 * constraint's name, so a unique violation still names `lifecycle_events_client_event_key`.
 */
export class IngestIndexes1795600500000 implements MigrationInterface {
  name = 'IngestIndexes1795600500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNIQUE INDEX lifecycle_events_client_event_key_new ON lifecycle_events (reporter_enterprise_id, client_event_id)
        WHERE client_event_id IS NOT NULL;
      ALTER TABLE lifecycle_events DROP CONSTRAINT lifecycle_events_client_event_key;
      ALTER INDEX lifecycle_events_client_event_key_new RENAME TO lifecycle_events_client_event_key;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX lifecycle_events_client_event_key;
      ALTER TABLE lifecycle_events ADD CONSTRAINT lifecycle_events_client_event_key UNIQUE (reporter_enterprise_id, client_event_id);
    `);
  }
}
