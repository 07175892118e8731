import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Enterprises, regulators, API keys and the append-only audit log. */
export class Foundation1795600000000 implements MigrationInterface {
  name = 'Foundation1795600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Shared guard for append-only tables: history is corrected by new rows, never edited.
      CREATE FUNCTION forbid_update_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$;

      CREATE TABLE enterprises (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        uscc char(18) NOT NULL,
        roles text[] NOT NULL,
        address text,
        region_code char(6),
        contact_name text,
        contact_phone text,
        contact_email text,
        whitelist_status text NOT NULL DEFAULT 'not_listed'
          CHECK (whitelist_status IN ('not_listed', 'listed', 'removed')),
        whitelist_version text CHECK (whitelist_version IN ('2019', '2024')),
        whitelist_batch text,
        qms_certificate_no text,
        qms_certificate_valid_until date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT enterprises_uscc_key UNIQUE (uscc),
        CONSTRAINT enterprises_roles_not_empty CHECK (cardinality(roles) > 0)
      );

      CREATE TABLE regulators (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        region_prefix varchar(6) CHECK (region_prefix ~ '^[0-9]{2}([0-9]{2}([0-9]{2})?)?$'),
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_kind text NOT NULL CHECK (owner_kind IN ('admin', 'regulator', 'enterprise')),
        enterprise_id uuid REFERENCES enterprises (id),
        regulator_id uuid REFERENCES regulators (id),
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by_key_id uuid REFERENCES api_keys (id),
        revoked_at timestamptz,
        last_used_at timestamptz,
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
        CONSTRAINT api_keys_owner CHECK (
          (owner_kind = 'enterprise' AND enterprise_id IS NOT NULL AND regulator_id IS NULL) OR
          (owner_kind = 'regulator' AND regulator_id IS NOT NULL AND enterprise_id IS NULL) OR
          (owner_kind = 'admin' AND enterprise_id IS NULL AND regulator_id IS NULL))
      );
      CREATE INDEX api_keys_enterprise_idx ON api_keys (enterprise_id);

      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_kind text NOT NULL,
        actor_key_id uuid,
        actor_enterprise_id uuid,
        actor_regulator_id uuid,
        request_id text,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id);
      CREATE INDEX audit_log_enterprise_idx ON audit_log (actor_enterprise_id, occurred_at);
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_log;
      DROP TABLE api_keys;
      DROP TABLE regulators;
      DROP TABLE enterprises;
      DROP FUNCTION forbid_update_delete();
    `);
  }
}
