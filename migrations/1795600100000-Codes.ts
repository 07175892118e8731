import type { MigrationInterface, QueryRunner } from 'typeorm';

/** GB/T 34014 manufacturer codes (厂商代码) and the coding-rule filings (编码规则备案) made under them. */
export class Codes1795600100000 implements MigrationInterface {
  name = 'Codes1795600100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE manufacturer_codes (
        code char(3) PRIMARY KEY CHECK (code ~ '^[0-9A-Z]{3}$'),
        enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        certificate_date date NOT NULL,
        certificate_number text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX manufacturer_codes_enterprise_idx ON manufacturer_codes (enterprise_id, code);

      CREATE TABLE coding_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        manufacturer_code char(3) NOT NULL REFERENCES manufacturer_codes (code),
        specification_code char(2) NOT NULL CHECK (specification_code ~ '^[0-9A-Z]{2}$'),
        version int NOT NULL CHECK (version > 0),
        valid_from date NOT NULL,
        form text NOT NULL CHECK (form IN ('original', 'cascade')),
        product_type char(1) CHECK (product_type ~ '^[A-Z]$'),
        battery_type char(1) NOT NULL CHECK (battery_type ~ '^[A-Z]$'),
        shape text CHECK (shape IN ('prismatic', 'cylindrical', 'pouch', 'other')),
        length_mm numeric CHECK (length_mm > 0),
        width_mm numeric CHECK (width_mm > 0),
        height_mm numeric CHECK (height_mm > 0),
        diameter_mm numeric CHECK (diameter_mm > 0),
        rated_capacity_ah numeric CHECK (rated_capacity_ah > 0),
        nominal_voltage_v numeric CHECK (nominal_voltage_v > 0),
        rated_energy_kwh numeric CHECK (rated_energy_kwh > 0),
        series_count int CHECK (series_count > 0),
        parallel_count int CHECK (parallel_count > 0),
        rerated_capacity_ah numeric CHECK (rerated_capacity_ah > 0),
        key_materials jsonb,
        traceability_scheme text,
        notes text,
        filed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT coding_rules_original CHECK (form <> 'original' OR (
          rated_capacity_ah IS NOT NULL AND nominal_voltage_v IS NOT NULL AND traceability_scheme IS NOT NULL
          AND series_count IS NULL AND parallel_count IS NULL AND rerated_capacity_ah IS NULL)),
        CONSTRAINT coding_rules_cascade CHECK (form <> 'cascade' OR (
          series_count IS NOT NULL AND parallel_count IS NOT NULL AND rerated_capacity_ah IS NOT NULL
          AND traceability_scheme IS NULL))
      );
      CREATE UNIQUE INDEX coding_rules_version_key ON coding_rules (manufacturer_code, specification_code, version);
      CREATE INDEX coding_rules_enterprise_idx ON coding_rules (enterprise_id, manufacturer_code, specification_code, valid_from, version);
      CREATE TRIGGER coding_rules_append_only BEFORE UPDATE OR DELETE ON coding_rules
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE coding_rules;
      DROP TABLE manufacturer_codes;
    `);
  }
}
