import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '../../libs/common/src/config';
import { quoteIdent } from '../../libs/database/src';

/**
 * Test databases. The global setup builds one migrated template per run; each
 * e2e file clones it into a database of its own (CREATE DATABASE … TEMPLATE),
 * so files run in parallel without seeing each other's rows or queues.
 */
export interface TestDatabaseEnv {
  /** A database on the test server to issue CREATE/DROP DATABASE from. */
  maintenanceUrl: string;
  templateName: string;
}

export const ENV_MAINTENANCE_URL = 'ECHELON_TEST_MAINTENANCE_URL';
export const ENV_TEMPLATE = 'ECHELON_TEST_TEMPLATE_DB';

export function testDatabaseEnv(): TestDatabaseEnv {
  const maintenanceUrl = process.env[ENV_MAINTENANCE_URL];
  const templateName = process.env[ENV_TEMPLATE];
  if (!maintenanceUrl || !templateName) throw new Error('test database not prepared: run the tests through `npm test` (jest globalSetup)');
  return { maintenanceUrl, templateName };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { maintenanceUrl, templateName } = testDatabaseEnv();
  const name = `${templateName.replace(/_tpl$/, '')}_${randomBytes(4).toString('hex')}`;
  await withClient(maintenanceUrl, async (c) => {
    await c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(templateName)}`);
    // A clone keeps the template's table and schema grants but not its database-level ones (libs/database roles.ts).
    await c.query(
      `GRANT CREATE ON DATABASE ${quoteIdent(name)} TO ${quoteIdent(loadConfig({ ...process.env, DATABASE_URL: maintenanceUrl }).databaseRoles.app)}`,
    );
  });
  return {
    name,
    url: databaseUrl(maintenanceUrl, name),
    drop: () => withClient(maintenanceUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => undefined),
  };
}
