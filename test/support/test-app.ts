import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import IORedis from 'ioredis';
import request from 'supertest';
import type { Response } from 'superagent';
import { AppModule } from '../../apps/api/src/app.module';
import type { AppConfig } from '#libs/common';
import { CLI_ACTOR, configureHttpApp, loadConfig } from '#libs/common';
import { ApiKeysService } from '#libs/enterprises';
import { usccCheckCharacter } from '#libs/identifiers';
import { appDatabaseUrl } from '#libs/database';
import type { TestDatabase } from './test-database';
import { createTestDatabase, withClient } from './test-database';

/** Collects the app's JSON log lines so tests can read them back. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) {
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ raw: line });
        }
      }
    }
    done();
  }
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** `db.url` connects as the role that set the database up (a superuser in tests); the app uses the app role. */
  db: TestDatabase;
  logs: LogCapture;
  /** A supertest agent on the real HTTP stack. */
  http: () => ReturnType<typeof request>;
  /** An administrator key, as the CLI would create it. */
  adminKey: string;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * The real API (same modules, same HTTP set-up as main.ts) on a database of its
 * own, with the queue backend the environment selects: BullMQ on that
 * PostgreSQL by default, on Redis when REDIS_URL is set (under a unique prefix).
 * `extra.imports`: more modules beside the app's (e.g. a @Global() one providing a hook such as DEADLINE_TABLES);
 * `extra.replace`: providers the app has that the test replaces (e.g. DEADLINE_ASSESSOR, which the compliance module provides).
 */
export async function startTestApp(
  overrides: Partial<AppConfig> = {},
  extra: { imports?: ModuleMetadata['imports']; replace?: { provide: string | symbol; useValue: unknown }[] } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const base = loadConfig({ ...process.env, DATABASE_URL: db.url });
  const config: AppConfig = {
    ...base,
    databaseUrl: db.url,
    queuePrefix: `test_${randomBytes(4).toString('hex')}`,
    runWorkersInApi: true,
    logLevel: 'info',
    ...overrides,
  };
  const logs = new LogCapture();
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot({ config, databaseUrl: appDatabaseUrl(db.url, config.databaseRoles), logDestination: logs }), ...(extra.imports ?? [])],
  });
  for (const r of extra.replace ?? []) builder.overrideProvider(r.provide).useValue(r.useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  configureHttpApp(app, config);
  await app.init();
  const adminKey = (await app.get(ApiKeysService).create({ kind: 'admin' }, 'test admin', CLI_ACTOR)).key;
  const server = app.getHttpServer();
  return {
    app,
    config,
    db,
    logs,
    adminKey,
    http: () => request(server),
    sql: (text, params) => withClient(db.url, async (c) => (await c.query(text, params as unknown[])).rows),
    async close() {
      await app.close();
      if (config.redisUrl) await deleteRedisKeys(config.redisUrl, config.queuePrefix);
      // BullMQ's pools may still be ending their connections when close() returns (under load): dropping the database
      // then terminated them (57P01), an error their closed queues could only print. Wait for them to go first.
      await connectionsGone(db.url, 5_000);
      await db.drop();
    },
  };
}

/** Waits (up to `ms`) until no other session is connected to the database of `url`. */
async function connectionsGone(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  await withClient(url, async (c) => {
    for (;;) {
      const { rows } = await c.query<{ n: string }>(
        'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      if (Number(rows[0].n) === 0 || Date.now() > until) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A valid USCC for tests: random body, correct GB 32100 check character. */
export function randomUscc(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '91350100';
  for (const byte of randomBytes(9)) body += alphabet[byte % 31];
  return body + usccCheckCharacter(body);
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** supertest parser that keeps any response body as raw bytes: `.buffer(true).parse(binaryBody)`. */
export function binaryBody(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
