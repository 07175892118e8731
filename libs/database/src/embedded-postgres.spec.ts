import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from './embedded-postgres';

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function select1(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await c.end();
  }
}

// A real server from the embedded-postgres binaries (integration, not a mock).
describe('EmbeddedPostgres', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'echelon-embedded-spec-'));
    await chmod(root, 0o755); // mkdtemp makes it private; the server's OS user must traverse it
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('initialises, starts, reuses a server left running by a dead process, and stops', async () => {
    const dataDir = join(root, 'cluster');
    const first = new EmbeddedPostgres({ dataDir, port: await freePort() });
    await first.start();
    await first.createDatabaseIfMissing('app');
    expect(await select1(first.url('app'))).toBe(1);

    // As if the first process had been killed: a second one finds the live server and uses it.
    const second = new EmbeddedPostgres({ dataDir, port: await freePort() });
    await second.start();
    expect(second.port).toBe(first.port);
    expect(await select1(second.url('app'))).toBe(1);
    await second.stop(); // not its server: a no-op
    expect(await select1(first.url('app'))).toBe(1);

    await first.stop();
    await expect(select1(first.url('app'))).rejects.toThrow();
  });

  it('explains a port that is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const pg = new EmbeddedPostgres({ dataDir: join(root, 'blocked'), port });
      await expect(pg.start()).rejects.toThrow(/port \d+ is in use: set EMBEDDED_PG_PORT/);
    } finally {
      blocker.close();
    }
  });
});
