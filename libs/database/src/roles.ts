import type { Client } from 'pg';
import { quoteIdent } from './embedded-postgres';

/**
 * The service runs under two PostgreSQL roles besides the one it is given (DATABASE_URL, or the embedded server's
 * superuser), which only sets them up:
 * - the **owner** (`NOLOGIN`) owns the schema: migrations run as it, so every table, trigger and function belongs
 *   to it and not to a superuser;
 * - the **app** role is what the API and the workers log in as: not a superuser, owner of nothing in `public`, with
 *   SELECT/INSERT/UPDATE/DELETE on ordinary tables and only SELECT/INSERT on the append-only ones (ledger, audit
 *   log, coding rules, checkpoints). It cannot `SET session_replication_role` (which would silence the append-only
 *   triggers), nor alter, disable or drop a trigger, nor UPDATE, DELETE or TRUNCATE the ledger at all: the triggers
 *   are a second line, no longer the only one. BullMQ's PostgreSQL backend keeps its own schema `bullmq`, which the
 *   app role owns (BullMQ creates and migrates its tables there at start-up).
 * Names are configurable (DATABASE_OWNER_ROLE, DATABASE_APP_ROLE); roles are cluster-wide and created only if
 * absent, so several databases (test clones, a second deployment) share them.
 */
export interface DatabaseRoles {
  owner: string;
  app: string;
  /** The app role's password, for servers that ask for one (docker-compose); null with trust authentication. */
  appPassword: string | null;
}

export const DEFAULT_DATABASE_ROLES: DatabaseRoles = { owner: 'echelon_owner', app: 'echelon_app', appPassword: null };

/** The schema BullMQ's PostgreSQL backend keeps its tables in (libs/queue). */
export const BULLMQ_SCHEMA_NAME = 'bullmq';

/** The trigger function that makes a table append-only (migrations/1795600000000-Foundation.ts). */
const APPEND_ONLY_FUNCTION = 'forbid_update_delete';

/** The URL the application connects with: the same server and database, as the app role. */
export function appDatabaseUrl(adminUrl: string, roles: DatabaseRoles): string {
  const u = new URL(adminUrl);
  u.username = encodeURIComponent(roles.app);
  u.password = roles.appPassword === null ? '' : encodeURIComponent(roles.appPassword);
  return u.toString();
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Creates the roles if absent and makes the connecting role able to act as the owner. Role statements of two
 * processes starting at once (api and worker, or two test runs on one server) may collide ("tuple concurrently
 * updated", a duplicate role): each step is idempotent and retried.
 */
export async function ensureRoles(client: Client, roles: DatabaseRoles): Promise<void> {
  const owner = quoteIdent(roles.owner);
  const app = quoteIdent(roles.app);
  await retried(async () => {
    const [{ superuser }] = (await client.query('SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user')).rows as { superuser: boolean }[];
    const exists = async (name: string) => ((await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0;
    if (!(await exists(roles.owner))) await client.query(`CREATE ROLE ${owner} NOLOGIN`);
    if (!(await exists(roles.app))) await client.query(`CREATE ROLE ${app} LOGIN`);
    await client.query(
      `ALTER ROLE ${app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${roles.appPassword === null ? '' : ` PASSWORD ${literal(roles.appPassword)}`}`,
    );
    // A superuser may act as any role; another administrator (CREATEROLE) must be made a member of the owner.
    if (!superuser) await client.query(`GRANT ${owner} TO current_user`);
  });
}

/**
 * Before the migrations: the owner may create in `public`, and objects made before the roles existed (by the
 * connecting role) pass to it, so that the migrations, run as the owner, may alter them.
 */
export async function handOverToOwner(client: Client, roles: DatabaseRoles): Promise<void> {
  const owner = quoteIdent(roles.owner);
  await retried(() => client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${owner}`));
  const objects = (
    await client.query(
      `SELECT format('ALTER %s %s OWNER TO %I', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                     c.oid::regclass, $1::text) AS sql
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
       UNION ALL
       SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, $1::text)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
      [roles.owner],
    )
  ).rows as { sql: string }[];
  for (const { sql } of objects) await client.query(sql);
}

/** After the migrations: what the app role may do, table by table (rerun at every start, so new tables are covered). */
export async function grantAppPrivileges(client: Client, roles: DatabaseRoles): Promise<void> {
  const app = quoteIdent(roles.app);
  // What each table's append-only triggers refuse (tgtype bits: 8 DELETE, 16 UPDATE, 32 TRUNCATE): that, and only
  // that, is taken from the app role (outlets, say, refuse TRUNCATE alone and are updated in place).
  const refused = (
    await client.query(
      `SELECT t.tgrelid::regclass::text AS name, bool_or(t.tgtype & 16 <> 0) AS "update", bool_or(t.tgtype & 8 <> 0) AS "delete", bool_or(t.tgtype & 32 <> 0) AS "truncate"
         FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE p.proname = $1 AND NOT t.tgisinternal GROUP BY 1`,
      [APPEND_ONLY_FUNCTION],
    )
  ).rows as { name: string; update: boolean; delete: boolean; truncate: boolean }[];
  await retried(async () => {
    await client.query(`GRANT USAGE ON SCHEMA public TO ${app}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app}`);
    await client.query(`REVOKE ALL ON TABLE migrations FROM ${app}`);
    await client.query(`GRANT SELECT ON TABLE migrations TO ${app}`);
    for (const t of refused) {
      const privileges = [t.update && 'UPDATE', t.delete && 'DELETE', t.truncate && 'TRUNCATE'].filter(Boolean).join(', ');
      await client.query(`REVOKE ${privileges} ON TABLE ${t.name} FROM ${app}`);
    }
    const schema = quoteIdent(BULLMQ_SCHEMA_NAME);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${app}`);
    // BullMQ's migrator runs `CREATE SCHEMA IF NOT EXISTS bullmq` at every start, which PostgreSQL checks against
    // the database's CREATE privilege even when the schema exists. It lets the app role make schemas of its own,
    // nothing in `public`.
    const [{ db }] = (await client.query('SELECT current_database() AS db')).rows as { db: string }[];
    await client.query(`GRANT CREATE ON DATABASE ${quoteIdent(db)} TO ${app}`);
    await client.query(`GRANT ALL ON SCHEMA ${schema} TO ${app}`);
    await client.query(`GRANT ALL ON ALL TABLES IN SCHEMA ${schema} TO ${app}`);
    await client.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA ${schema} TO ${app}`);
  });
}

async function retried<T>(step: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await step();
    } catch (error) {
      // XX000 "tuple concurrently updated", 23505/42710 a role or grant made at the same moment by another process.
      const code = (error as { code?: string }).code;
      if (i >= attempts || !(code === 'XX000' || code === '23505' || code === '42710' || code === '40001' || code === '40P01')) throw error;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}
