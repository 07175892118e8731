import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploads of other kinds than lifecycle events (residual-capacity tests, outlets, …): each upload records its
 * kind, and "the same file again is the same upload" holds per kind (one file could be valid as two kinds).
 */
export class UploadKinds1795620000000 implements MigrationInterface {
  name = 'UploadKinds1795620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE uploads ADD COLUMN kind text NOT NULL DEFAULT 'events' CONSTRAINT uploads_kind_name CHECK (kind ~ '^[a-z][a-z0-9-]{0,39}$')`);
    await q.query('DROP INDEX uploads_enterprise_sha256_key');
    await q.query('CREATE UNIQUE INDEX uploads_enterprise_kind_sha256_key ON uploads (enterprise_id, kind, sha256) WHERE sha256 IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX uploads_enterprise_kind_sha256_key');
    await q.query(`DELETE FROM uploads WHERE kind <> 'events'`);
    await q.query('CREATE UNIQUE INDEX uploads_enterprise_sha256_key ON uploads (enterprise_id, sha256) WHERE sha256 IS NOT NULL');
    await q.query('ALTER TABLE uploads DROP COLUMN kind');
  }
}
