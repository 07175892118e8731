import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recycling service outlets (回收服务网点, 2019 outlet guide; 2026 measures): the registry, its status history and
 * safety inspections (both append-only: outlets are never deleted, a change is a new row), the partners that
 * co-build or are entrusted with an outlet, and the index the ledger's outlet events are looked up by.
 */
export class Outlets1795625000000 implements MigrationInterface {
  name = 'Outlets1795625000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outlets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        -- the owner's own identifier of the outlet (what its systems put in an event's outletId)
        code text,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('collection', 'centralised_storage')),
        address text NOT NULL,
        -- the current GB/T 2260 code (a retired code is stored as its successor; the code sent is kept beside it)
        region_code char(6) NOT NULL,
        region_code_submitted char(6) NOT NULL,
        -- the code as text in the C collation: "within region 35" is a prefix range on one btree, in code order
        region_key text COLLATE "C" GENERATED ALWAYS AS (region_code::text) STORED,
        lat double precision CHECK (lat BETWEEN -90 AND 90),
        lng double precision CHECK (lng BETWEEN -180 AND 180),
        location point GENERATED ALWAYS AS (CASE WHEN lat IS NULL THEN NULL ELSE point(lng, lat) END) STORED,
        storage_area_m2 numeric(12, 2) NOT NULL CHECK (storage_area_m2 >= 0),
        capacity_t numeric(12, 3) NOT NULL CHECK (capacity_t >= 0),
        contact_name text,
        contact_phone text,
        contact_email text,
        opened_on date NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
        status_since date NOT NULL,
        publication_url text,
        rule_set text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outlets_coordinates CHECK ((lat IS NULL) = (lng IS NULL)),
        CONSTRAINT outlets_owner_code_key UNIQUE (owner_enterprise_id, code)
      );
      CREATE INDEX outlets_owner_idx ON outlets (owner_enterprise_id, created_at, id);
      -- Public list by region prefix, read in index order (no sort of a whole province). The column's statistics
      -- are kept per county (about 2,850 codes), so that a prefecture's share is estimated as it is, not as a
      -- histogram bucket's: with the default target the planner took 400 rows of a prefecture for 10 and sorted them.
      ALTER TABLE outlets ALTER COLUMN region_key SET STATISTICS 3000;
      CREATE INDEX outlets_public_region_idx ON outlets (region_key, id) WHERE status = 'active';
      -- Nearest: a bounding box on the points of active outlets (built-in GiST on point; no extension needed).
      CREATE INDEX outlets_public_location_idx ON outlets USING gist (location) WHERE status = 'active' AND location IS NOT NULL;
      CREATE INDEX outlets_region_idx ON outlets (region_key, id);

      CREATE TABLE outlet_partners (
        outlet_id uuid NOT NULL REFERENCES outlets (id),
        enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        relation text NOT NULL CHECK (relation IN ('co_built', 'entrusted')),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (outlet_id, enterprise_id)
      );
      CREATE INDEX outlet_partners_enterprise_idx ON outlet_partners (enterprise_id, outlet_id);

      CREATE TABLE outlet_status_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        outlet_id uuid NOT NULL REFERENCES outlets (id),
        from_status text,
        to_status text NOT NULL CHECK (to_status IN ('active', 'suspended', 'closed')),
        effective_on date NOT NULL,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        actor_key_id uuid
      );
      CREATE INDEX outlet_status_changes_outlet_idx ON outlet_status_changes (outlet_id, effective_on, id);

      CREATE TABLE outlet_inspections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        outlet_id uuid NOT NULL REFERENCES outlets (id),
        inspected_on date NOT NULL,
        result text NOT NULL CHECK (result IN ('passed', 'rectification_required', 'failed')),
        inspector text NOT NULL,
        findings text,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        actor_key_id uuid
      );
      CREATE INDEX outlet_inspections_outlet_idx ON outlet_inspections (outlet_id, inspected_on, id);

      -- Receipts beyond an outlet's limit are accepted but flagged here, for compliance reports. The flag is written by
      -- the ledger check, before the event has an id: it names the receipt by reporter, time and codes, and counts
      -- only while a recorded outlet_received event matches it (a receipt the state machine then refused leaves none).
      CREATE TABLE outlet_stock_flags (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        outlet_id uuid NOT NULL REFERENCES outlets (id),
        outlet_ref text NOT NULL,
        reporter_enterprise_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        battery_codes varchar(24)[] NOT NULL,
        rule text NOT NULL,
        stock_t numeric(14, 3) NOT NULL,
        limit_t numeric(14, 3) NOT NULL,
        raised_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outlet_stock_flags_receipt_key UNIQUE (outlet_id, reporter_enterprise_id, occurred_at, battery_codes)
      );

      CREATE TRIGGER outlet_status_changes_append_only BEFORE UPDATE OR DELETE ON outlet_status_changes
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER outlet_inspections_append_only BEFORE UPDATE OR DELETE ON outlet_inspections
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER outlet_stock_flags_append_only BEFORE UPDATE OR DELETE ON outlet_stock_flags
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER outlet_status_changes_no_truncate BEFORE TRUNCATE ON outlet_status_changes FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER outlet_inspections_no_truncate BEFORE TRUNCATE ON outlet_inspections FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER outlet_stock_flags_no_truncate BEFORE TRUNCATE ON outlet_stock_flags FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER outlets_no_truncate BEFORE TRUNCATE ON outlets FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
      -- Outlets are closed, never deleted.
      CREATE FUNCTION forbid_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'rows of % are never deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER outlets_no_delete BEFORE DELETE ON outlets FOR EACH ROW EXECUTE FUNCTION forbid_delete();

      -- The ledger's outlet events by the outlet they name (stock, records, unregistered outlet ids).
      CREATE INDEX lifecycle_events_outlet_idx ON lifecycle_events ((payload->>'outletId'), occurred_at)
        WHERE type IN ('outlet_received', 'outlet_handed_over');
      -- Coverage: where a firm's vehicles (or cascade products) were sold, by region; index-only for a 1M-vehicle maker.
      CREATE INDEX lifecycle_events_sales_region_idx ON lifecycle_events (reporter_enterprise_id, region_code, occurred_at)
        WHERE type IN ('vehicle_sold', 'cascade_shipped');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX lifecycle_events_sales_region_idx;
      DROP INDEX lifecycle_events_outlet_idx;
      DROP TABLE outlet_stock_flags;
      DROP TABLE outlet_inspections;
      DROP TABLE outlet_status_changes;
      DROP TABLE outlet_partners;
      DROP TABLE outlets;
      DROP FUNCTION forbid_delete();
    `);
  }
}
