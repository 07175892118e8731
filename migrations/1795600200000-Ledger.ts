import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The battery registry and the lifecycle ledger. Every table that grows with batteries or events carries the
 * battery code, and none has a foreign key across batteries (or to enterprises on the hot path: the
 * application checks those), so they can later be partitioned and distributed by code.
 */
export class Ledger1795600200000 implements MigrationInterface {
  name = 'Ledger1795600200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Derived state of each battery: recomputable from lifecycle_events (and kept in step with them by the
      -- ingest, in the same transaction). chain_seq/chain_head are the head of its hash chain.
      CREATE TABLE batteries (
        code varchar(24) PRIMARY KEY,
        form text NOT NULL CHECK (form IN ('original', 'cascade')),
        manufacturer_code varchar(3) NOT NULL,
        product_type text NOT NULL CHECK (product_type IN ('pack', 'module', 'cell')),
        battery_type varchar(1) NOT NULL,
        specification_code varchar(2) NOT NULL,
        traceability_code varchar(7),
        production_date date NOT NULL,
        serial varchar(7) NOT NULL,
        cascade_level varchar(1),
        nominal_capacity_ah double precision,
        nominal_voltage_v double precision,
        rated_energy_kwh double precision,
        mass_kg double precision,
        producer_enterprise_id uuid NOT NULL,
        produced_event_id uuid NOT NULL,
        status text NOT NULL,
        -- null while the battery is inside another (a module in a pack, an original in a cascade product)
        holder_enterprise_id uuid,
        -- the receiver named by a hand-over that it has not yet reported
        pending_handover_to uuid,
        vin varchar(17),
        -- the battery it is inside now (history: battery_components, battery_origins)
        parent_code varchar(24),
        -- GB/T 2260 prefixes (2, 4 and 6 digits) of every region the battery's events happened in
        region_keys text[] NOT NULL DEFAULT '{}',
        last_event_id uuid NOT NULL,
        last_event_type text NOT NULL,
        last_event_at timestamptz NOT NULL,
        chain_seq integer NOT NULL CHECK (chain_seq >= 0),
        chain_head bytea NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      ) WITH (fillfactor = 80);
      -- Nearly every event rewrites its batteries' rows. Free space on each page and no index on the columns
      -- most events change (status, pending receiver, last event, chain head) let PostgreSQL update them in
      -- place (HOT) without touching any index; status is therefore searched without an index of its own.
      CREATE INDEX batteries_holder_idx ON batteries (holder_enterprise_id, code) WHERE holder_enterprise_id IS NOT NULL;
      CREATE INDEX batteries_manufacturer_idx ON batteries (manufacturer_code, production_date, code);
      CREATE INDEX batteries_region_idx ON batteries USING gin (region_keys);

      -- Cells in modules, modules in packs, with history: a link ends when the part is taken out.
      CREATE TABLE battery_components (
        parent_code varchar(24) NOT NULL,
        child_code varchar(24) NOT NULL,
        started_at timestamptz NOT NULL,
        start_event_id uuid NOT NULL,
        ended_at timestamptz,
        end_event_id uuid,
        PRIMARY KEY (child_code, start_event_id),
        CHECK ((ended_at IS NULL) = (end_event_id IS NULL))
      );
      CREATE INDEX battery_components_parent_idx ON battery_components (parent_code, started_at);
      CREATE UNIQUE INDEX battery_components_current_key ON battery_components (child_code) WHERE ended_at IS NULL;

      -- Cascade product -> the original batteries regrouped into it (GB/T 34014 4.2: the original codes are kept).
      CREATE TABLE battery_origins (
        cascade_code varchar(24) NOT NULL,
        original_code varchar(24) NOT NULL,
        event_id uuid NOT NULL,
        assembled_at timestamptz NOT NULL,
        PRIMARY KEY (cascade_code, original_code)
      );
      CREATE INDEX battery_origins_original_idx ON battery_origins (original_code);

      -- Every enterprise that produced, held, received or reported about a battery, from its first such event:
      -- what an enterprise may see ("holds, has ever held or produced") is one index lookup.
      CREATE TABLE battery_parties (
        battery_code varchar(24) NOT NULL,
        enterprise_id uuid NOT NULL,
        first_event_id uuid NOT NULL,
        first_at timestamptz NOT NULL,
        PRIMARY KEY (battery_code, enterprise_id)
      );
      CREATE INDEX battery_parties_enterprise_idx ON battery_parties (enterprise_id, battery_code);

      -- The ledger. Append-only: a mistake is corrected by a 'correction' event, never by an edit.
      -- content_hash = SHA-256 of the canonical serialisation of (type, schema_version, battery_codes,
      -- occurred_at, reporter, counterparty, region_code, vin, payload, correction_of, client_event_id).
      CREATE TABLE lifecycle_events (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        schema_version smallint NOT NULL,
        occurred_at timestamptz NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        reporter_enterprise_id uuid NOT NULL,
        reporter_key_id uuid,
        counterparty_enterprise_id uuid,
        region_code varchar(6),
        vin varchar(17),
        battery_codes varchar(24)[] NOT NULL CHECK (cardinality(battery_codes) > 0),
        client_event_id text,
        content_hash bytea NOT NULL,
        payload jsonb NOT NULL,
        correction_of uuid,
        -- filled by the deadline rules (compliance): the rule set applied, the upload deadline, and whether
        -- the upload met it; null when no deadline is known
        rule_set text,
        due_at timestamptz,
        on_time boolean,
        CONSTRAINT lifecycle_events_client_event_key UNIQUE (reporter_enterprise_id, client_event_id),
        CONSTRAINT lifecycle_events_content_key UNIQUE (reporter_enterprise_id, content_hash)
      );

      -- One link per battery per event: link_hash = SHA-256(prev_hash || content_hash || code || seq).
      CREATE TABLE battery_event_chain (
        battery_code varchar(24) NOT NULL,
        seq integer NOT NULL CHECK (seq > 0),
        event_id uuid NOT NULL,
        prev_hash bytea NOT NULL,
        link_hash bytea NOT NULL,
        PRIMARY KEY (battery_code, seq)
      );

      CREATE TRIGGER lifecycle_events_append_only BEFORE UPDATE OR DELETE ON lifecycle_events
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER battery_event_chain_append_only BEFORE UPDATE OR DELETE ON battery_event_chain
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER battery_origins_append_only BEFORE UPDATE OR DELETE ON battery_origins
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER battery_parties_append_only BEFORE UPDATE OR DELETE ON battery_parties
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE battery_event_chain;
      DROP TABLE lifecycle_events;
      DROP TABLE battery_parties;
      DROP TABLE battery_origins;
      DROP TABLE battery_components;
      DROP TABLE batteries;
    `);
  }
}
