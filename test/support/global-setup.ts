// Global setup/teardown are loaded without Jest's moduleNameMapper, so they import libs by path.
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../libs/common/src/config';
import { EmbeddedPostgres, freePort, migrateDatabase, quoteIdent } from '../../libs/database/src';
import { databaseUrl, ENV_MAINTENANCE_URL, ENV_TEMPLATE, withClient } from './test-database';

declare global {
  var __ECHELON_TEST_PG__: EmbeddedPostgres | undefined;
}

async function removeDeadRunClusters(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (!pid || isAlive(pid)) continue;
    const dir = join(root, entry);
    await new EmbeddedPostgres({ dataDir: dir, port: 0 }).stopLeftover().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.log`, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Without DATABASE_URL the suite runs on an embedded PostgreSQL of its own
 * (.data/test-pg, a free port); with it, on that server. Either way it builds a
 * fresh, migrated template database for this run.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // One cluster per run (runs may overlap, e.g. two terminals); clusters of dead runs are removed.
    // In the temporary directory: the server's OS user (as root: `postgres`) can always reach it.
    const root = join(tmpdir(), 'echelon-test-pg');
    await removeDeadRunClusters(root);
    const pg = new EmbeddedPostgres({ dataDir: join(root, `run-${process.pid}`), port: await freePort() });
    await pg.start();
    globalThis.__ECHELON_TEST_PG__ = pg;
    serverUrl = pg.url('postgres');
  }
  const maintenanceUrl = serverUrl;
  const base = `echelon_test_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const templateName = `${base}_tpl`;
  await withClient(maintenanceUrl, async (c) => {
    // Databases left by a run killed before its teardown (older than an hour, so never a concurrent run's).
    const stale = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'echelon\\_test\\_%'`);
    for (const { datname } of stale.rows as { datname: string }[]) {
      const startedAt = parseInt(datname.split('_')[2] ?? '', 36);
      if (Number.isFinite(startedAt) && Date.now() - startedAt > 3_600_000) {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`).catch(() => undefined);
      }
    }
    await c.query(`CREATE DATABASE ${quoteIdent(templateName)}`);
  });
  // Roles (cluster-wide, created if absent) as the app would set them up; each clone keeps the template's grants.
  await migrateDatabase(databaseUrl(maintenanceUrl, templateName), loadConfig({ ...process.env, DATABASE_URL: maintenanceUrl }).databaseRoles);
  process.env[ENV_MAINTENANCE_URL] = maintenanceUrl;
  process.env[ENV_TEMPLATE] = templateName;
}
