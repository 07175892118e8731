import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

/** Any fixed number: serialises concurrent migration runs (api and worker starting together). */
const MIGRATION_LOCK = 0x45434845; // 'ECHE'

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const dataSource = new DataSource({ type: 'postgres', url, migrations: MIGRATIONS, migrationsTableName: 'migrations', logging: false });
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await dataSource.destroy();
  }
}
