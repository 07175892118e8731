import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { createFirm } from './support/ledger-world';

/** Prometheus metrics and Bull Board: administrator keys only (Bearer, or Basic with the key as password). */
describe('operations: /metrics and /admin/queues', () => {
  let t: TestApp;
  let firm: Firm;

  beforeAll(async () => {
    t = await startTestApp();
    firm = await createFirm(t, '宁德电池', ['battery_maker']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/metrics: 401 without a key, 403 for an enterprise, the metrics for an administrator', async () => {
    await t.http().get('/metrics').expect(401);
    await t.http().get('/metrics').set(firm.auth).expect(403);
    await t.http().get('/v1/enterprises').set(bearer(t.adminKey)).expect(200);
    const res = await t.http().get('/metrics').set(bearer(t.adminKey)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/echelon_http_request_duration_seconds_count\{method="GET",route="\/v1\/enterprises",status="200"\} [1-9]/);
    expect(res.text).toMatch(/echelon_queue_jobs\{queue="compliance-reports",state="waiting"\} \d+/);
    expect(res.text).toContain('echelon_report_duration_seconds');
  });

  it('/admin/queues: the board for an administrator (Bearer or Basic), nobody else', async () => {
    await t.http().get('/admin/queues').expect(401).expect('WWW-Authenticate', /Basic/);
    await t.http().get('/admin/queues').set(firm.auth).expect(403);
    const page = await t.http().get('/admin/queues').set(bearer(t.adminKey)).expect(200);
    expect(page.text).toContain('<html');
    const basic = `Basic ${Buffer.from(`admin:${t.adminKey}`).toString('base64')}`;
    const api = await t.http().get('/admin/queues/api/queues').set('Authorization', basic).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['compliance-reports', 'ledger', 'system', 'uploads']);
  });
});
