import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import type { DatabaseRoles } from './roles';
import { DEFAULT_DATABASE_ROLES, ensureRoles, grantAppPrivileges, handOverToOwner } from './roles';

/** Any fixed number: serialises concurrent migration runs (api and worker starting together). */
const MIGRATION_LOCK = 0x45434845; // 'ECHE'

/**
 * Sets up the roles (roles.ts), applies pending migrations as the owner role and grants the app role its
 * privileges, all under an advisory lock, connected as the role `url` names (a superuser, or an administrator with
 * CREATEROLE); returns the names applied. The application itself then connects with appDatabaseUrl(url, roles).
 */
export async function migrateDatabase(url: string, roles: DatabaseRoles = DEFAULT_DATABASE_ROLES): Promise<string[]> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await ensureRoles(admin, roles);
      await handOverToOwner(admin, roles);
      // Every connection of the migration runs as the owner, so that what the migrations create belongs to it.
      const dataSource = new DataSource({
        type: 'postgres',
        url,
        migrations: MIGRATIONS,
        migrationsTableName: 'migrations',
        logging: false,
        extra: { options: `-c role=${roles.owner}` },
      });
      await dataSource.initialize();
      let applied: string[];
      try {
        applied = (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
      } finally {
        await dataSource.destroy();
      }
      await grantAppPrivileges(admin, roles);
      return applied;
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await admin.end();
  }
}
