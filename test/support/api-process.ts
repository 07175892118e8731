import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../libs/database/src';

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
