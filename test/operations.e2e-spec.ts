import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { attrs, at, createFirm, originalCode, postEvents } from './support/ledger-world';

/** A sample's value in Prometheus text (0 when the series does not exist yet). Labels in any order. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

/** Prometheus metrics and Bull Board: administrator keys only (Bearer, or Basic with the key as password). */
describe('operations: /metrics and /admin/queues', () => {
  let t: TestApp;
  let firm: Firm;

  beforeAll(async () => {
    t = await startTestApp();
    firm = await createFirm(t, '宁德电池', ['battery_maker'], undefined, ['001']);
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

  it("counts the events through the ledger by source and outcome, and times every queue's jobs", async () => {
    const scrape = async () => (await t.http().get('/metrics').set(bearer(t.adminKey)).expect(200)).text;
    const before = await scrape();
    const delta = (now: string, name: string, labels: Record<string, string>) => sample(now, name, labels) - sample(before, name, labels);
    const ingest = (source: string, outcome: string) => ({ source, outcome });

    // POST /v1/events: two accepted, one rejected (not a code); the first sent again is a duplicate; a dry run counts nothing.
    const produced = (serial: number) => ({ type: 'produced', batteryCodes: [originalCode('P', serial)], occurredAt: at(1), payload: attrs });
    const sent = await postEvents(t, firm, [produced(9001), produced(9002), { ...produced(0), batteryCodes: ['NOT-A-CODE'] }]);
    expect(sent.counts).toEqual({ total: 3, accepted: 2, duplicate: 0, rejected: 1 });
    expect((await postEvents(t, firm, [produced(9001)])).counts).toMatchObject({ duplicate: 1 });
    expect((await postEvents(t, firm, [produced(9003)], { dryRun: true })).counts).toMatchObject({ accepted: 1 });

    // An upload: three accepted rows and one rejected; a second file fails as a whole (unknown column) in its job.
    const upload = (rows: string[]) =>
      t
        .http()
        .post('/v1/uploads')
        .set(firm.auth)
        .attach('file', Buffer.from(rows.join('\n') + '\n'), { filename: `m${rows.length}.csv`, contentType: 'text/csv' })
        .expect(202);
    const finished = async (id: string) => {
      for (let i = 0; i < 300; i++) {
        const res = await t.http().get(`/v1/uploads/${id}`).set(firm.auth).expect(200);
        if (res.body.status === 'completed' || res.body.status === 'failed') return res.body as { status: string; counts: Record<string, number> };
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`upload ${id} did not finish`);
    };
    const file = ['type,batteryCodes,occurredAt,nominalCapacityAh,nominalVoltageV'];
    for (const serial of [9101, 9102, 9103]) file.push(`produced,${originalCode('C', serial)},2026-03-02 08:00,280,3.2`);
    file.push('produced,NOT-A-CODE,2026-03-02 08:00,280,3.2');
    const good = await finished((await upload(file)).body.id);
    expect(good).toMatchObject({ status: 'completed', counts: { accepted: 3, duplicate: 0, rejected: 1 } });
    const bad = await finished((await upload(['type,batteryCodes,occurredAt,colour', `produced,${originalCode('C', 9104)},2026-03-02,red`])).body.id);
    expect(bad.status).toBe('failed');

    // A job's metrics are recorded when BullMQ reports it finished, just after the upload's own status is written.
    const job = (outcome: string) => ({ queue: 'uploads', name: 'process', outcome });
    let now = await scrape();
    for (let i = 0; i < 100 && delta(now, 'echelon_job_duration_seconds_count', job('failed')) < 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      now = await scrape();
    }
    expect({
      api: ['accepted', 'duplicate', 'rejected'].map((o) => delta(now, 'echelon_ingest_events_total', ingest('api', o))),
      upload: ['accepted', 'duplicate', 'rejected'].map((o) => delta(now, 'echelon_ingest_events_total', ingest('upload', o))),
      jobs: ['completed', 'failed'].map((o) => delta(now, 'echelon_job_duration_seconds_count', job(o))),
      failures: delta(now, 'echelon_job_failures_total', { queue: 'uploads', name: 'process' }),
    }).toEqual({ api: [2, 1, 1], upload: [3, 0, 1], jobs: [1, 1], failures: 1 });
    expect(sample(now, 'echelon_job_duration_seconds_sum', job('completed'))).toBeGreaterThan(
      sample(before, 'echelon_job_duration_seconds_sum', job('completed')),
    );
    expect(now).toMatch(/echelon_queue_jobs\{queue="uploads",state="completed"\} [1-9]/);
    expect(now).toMatch(/echelon_queue_jobs\{queue="uploads",state="failed"\} [1-9]/);
  });
});
