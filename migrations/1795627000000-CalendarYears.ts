import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Working-day calendars that operators add (a State Council holiday notice for a year the packaged calendar does
 * not cover, or a correction to one): append-only revisions per year, the latest in force. The calendar lib takes
 * them on top of the packaged years; due dates pending on a year resolve once it is here.
 */
export class CalendarYears1795627000000 implements MigrationInterface {
  name = 'CalendarYears1795627000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_years (
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        revision integer NOT NULL CHECK (revision >= 1),
        holidays date[] NOT NULL,
        workdays date[] NOT NULL,
        source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by_key_id uuid,
        PRIMARY KEY (year, revision)
      );
      CREATE TRIGGER calendar_years_append_only BEFORE UPDATE OR DELETE ON calendar_years
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER calendar_years_no_truncate BEFORE TRUNCATE ON calendar_years
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_years`);
  }
}
