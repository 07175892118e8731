import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Battery codes compare byte by byte (collation "C"), whatever the database's default collation. A GB/T 34014
 * code is 24 characters of [0-9A-Z], so byte order is the order every locale gives it: nothing sorts or pages
 * differently. What changes is the cost of comparing. PostgreSQL compares text under any collation but C and
 * POSIX through the C library (strcoll, with a locale object per call) and under C with memcmp; a server
 * initialised with a locale such as C.UTF-8 or en_US.UTF-8 paid that on every comparison in every index keyed
 * by a code (about ten index insertions per event, each some twenty comparisons deep) and in every sort of a
 * batch's codes. Databases created with the C locale (the embedded server) already compare this way.
 * Changing a column's collation rebuilds its indexes but not the table.
 */
export class CodeCollationC1795600800000 implements MigrationInterface {
  name = 'CodeCollationC1795600800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(alter('"C"'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(alter('"default"'));
  }
}

function alter(collation: string): string {
  const code = `varchar(24) COLLATE ${collation}`;
  return `
    ALTER TABLE batteries ALTER COLUMN code TYPE ${code}, ALTER COLUMN parent_code TYPE ${code},
      ALTER COLUMN manufacturer_code TYPE varchar(3) COLLATE ${collation};
    ALTER TABLE battery_components ALTER COLUMN parent_code TYPE ${code}, ALTER COLUMN child_code TYPE ${code};
    ALTER TABLE battery_origins ALTER COLUMN cascade_code TYPE ${code}, ALTER COLUMN original_code TYPE ${code};
    ALTER TABLE battery_parties ALTER COLUMN battery_code TYPE ${code};
    ALTER TABLE battery_event_chain ALTER COLUMN battery_code TYPE ${code};
    ALTER TABLE lifecycle_events ALTER COLUMN battery_codes TYPE varchar(24)[] COLLATE ${collation};
  `;
}
