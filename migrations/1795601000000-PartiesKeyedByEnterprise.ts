import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * battery_parties keeps one index instead of two. Every read asks "which batteries may this enterprise see"
 * (visibility, the enterprise's battery list, the ingest's check for a party already recorded), all by
 * (enterprise_id, battery_code); the primary key (battery_code, enterprise_id) only enforced uniqueness, and
 * cost every new party an index insertion. The primary key is now (enterprise_id, battery_code), and the
 * separate index on those columns goes.
 */
export class PartiesKeyedByEnterprise1795601000000 implements MigrationInterface {
  name = 'PartiesKeyedByEnterprise1795601000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNIQUE INDEX battery_parties_enterprise_key ON battery_parties (enterprise_id, battery_code);
      ALTER TABLE battery_parties DROP CONSTRAINT battery_parties_pkey;
      ALTER TABLE battery_parties ADD CONSTRAINT battery_parties_pkey PRIMARY KEY USING INDEX battery_parties_enterprise_key;
      DROP INDEX battery_parties_enterprise_idx;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX battery_parties_enterprise_idx ON battery_parties (enterprise_id, battery_code);
      ALTER TABLE battery_parties DROP CONSTRAINT battery_parties_pkey;
      ALTER TABLE battery_parties ADD PRIMARY KEY (battery_code, enterprise_id);
    `);
  }
}
