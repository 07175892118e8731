import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { AppModule } from '../../apps/api/src/app.module';
import { CLI_ACTOR, configureHttpApp, loadConfig } from '../../libs/common/src';
import { EmbeddedPostgres, migrateDatabase, quoteIdent } from '../../libs/database/src';
import { ApiKeysService } from '../../libs/enterprises/src';

export interface BenchApp {
  baseUrl: string;
  databaseUrl: string;
  adminKey: string;
  describe: string;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/**
 * The real API over real HTTP for benchmarks, on a fresh database: on the server
 * DATABASE_URL names, or on a throwaway embedded PostgreSQL. Queues follow
 * REDIS_URL as in production. Logging is silenced: it would dominate the profile.
 */
export async function startBenchApp(): Promise<BenchApp> {
  let serverUrl = process.env.DATABASE_URL;
  let embedded: EmbeddedPostgres | null = null;
  if (!serverUrl) {
    embedded = new EmbeddedPostgres({ dataDir: `/tmp/echelon-bench-pg/run-${process.pid}`, port: await freePort() });
    await embedded.start();
    serverUrl = embedded.url('postgres');
  }
  const dbName = `echelon_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  await migrateDatabase(databaseUrl);

  const config = { ...loadConfig({ ...process.env, DATABASE_URL: databaseUrl }), logLevel: 'silent' as const, runWorkersInApi: true };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl }), { bodyParser: false, logger: false });
  configureHttpApp(app, config);
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  const adminKey = (await app.get(ApiKeysService).create({ kind: 'admin' }, 'bench', CLI_ACTOR)).key;
  const pool = new Client({ connectionString: databaseUrl });
  await pool.connect();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl,
    adminKey,
    describe: `${embedded ? 'embedded PostgreSQL' : 'PostgreSQL from DATABASE_URL'}, queues on ${config.redisUrl ? 'Redis' : 'PostgreSQL'}`,
    sql: async (text, params) => (await pool.query(text, params as unknown[])).rows,
    async close() {
      await pool.end();
      await app.close();
      await admin(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
      if (embedded) {
        await embedded.stop();
        await embedded.remove();
      }
    },
  };
}

/** A request body already serialised (so that a benchmark can keep the client's JSON.stringify off the clock). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A JSON call on the API with a key; throws with the response on any non-2xx status. */
export async function apiCall(app: BenchApp, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(app.baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : body instanceof JsonText ? body.text : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** Registers an enterprise (as admin) and gives it a key. */
export async function createFirm(app: BenchApp, name: string, uscc: string, roles: string[]): Promise<{ id: string; uscc: string; key: string }> {
  const e = await apiCall(app, app.adminKey, 'POST', '/v1/enterprises', { name, uscc, roles, regionCode: '350102' });
  const k = await apiCall(app, app.adminKey, 'POST', `/v1/enterprises/${e.id}/api-keys`, { name: 'bench' });
  return { id: e.id, uscc, key: k.key };
}
