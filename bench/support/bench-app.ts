import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres, freePort, migrateDatabase, quoteIdent } from '../../libs/database/src';

/** The compiled tree (this file runs from dist/bench/support). */
const DIST = join(__dirname, '..', '..');

export interface BenchApp {
  baseUrl: string;
  databaseUrl: string;
  adminKey: string;
  /** Kept-alive sockets to the API, for `send`. */
  agent: Agent;
  /** The API's process id (for its CPU time). */
  apiPid: number;
  /** The worker process's id when the queues' workers run in a process of their own (`separateWorker`), else null. */
  workerPid: number | null;
  describe: string;
  /** Whether the database is the throwaway embedded server (built for size: see bench/README.md). */
  embedded: boolean;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * The real API over real HTTP for benchmarks, on a fresh database: on the server
 * DATABASE_URL names, or on a throwaway embedded PostgreSQL. Queues follow
 * REDIS_URL as in production (without it, workers run in the API process, unless
 * `separateWorker`: then the built apps/worker runs them in a process of its own, as deployed, sharing the queues
 * in PostgreSQL or Redis, and the API runs none). Logging is silenced: it would dominate the profile.
 */
export async function startBenchApp(options: { separateWorker?: boolean } = {}): Promise<BenchApp> {
  let serverUrl = process.env.DATABASE_URL;
  let embedded: EmbeddedPostgres | null = null;
  if (!serverUrl) {
    embedded = new EmbeddedPostgres({ dataDir: `/tmp/echelon-bench-pg/run-${process.pid}`, port: await freePort() });
    await embedded.start();
    serverUrl = embedded.url('postgres');
  }
  // BENCH_REUSE_DB=<name> (with DATABASE_URL) runs on a database an earlier run kept (BENCH_KEEP_DB=1), and keeps
  // it: a benchmark that generates data can then skip what is already there (e.g. `reports` at 1M: ~9 minutes).
  const reuse = process.env.DATABASE_URL && process.env.BENCH_REUSE_DB ? process.env.BENCH_REUSE_DB : null;
  const dbName = reuse ?? `echelon_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  if (!reuse) await admin(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  await migrateDatabase(databaseUrl);

  // The API runs as it is deployed: its own process (the built apps/api), so the load generator's work does
  // not share its event loop. The admin key comes from the built CLI, as an operator's would.
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
  const cli = spawnSync(process.execPath, [join(DIST, 'apps/cli/src/main.js'), 'create-admin-key', '--name', 'bench'], { env, encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`create-admin-key failed: ${cli.stderr}`);
  const adminKey = cli.stdout.trim().split('\n').pop()!;
  // The API's node runs with the flags of `npm start`; BENCH_API_NODE_ARGS adds more, e.g.
  // `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const nodeArgs = [...startFlags(), ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const apiEnv = options.separateWorker ? { ...env, RUN_WORKERS_IN_API: 'false' } : env;
  const api: ChildProcess = spawn(process.execPath, [...nodeArgs, join(DIST, 'apps/api/src/main.js')], { env: apiEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode} during start-up`);
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 300) throw new Error('the API did not become ready in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  // The worker (BENCH_WORKER_NODE_ARGS adds node flags, as BENCH_API_NODE_ARGS for the API) logs at `info` only
  // to say it is running: its first line with "worker running" is the signal that it consumes the queues.
  const worker: ChildProcess | null = options.separateWorker
    ? spawn(
        process.execPath,
        [
          ...startFlags('start:worker', 'dist/apps/worker/src/main.js'),
          ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
          join(DIST, 'apps/worker/src/main.js'),
        ],
        { env: { ...env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'inherit'] },
      )
    : null;
  if (worker) {
    let seen = '';
    const running = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        seen = (seen + chunk.toString()).slice(-4096);
        if (seen.includes('worker running')) {
          worker.stdout!.off('data', onData);
          // BENCH_WORKER_LOG=<file> keeps the worker's log (its JSON lines: e.g. a report's partitions and their times).
          if (process.env.BENCH_WORKER_LOG) worker.stdout!.pipe(createWriteStream(process.env.BENCH_WORKER_LOG));
          else worker.stdout!.resume();
          resolve();
        }
      };
      worker.stdout!.on('data', onData);
      worker.once('exit', (code) => reject(new Error(`the worker exited with ${code} during start-up`)));
    });
    await Promise.race([running, new Promise((_, reject) => setTimeout(() => reject(new Error('the worker did not start in 60 s')), 60_000))]);
  }
  const pool = new Client({ connectionString: databaseUrl });
  await pool.connect();
  const agent = new Agent({ keepAlive: true });
  return {
    baseUrl,
    databaseUrl,
    adminKey,
    agent,
    apiPid: api.pid!,
    workerPid: worker?.pid ?? null,
    embedded: embedded !== null,
    describe: `API in its own process${worker ? ', workers in another (apps/worker)' : ''}; ${embedded ? 'embedded PostgreSQL' : 'PostgreSQL from DATABASE_URL'}; queues on ${process.env.REDIS_URL ? 'Redis' : 'PostgreSQL'}`,
    sql: async (text, params) => (await pool.query(text, params as unknown[])).rows,
    async close() {
      await pool.end();
      agent.destroy();
      for (const p of worker ? [worker, api] : [api]) {
        if (p.exitCode !== null) continue;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await exited;
      }
      // BENCH_KEEP_DB=1 keeps the database on a DATABASE_URL server, to look at its plans afterwards.
      if ((process.env.BENCH_KEEP_DB === '1' || reuse) && !embedded) console.log(`  kept database ${dbName}`);
      else await admin(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
      if (embedded) {
        await embedded.stop();
        await embedded.remove();
      }
    },
  };
}

/**
 * Starts the API on a fresh database, connects a client straight to that database (for set-based fillers and
 * baselines that bypass the API), runs `body`, and closes both whatever happens.
 */
export async function withBenchApp(body: (app: BenchApp, pg: Client) => Promise<void>): Promise<void> {
  const app = await startBenchApp();
  const pg = new Client({ connectionString: app.databaseUrl });
  await pg.connect();
  try {
    await body(app, pg);
  } finally {
    await pg.end();
    await app.close();
  }
}

/** For `if (require.main === module) runStandalone(run)`: a benchmark file run by itself exits 0, or 1 with its error. */
export function runStandalone(run: () => Promise<void>): void {
  run().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

/** The node flags of a package.json start script (`node <flags> dist/apps/api/src/main.js`). */
function startFlags(script = 'start', main = 'dist/apps/api/src/main.js'): string[] {
  const scripts = JSON.parse(readFileSync(join(DIST, '..', 'package.json'), 'utf8')).scripts as Record<string, string>;
  const m = new RegExp(`\\bnode((?: --\\S+)*) ${main.replace(/[./]/g, '\\$&')}`).exec(scripts[script] ?? '');
  if (!m) throw new Error(`package.json's ${script} script does not run ${main} with node: ${scripts[script]}`);
  return m[1].split(' ').filter(Boolean);
}

/** A request body already serialised (so that a benchmark can keep the client's JSON.stringify off the clock). */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * One request; resolves with the status and the body once the whole response has arrived. Requests go through
 * node:http on the app's kept-alive sockets: the load generator shares the API's two cores, and fetch (undici)
 * costs several times the CPU per request, its garbage collection landing in latency samples (measured on the
 * trace benchmark: the same server showed a p99 of 21-26 ms through fetch and 14-15 ms through node:http, and
 * /health 7-11 ms against 5-7 ms).
 */
export function send(app: BenchApp, key: string, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${key}` };
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    const req = request(app.baseUrl + path, { method, agent: app.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON call on the API with a key; throws with the response on any non-2xx status. */
export async function apiCall(app: BenchApp, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await send(app, key, method, path, body === undefined ? undefined : body instanceof JsonText ? body.text : JSON.stringify(body));
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 500)}`);
  return res.text ? JSON.parse(res.text) : null;
}

/** Registers an enterprise (as admin) and gives it a key. */
export async function createFirm(app: BenchApp, name: string, uscc: string, roles: string[]): Promise<{ id: string; uscc: string; key: string }> {
  const e = await apiCall(app, app.adminKey, 'POST', '/v1/enterprises', { name, uscc, roles, regionCode: '350102' });
  const k = await apiCall(app, app.adminKey, 'POST', `/v1/enterprises/${e.id}/api-keys`, { name: 'bench' });
  return { id: e.id, uscc, key: k.key };
}
