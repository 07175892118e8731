import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { appDatabaseUrl } from '#libs/database';
import type { TestApp } from '../support/test-app';
import { startTestApp } from '../support/test-app';

/** Issue 13, item 9: the app runs as a role that owns nothing and cannot switch off or go around the ledger's guards. */
describe('security: the application database role', () => {
  let t: TestApp;
  let app: Client;
  beforeAll(async () => {
    t = await startTestApp();
    app = new Client({ connectionString: appDatabaseUrl(t.db.url, t.config.databaseRoles) });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await t?.close();
  });

  const refusal = async (sql: string): Promise<string> => {
    try {
      await app.query(sql);
    } catch (error) {
      return `${(error as { code?: string }).code}`;
    }
    return 'allowed';
  };

  it('connects the running app as the app role: no superuser, not the owner of the append-only tables', async () => {
    const [me] = await t.app
      .get<DataSource>(getDataSourceToken())
      .query(
        'SELECT current_user AS "user", r.rolsuper AS superuser, r.rolcreaterole AS createrole, r.rolbypassrls AS bypassrls FROM pg_roles r WHERE r.rolname = current_user',
      );
    expect(me).toEqual({ user: t.config.databaseRoles.app, superuser: false, createrole: false, bypassrls: false });
    const owners = await t.sql<{ tablename: string; tableowner: string }>(
      `SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('lifecycle_events', 'battery_event_chain', 'audit_log', 'ledger_checkpoints') ORDER BY 1`,
    );
    expect(owners).toHaveLength(4);
    for (const o of owners) expect(o.tableowner).toBe(t.config.databaseRoles.owner);
  });

  it('cannot SET session_replication_role (which would silence the append-only triggers)', async () => {
    expect(await refusal('SET session_replication_role = replica')).toBe('42501');
    await app.query('BEGIN');
    expect(await refusal('SET LOCAL session_replication_role = replica')).toBe('42501');
    await app.query('ROLLBACK');
  });

  it('may not UPDATE, DELETE or TRUNCATE ledger tables, nor disable their triggers: refused by privilege, before any trigger', async () => {
    for (const table of ['lifecycle_events', 'battery_event_chain', 'battery_origins', 'battery_parties', 'audit_log', 'ledger_checkpoints', 'coding_rules']) {
      const [{ column }] = await t.sql<{ column: string }>(
        `SELECT column_name AS column FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' AND identity_generation IS NULL ORDER BY ordinal_position LIMIT 1`,
        [table],
      );
      expect([table, await refusal(`UPDATE ${table} SET ${column} = ${column} WHERE false`)]).toEqual([table, '42501']);
      expect([table, await refusal(`DELETE FROM ${table} WHERE false`)]).toEqual([table, '42501']);
      expect([table, await refusal(`TRUNCATE ${table}`)]).toEqual([table, '42501']);
      expect([table, await refusal(`ALTER TABLE ${table} DISABLE TRIGGER USER`)]).toEqual([table, '42501']);
    }
    expect(await refusal('DROP FUNCTION forbid_update_delete() CASCADE')).toBe('42501');
    // and can still do its work there
    expect(await refusal('SELECT count(*) FROM lifecycle_events')).toBe('allowed');
  });
});
