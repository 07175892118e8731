import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from './embedded-postgres';
import { freePort } from './free-port';

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
    // Another client is connected (as the API would be while the CLI runs): the server is left running.
    const user = new Client({ connectionString: first.url('app') });
    await user.connect();
    await second.stop();
    expect(await select1(first.url('app'))).toBe(1);
    await user.end();

    // Nobody else is connected any more: an adopted server (left by a killed process) is stopped.
    const third = new EmbeddedPostgres({ dataDir, port: await freePort() });
    await third.start();
    await third.stop();
    await expect(select1(first.url('app'))).rejects.toThrow();
    await first.start(); // starts it again (no longer running), so the last step below has a server to stop

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
