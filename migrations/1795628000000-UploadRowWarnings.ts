import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Upload rows say everything POST /v1/events would: the warnings of an accepted row (e.g. an unfiled specification
 * code), counted on the upload (`warned`: rows with at least one warning), and the battery codes each row named, so
 * that results.csv can be matched by code rather than by row number. NULL in rows recorded before this migration.
 */
export class UploadRowWarnings1795628000000 implements MigrationInterface {
  name = 'UploadRowWarnings1795628000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upload_row_results ADD COLUMN warnings jsonb, ADD COLUMN battery_codes text[]`);
    await q.query(`ALTER TABLE uploads ADD COLUMN warned int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE uploads DROP COLUMN warned`);
    await q.query(`ALTER TABLE upload_row_results DROP COLUMN warnings, DROP COLUMN battery_codes`);
  }
}
