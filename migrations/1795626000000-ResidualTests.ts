import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Residual-capacity tests (GB/T 34015) with their derived values and grade, and the versioned grading rule sets
 * that made the grades. Both append-only: a wrong test is corrected by a new test, a rule set by a new version.
 */
export class ResidualTests1795626000000 implements MigrationInterface {
  name = 'ResidualTests1795626000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE residual_grading_rule_sets (
        version int PRIMARY KEY CHECK (version >= 2),
        rules jsonb NOT NULL,
        notes text,
        created_by_key_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TRIGGER residual_grading_rule_sets_append_only BEFORE UPDATE OR DELETE ON residual_grading_rule_sets
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER residual_grading_rule_sets_no_truncate BEFORE TRUNCATE ON residual_grading_rule_sets
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();

      -- No foreign key to enterprises: the id comes from the API key, and a check per row cost a fifth of a batch.
      CREATE TABLE residual_tests (
        id uuid PRIMARY KEY,
        enterprise_id uuid NOT NULL,
        key_id uuid NOT NULL,
        client_test_id text,
        battery_code text COLLATE "C" NOT NULL,
        product_type text NOT NULL,
        testing_lab text,
        standard text NOT NULL,
        tested_at timestamptz NOT NULL,
        ambient_temperature_c double precision NOT NULL,
        discharge_current_a double precision NOT NULL,
        charge_voltage_v double precision NOT NULL,
        cutoff_voltage_v double precision NOT NULL,
        cycles jsonb NOT NULL,
        dc_resistance_mohm double precision,
        initial_resistance_mohm double precision,
        open_circuit_voltage_v double precision,
        appearance_check text NOT NULL CHECK (appearance_check IN ('pass', 'fail')),
        insulation_check text CHECK (insulation_check IN ('pass', 'fail')),
        mean_capacity_ah double precision NOT NULL,
        mean_energy_wh double precision NOT NULL,
        spread_percent double precision NOT NULL,
        rated_capacity_ah double precision,
        rated_capacity_basis text,
        rated_energy_wh double precision,
        rated_energy_basis text,
        soh_c_percent double precision,
        soh_e_percent double precision,
        resistance_increase_percent double precision,
        grade text NOT NULL CHECK (grade IN ('vehicle_reuse', 'cascade', 'recycle', 'ungraded')),
        applications text[] NOT NULL DEFAULT '{}',
        retest boolean NOT NULL DEFAULT false,
        grading_reasons jsonb NOT NULL DEFAULT '[]',
        rule_set_version int NOT NULL,
        event_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX residual_tests_client_id_key ON residual_tests (enterprise_id, client_test_id) WHERE client_test_id IS NOT NULL;
      CREATE INDEX residual_tests_battery_idx ON residual_tests (battery_code, tested_at DESC, id DESC);
      CREATE INDEX residual_tests_enterprise_idx ON residual_tests (enterprise_id, tested_at DESC, id DESC);
      CREATE TRIGGER residual_tests_append_only BEFORE UPDATE OR DELETE ON residual_tests
        FOR EACH ROW EXECUTE FUNCTION forbid_update_delete();
      CREATE TRIGGER residual_tests_no_truncate BEFORE TRUNCATE ON residual_tests
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_update_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE residual_tests; DROP TABLE residual_grading_rule_sets;');
  }
}
