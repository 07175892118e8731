import { quoteIdent } from '../../libs/database/src';
import { ENV_MAINTENANCE_URL, ENV_TEMPLATE, withClient } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const maintenanceUrl = process.env[ENV_MAINTENANCE_URL];
  const template = process.env[ENV_TEMPLATE];
  if (maintenanceUrl && template) {
    const base = template.replace(/_tpl$/, '');
    await withClient(maintenanceUrl, async (c) => {
      const rows = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${base}%`]);
      for (const row of rows.rows as { datname: string }[]) {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(row.datname)} WITH (FORCE)`);
      }
    });
  }
  const pg = globalThis.__ECHELON_TEST_PG__;
  if (pg) {
    await pg.stop();
    await pg.remove();
  }
}
