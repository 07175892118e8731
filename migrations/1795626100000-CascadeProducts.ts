import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cascade (second-life) products: the product with its art. 15 label data, the original batteries it was built
 * from (each original used once: the primary key), and one serial counter per manufacturer code for minted
 * cascade codes (its row lock serialises concurrent minting).
 */
export class CascadeProducts1795626100000 implements MigrationInterface {
  name = 'CascadeProducts1795626100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cascade_products (
        code text COLLATE "C" PRIMARY KEY CHECK (length(code) = 19),
        enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        client_product_id text,
        code_source text NOT NULL CHECK (code_source IN ('minted', 'supplied')),
        reuse_level text NOT NULL CHECK (reuse_level IN ('pack', 'module', 'cell')),
        application_field text NOT NULL,
        nominal_capacity_ah double precision NOT NULL,
        nominal_voltage_v double precision NOT NULL,
        rated_energy_kwh double precision,
        gtin text,
        warranty_months int NOT NULL,
        certification text,
        firm_name text NOT NULL,
        firm_address text,
        place_of_origin text,
        event_id uuid NOT NULL,
        assembled_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX cascade_products_client_id_key ON cascade_products (enterprise_id, client_product_id) WHERE client_product_id IS NOT NULL;
      CREATE INDEX cascade_products_enterprise_idx ON cascade_products (enterprise_id, code);

      CREATE TABLE cascade_product_sources (
        source_code text COLLATE "C" PRIMARY KEY,
        cascade_code text COLLATE "C" NOT NULL REFERENCES cascade_products (code),
        position int NOT NULL,
        test_id uuid NOT NULL
      );
      CREATE INDEX cascade_product_sources_product_idx ON cascade_product_sources (cascade_code, position);
      CREATE TRIGGER cascade_product_sources_append_only BEFORE UPDATE OR DELETE ON cascade_product_sources
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();

      CREATE TABLE cascade_code_sequences (
        manufacturer_code char(3) PRIMARY KEY,
        next_serial int NOT NULL CHECK (next_serial BETWEEN 0 AND 10000000)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE cascade_code_sequences; DROP TABLE cascade_product_sources; DROP TABLE cascade_products;');
  }
}
