import type { TestApp } from './support/test-app';
import { randomUscc, startTestApp } from './support/test-app';

type Operation = { summary?: string; security?: unknown[] };

describe('OpenAPI document (/docs-json)', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    t = await startTestApp();
    paths = (await t.http().get('/docs-json').expect(200)).body.paths;
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })));

  it('has a summary on every operation', () => {
    expect(
      operations()
        .filter(({ op }) => !op.summary)
        .map(({ at }) => at),
    ).toEqual([]);
    expect(paths['/v1/enterprises/{id}'].get.summary).toBeTruthy();
    expect(paths['/v1/regulators'].get.summary).toBeTruthy();
  });

  it('shows no lock on the routes that need no key (health, codes, public outlets), and one on the others', () => {
    const open = operations()
      .filter(({ op }) => Array.isArray(op.security) && op.security.length === 0)
      .map(({ at }) => at);
    expect(open.sort()).toEqual(
      [
        'GET /health',
        'GET /health/ready',
        'GET /v1/codes/{code}',
        'GET /v1/codes/{code}/barcode',
        'POST /v1/codes/decode',
        'POST /v1/codes/encode',
        'GET /v1/public/outlets',
        'GET /v1/public/outlets/nearest',
      ].sort(),
    );
  });

  it("describes each event type's payload fields in its own words", async () => {
    const schemas = (await t.http().get('/docs-json').expect(200)).body.components.schemas;
    const payload: string = schemas.EventInputDoc.properties.payload.description;
    const line = (type: string) => payload.split('\n').find((l) => l.startsWith(`- **${type}**:`)) ?? '';
    expect(line('replaced')).toContain('`reason`: Why it was replaced');
    expect(line('removed')).not.toContain('Why it was replaced');
    expect(line('correction')).toContain('`reason` (required): What was wrong');
    // The upload column catalogue says the same, type by type.
    const maker = (
      await t
        .http()
        .post('/v1/enterprises')
        .set({ Authorization: `Bearer ${t.adminKey}` })
        .send({ name: 'X', uscc: randomUscc(), roles: ['battery_maker'], regionCode: '350102' })
        .expect(201)
    ).body;
    const key = (
      await t
        .http()
        .post(`/v1/enterprises/${maker.id}/api-keys`)
        .set({ Authorization: `Bearer ${t.adminKey}` })
        .send({ name: 'k' })
        .expect(201)
    ).body.key;
    const catalogue = (
      await t
        .http()
        .get('/v1/uploads/templates')
        .set({ Authorization: `Bearer ${key}` })
        .expect(200)
    ).body;
    const reason = catalogue.columns.find((c: { name: string }) => c.name === 'reason').description as string;
    expect(reason).toContain('replaced: Why it was replaced');
    expect(reason).toContain('correction: What was wrong');
  });
});
