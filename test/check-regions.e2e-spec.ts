import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { apiEnvironment, buildOnce } from './support/api-process';
import { bearer, randomUscc, startTestApp, type TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');

/**
 * Issue 18: registered regions written before they were checked are reported by `npm run cli -- check-regions`, not
 * silently kept or changed. The built CLI runs against the test's database, as an operator runs it.
 */
describe('check-regions (CLI)', () => {
  let t: TestApp;
  beforeAll(async () => {
    buildOnce();
    t = await startTestApp();
  }, 120_000);
  afterAll(() => t?.close());

  const run = () =>
    spawnSync(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'check-regions'], { env: apiEnvironment(t.db.url, 'cli'), encoding: 'utf8' });

  it('lists stored codes that are not GB/T 2260 divisions, exits 1, and changes nothing', async () => {
    const good = await t
      .http()
      .post('/v1/enterprises')
      .set(bearer(t.adminKey))
      .send({ name: '福州', uscc: randomUscc(), roles: ['dealer'], regionCode: '350102' })
      .expect(201);
    expect(run().status).toBe(0);
    // As an older version let through (it checked only the shape).
    const [bad] = await t.sql<{ id: string }>(
      "INSERT INTO enterprises (name, uscc, roles, region_code) VALUES ('Nowhere', $1, ARRAY['dealer'], '990000') RETURNING id",
      [randomUscc()],
    );
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(bad.id);
    expect(r.stdout).toContain('990000');
    expect(r.stdout).not.toContain(good.body.id);
    expect(r.stderr).toMatch(/1 to correct/);
    expect((await t.sql<{ region_code: string }>('SELECT region_code FROM enterprises WHERE id = $1', [bad.id]))[0].region_code).toBe('990000');
  });
});
