import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../libs/database/src';
import { deleteRedisKeys } from './test-app';
import type { TestDatabase } from './test-database';
import { createTestDatabase, withClient } from './test-database';

const ROOT = join(__dirname, '..', '..');
let built = false;

/**
 * Builds the deployable tree (`dist`, as `npm start` does) once per test worker: a test that kills the API
 * needs the API in a process of its own, started as in production.
 */
export function buildOnce(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
  built = true;
}

export interface ApiProcess {
  baseUrl: string;
  pid: number;
  /** What the process wrote, for failure messages. */
  output(): string;
  /** Kills it without warning (no shutdown hooks run): a crash. */
  crash(): Promise<void>;
  /** Stops it as an operator would (SIGTERM: graceful shutdown). */
  stop(): Promise<void>;
}

/** The environment of a built app: the database and queue backend of a test, workers in the API. */
export function apiEnvironment(databaseUrl: string, queuePrefix: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: queuePrefix,
    RUN_WORKERS_IN_API: 'true',
    LOG_LEVEL: 'warn',
  };
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  return env;
}

/** Creates an administrator key with the built CLI, as an operator would. */
export function createAdminKey(env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'create-admin-key', '--name', 'test'], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`create-admin-key failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

/** Starts the built API (`node dist/apps/api/src/main.js`) and waits until it is ready. */
export async function startApiProcess(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} during start-up:\n${output}`);
    if (
      await fetch(`${baseUrl}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) {
      child.kill('SIGKILL');
      throw new Error(`the API was not ready in 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    pid: child.pid!,
    output: () => output,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What a test of separate processes shares: its database, the built app's environment, an admin key, its processes. */
export interface ProcessWorld {
  db: TestDatabase;
  env: NodeJS.ProcessEnv;
  adminKey: string;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Starts the built API (stopped after the file's tests); `extra` adds to the environment. */
  start(extra?: NodeJS.ProcessEnv): Promise<ApiProcess>;
  /** Kills a started process with SIGKILL (a crash). */
  crash(p: ApiProcess): Promise<void>;
}

/**
 * Declares, in the calling `describe`, the set-up of a test that runs the built API in processes of its own: the
 * build, a database, the environment (workers in the API, a queue prefix of its own), an administrator key; and
 * afterwards stops the processes it started, deletes its Redis keys, drops the database and runs `cleanup`.
 * `environment` runs first and adds to the environment (e.g. a private Redis server's REDIS_URL).
 */
export function useApiProcesses(options: { environment?: () => Promise<NodeJS.ProcessEnv>; cleanup?: () => Promise<void> } = {}): ProcessWorld {
  const running: ApiProcess[] = [];
  const queuePrefix = `test_${randomBytes(4).toString('hex')}`;
  const world = {
    async sql<T>(text: string, params?: unknown[]) {
      return withClient(world.db.url, async (c) => (await c.query(text, params)).rows as T[]);
    },
    async start(extra: NodeJS.ProcessEnv = {}) {
      const p = await startApiProcess({ ...world.env, ...extra });
      running.push(p);
      return p;
    },
    async crash(p: ApiProcess) {
      await p.crash();
      running.splice(running.indexOf(p), 1);
    },
  } as ProcessWorld;
  beforeAll(async () => {
    buildOnce();
    const extra = options.environment ? await options.environment() : {};
    world.db = await createTestDatabase();
    world.env = { ...apiEnvironment(world.db.url, queuePrefix), ...extra };
    world.adminKey = createAdminKey(world.env);
  }, 120_000);
  afterAll(async () => {
    for (const p of running.splice(0)) await p.stop();
    if (world.env?.REDIS_URL && !options.environment) await deleteRedisKeys(world.env.REDIS_URL, queuePrefix);
    await world.db?.drop();
    await options.cleanup?.();
  }, 60_000);
  return world;
}

/**
 * Holds every transaction that inserts a row matching `when` into `table` (a trigger waits on an advisory lock
 * this test holds), so that a test can crash or disturb a process at that point of a job.
 */
export async function holdInserts(world: ProcessWorld, table: string, when: string, lock: number): Promise<Hold> {
  const fn = `hold_${table}`;
  await world.sql(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${when} THEN PERFORM pg_advisory_xact_lock(${lock}); END IF;
      RETURN NEW;
    END $$`);
  await world.sql(`CREATE TRIGGER ${fn} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
  const holder = new Client({ connectionString: world.db.url });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1)', [lock]);
  return {
    async reached(what, output) {
      const waiting = async () =>
        (await world.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [lock]))[0].n;
      for (const until = Date.now() + 60_000; (await waiting()) === 0;) {
        if (Date.now() > until) throw new Error(`${what} never happened:\n${output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async release({ endOtherSessions }) {
      // PostgreSQL notices a dead client only when it next talks to it; ending its sessions stands for that.
      if (endOtherSessions)
        await world.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1`, [
          (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid,
        ]);
      await holder.end();
      await world.sql(`DROP TRIGGER ${fn} ON ${table}; DROP FUNCTION ${fn}()`);
    },
  };
}

export interface Hold {
  /** Waits until a transaction waits at the hold (`what` names it in the failure, with the process's output). */
  reached(what: string, output: () => string): Promise<void>;
  /** Lets the held transactions go (after a crash, ending the dead process's sessions first) and drops the trigger. */
  release(options: { endOtherSessions: boolean }): Promise<void>;
}

/** Polls `probe` every 250 ms until `done`; fails after `ms` with `message`. */
export async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms: number, message: (last: T) => string): Promise<T> {
  for (const until = Date.now() + ms; ;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(message(value));
    await new Promise((r) => setTimeout(r, 250));
  }
}
