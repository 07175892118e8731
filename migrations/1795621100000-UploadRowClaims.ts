import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An upload row may be accepted without an event: a receipt reported by the receiver alone is a custody claim
 * (custody_claims), recorded as an event only when its sender confirms it. Rejected rows still have no event.
 */
export class UploadRowClaims1795621100000 implements MigrationInterface {
  name = 'UploadRowClaims1795621100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE upload_row_results DROP CONSTRAINT upload_row_results_event;
      ALTER TABLE upload_row_results ADD CONSTRAINT upload_row_results_event CHECK (status <> 'rejected' OR event_id IS NULL);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE upload_row_results DROP CONSTRAINT upload_row_results_event;
      ALTER TABLE upload_row_results ADD CONSTRAINT upload_row_results_event CHECK ((status = 'rejected') = (event_id IS NULL));
    `);
  }
}
