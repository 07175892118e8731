import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the regulators' queries and the access policy (libs/access) need.
 *
 * - `enterprise_regions`: each enterprise's registered region over time. A trigger on `enterprises` keeps it, so no
 *   path (API, CLI, a migration) can move a firm without leaving history; visibility reads it, so a firm moved to
 *   another province stays visible, for what it did there, to the regulator it left (issue 13, item 5).
 * - Indexes on `lifecycle_events` for `GET /v1/events`: an explicit region and business time (regulators), the
 *   reporter and the counterparty with business time (enterprises, `reporter=`, `counterparty=`, and regulators'
 *   events without a region, which count at their reporter's region: the reporter index carries region and upload
 *   time, so that branch of a regulator's page is read from the index alone), business and upload time alone (admins and
 *   national regulators), and the VIN (`vin=`, and visibility by the vehicle a battery is in). The region, counterparty
 *   and VIN indexes are partial: most events have none of them, so ingest maintains them only for the few that do.
 * - `audit_log (occurred_at, id)` is the identity order already; the entity and enterprise indexes exist.
 */
export class RegulatorAccess1795624000000 implements MigrationInterface {
  name = 'RegulatorAccess1795624000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enterprise_regions (
        enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        region_code text COLLATE "C" NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        PRIMARY KEY (enterprise_id, valid_from)
      );
      CREATE INDEX enterprise_regions_region_idx ON enterprise_regions (region_code, enterprise_id);

      -- The first registered region counts from the beginning (-infinity): there was no other before it, and data
      -- about the firm may be dated before its record was created. A change closes the open row and opens another.
      CREATE FUNCTION enterprise_region_history() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        since timestamptz := now();
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.region_code IS NOT DISTINCT FROM OLD.region_code THEN
          RETURN NULL;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM enterprise_regions WHERE enterprise_id = NEW.id) THEN
          since := '-infinity';
        END IF;
        UPDATE enterprise_regions SET valid_to = now() WHERE enterprise_id = NEW.id AND valid_to IS NULL AND valid_from < now();
        IF NEW.region_code IS NULL THEN
          DELETE FROM enterprise_regions WHERE enterprise_id = NEW.id AND valid_from = now();
        ELSE
          INSERT INTO enterprise_regions (enterprise_id, region_code, valid_from) VALUES (NEW.id, NEW.region_code, since)
            ON CONFLICT (enterprise_id, valid_from) DO UPDATE SET region_code = EXCLUDED.region_code, valid_to = NULL;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER enterprises_region_history AFTER INSERT OR UPDATE OF region_code ON enterprises
        FOR EACH ROW EXECUTE FUNCTION enterprise_region_history();

      INSERT INTO enterprise_regions (enterprise_id, region_code, valid_from)
        SELECT id, region_code, '-infinity' FROM enterprises WHERE region_code IS NOT NULL;

      CREATE INDEX lifecycle_events_region_time_idx ON lifecycle_events ((region_code COLLATE "C"), occurred_at, id) WHERE region_code IS NOT NULL;
      CREATE INDEX lifecycle_events_reporter_time_idx ON lifecycle_events (reporter_enterprise_id, occurred_at, id) INCLUDE (region_code, uploaded_at);
      CREATE INDEX lifecycle_events_counterparty_time_idx ON lifecycle_events (counterparty_enterprise_id, occurred_at, id) WHERE counterparty_enterprise_id IS NOT NULL;
      CREATE INDEX lifecycle_events_occurred_idx ON lifecycle_events (occurred_at, id);
      CREATE INDEX lifecycle_events_uploaded_idx ON lifecycle_events (uploaded_at, id);
      CREATE INDEX lifecycle_events_vin_idx ON lifecycle_events (vin, region_code) WHERE vin IS NOT NULL;
      CREATE INDEX audit_log_actor_key_idx ON audit_log (actor_key_id, id) WHERE actor_key_id IS NOT NULL;
      CREATE INDEX audit_log_request_idx ON audit_log (request_id) WHERE request_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX audit_log_request_idx;
      DROP INDEX audit_log_actor_key_idx;
      DROP INDEX lifecycle_events_vin_idx;
      DROP INDEX lifecycle_events_uploaded_idx;
      DROP INDEX lifecycle_events_occurred_idx;
      DROP INDEX lifecycle_events_counterparty_time_idx;
      DROP INDEX lifecycle_events_reporter_time_idx;
      DROP INDEX lifecycle_events_region_time_idx;
      DROP TRIGGER enterprises_region_history ON enterprises;
      DROP FUNCTION enterprise_region_history();
      DROP TABLE enterprise_regions;
    `);
  }
}
