import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { MonthlyReports, previousMonth } from '#libs/compliance';
import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { Cast } from './support/compliance-world';
import { bj, CompletedTablesModule, createCast, endOfDay, scrappedPack } from './support/compliance-world';
import { accept } from './support/ledger-world';
import { withClient } from './support/test-database';

/**
 * The upload-timeliness report through the real queue: seeded lifecycles whose on-time / late / missing / pending
 * counts are known (deadlines across National Day, a make-up Saturday, the 2026-04-01 boundary, a due date in
 * 2027, which the calendar does not cover), for the whole ledger, one enterprise, one month and a region.
 */
// Each report is computed twice over: in one pass, and with the scope's batteries split into three ranges judged in
// worker threads (REPORT_PARTITIONS; the default starts at 50,000 batteries), whose merged counts and rows must be
// the same, exactly.
describe.each([
  ['in one pass', { reportPartitions: 1 }],
  ['in three partitions (worker threads)', { reportPartitions: 3, reportPartitionMinBatteries: 0 }],
])('compliance reports (BullMQ jobs on real PostgreSQL), %s', (_how, partitions) => {
  let t: TestApp;
  let c: Cast;
  /** The one upload whose on-time status depends on when the test runs: due at the end of 2026-12-18. */
  const receivedInTime = () => Date.now() <= Date.parse(endOfDay('2026-12-18'));

  beforeAll(async () => {
    t = await startTestApp(partitions, { imports: [CompletedTablesModule] });
    c = await createCast(t);
    // 1: National Day 2025 and Spring Festival 2026: scrapped (late), removed (late), received under 2026 (late).
    const p1 = (await scrappedPack(t, c, 11, '2025-09-01', '2025-09-30')).pack;
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [p1], occurredAt: bj('2026-02-09'), counterpartyUscc: c.recycler.uscc });
    await accept(t, c.recycler, { type: 'recycler_received', batteryCodes: [p1], occurredAt: bj('2026-04-01') });
    // 2: the boundary: scrapped and removed under 2018 (late), received on 2026-04-01 (late).
    const p2 = (await scrappedPack(t, c, 12, '2026-03-01', '2026-03-20')).pack;
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [p2], occurredAt: bj('2026-03-31'), counterpartyUscc: c.cascade.uscc });
    await accept(t, c.cascade, { type: 'cascade_received', batteryCodes: [p2], occurredAt: bj('2026-04-01') });
    // 3: recent: received in time (30 calendar days), recycled with a due date in 2027 (pending).
    const p3 = (await scrappedPack(t, c, 13, '2026-11-02', '2026-11-16')).pack;
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [p3], occurredAt: bj('2026-11-17'), counterpartyUscc: c.recycler.uscc });
    await accept(t, c.recycler, { type: 'recycler_received', batteryCodes: [p3], occurredAt: bj('2026-11-18') });
    await accept(t, c.recycler, {
      type: 'recycled',
      batteryCodes: [p3],
      occurredAt: bj('2026-11-20'),
      payload: { method: 'hydrometallurgical', processedMassKg: 380 },
    });
    // 4: removed to the recycler on 2026-10-01 and never received: missing, owed by the recycler (due 2026-10-31).
    const p4 = (await scrappedPack(t, c, 14, '2026-09-01', '2026-09-28')).pack;
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [p4], occurredAt: bj('2026-10-01'), counterpartyUscc: c.recycler.uscc });
    // 5: scrapped under 2018 (late) and never removed: missing, owed by the dismantler (due 2026-03-23).
    await scrappedPack(t, c, 15, '2026-03-01', '2026-03-02');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function report(key: Record<string, string>, body: Record<string, unknown>, status = 202) {
    const res = await t.http().post('/v1/reports').set(key).send(body).expect(status);
    if (status !== 202) return res.body;
    expect(res.headers.location).toBe(`/v1/reports/${res.body.id}`);
    for (let i = 0; i < 120; i += 1) {
      const r = await t.http().get(res.headers.location).set(key).expect(200);
      if (r.body.status === 'done' || r.body.status === 'failed') return r.body;
      await new Promise((done) => setTimeout(done, 250));
    }
    throw new Error('report did not finish');
  }
  const admin = () => bearer(t.adminKey);
  const totals = (o: Partial<Record<string, number>>) => ({
    on_time: 0,
    late: 0,
    pending: 0,
    no_deadline: 0,
    missing_overdue: 0,
    missing_open: 0,
    missing_pending: 0,
    ...o,
  });

  it('counts every status over the whole ledger, names the data it was computed against, and lists the offending uploads', async () => {
    const r = await report(admin(), { type: 'timeliness', scope: 'all', period: '2025-01-01/2026-12-31' });
    expect(r).toMatchObject({
      status: 'done',
      progress: 100,
      type: 'timeliness',
      scope: 'all',
      period: { from: '2025-01-01', to: '2026-12-31' },
      ruleSets: 'cn-2018@1,cn-2026@2',
      generation: 1,
    });
    expect(r.watermark).toMatch(/^[0-9a-f-]{36}$/);
    const inTime = receivedInTime();
    expect(r.summary.totals).toEqual(totals({ no_deadline: 19, late: inTime ? 7 : 8, on_time: inTime ? 1 : 0, pending: 1, missing_overdue: 2 }));
    expect(r.summary.byNode.vehicle_scrapped).toEqual(totals({ late: 3, no_deadline: 2 }));
    expect(r.summary.byNode.removed_not_received).toEqual(totals({ missing_overdue: 1 }));
    expect(r.summary.byNode.scrapped_not_removed).toEqual(totals({ missing_overdue: 1 }));
    expect(r.summary.byEnterprise[c.recycler.id]).toEqual(totals({ late: inTime ? 1 : 2, on_time: inTime ? 1 : 0, pending: 1, missing_overdue: 1 }));
    expect(r.summary.delay.worst).toBeGreaterThanOrEqual(r.summary.delay.median);
    expect(r.rowCount).toBe((inTime ? 7 : 8) + 1 + 2);
    // Partitions number their rows from their own bases (a third of the int4 range each): the threads wrote rows.
    const seqs = await withClient(
      t.db.url,
      async (pg) => (await pg.query('SELECT seq FROM compliance_report_rows WHERE report_id = $1 ORDER BY seq', [r.id])).rows,
    );
    expect(seqs).toHaveLength(r.rowCount);
    expect(seqs.filter((x) => x.seq > 715_827_882).length > 0).toBe(partitions.reportPartitions === 3);

    // JSON: the same findings; the missing uploads name who owes them.
    const json = JSON.parse((await t.http().get(`/v1/reports/${r.id}/download?format=json`).set(admin()).buffer(true).parse(text).expect(200)).body);
    expect(json.report).toMatchObject({ report: r.id, ruleSets: 'cn-2018@1,cn-2026@2', watermark: r.watermark });
    const missing = json.rows.filter((x: { section: string }) => x.section === 'missing');
    expect(missing.map((x: { expectation: string; owedBy: string; dueAt: string }) => [x.expectation, x.owedBy, x.dueAt]).sort()).toEqual([
      ['removed_not_received', c.recycler.id, endOfDay('2026-10-31')],
      ['scrapped_not_removed', c.dismantler.id, endOfDay('2026-03-23')],
    ]);
    expect(json.rows.filter((x: { section: string }) => x.section === 'pending').map((x: { type: string }) => x.type)).toEqual(['recycled']);

    // CSV parses, one line per finding; XLSX opens with two sheets.
    const csv = (await t.http().get(`/v1/reports/${r.id}/download?format=csv`).set(admin()).buffer(true).parse(text).expect(200)).body as string;
    const records = parse(csv.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(r.rowCount);
    expect(
      records
        .filter((x) => x.section === 'late')
        .map((x) => x.type)
        .sort(),
    ).toEqual(
      [
        'cascade_received',
        'recycler_received',
        'removed',
        'removed',
        'vehicle_scrapped',
        'vehicle_scrapped',
        'vehicle_scrapped',
        ...(inTime ? [] : ['recycler_received']),
      ].sort(),
    );
    const xlsx = await t.http().get(`/v1/reports/${r.id}/download?format=xlsx`).set(admin()).buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['report', 'findings']);
    expect(wb.getWorksheet('findings')!.rowCount).toBe(r.rowCount + 1);

    // PDF: a document with the Chinese font embedded (rendered and looked at as an image when written: see the README).
    const pdf = await t
      .http()
      .get(`/v1/reports/${r.id}/download?format=pdf`)
      .set(admin())
      .buffer(true)
      .parse(binary)
      .expect(200)
      .expect('Content-Type', 'application/pdf');
    const pdfBytes = pdf.body as Buffer;
    expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfBytes.toString('latin1')).toContain('NotoSansSC');
    if (process.env.KEEP_REPORT_PDF) writeFileSync(process.env.KEEP_REPORT_PDF, pdfBytes);

    // Asking again gives the same report; regenerate gives the next generation.
    const again = await t.http().post('/v1/reports').set(admin()).send({ type: 'timeliness', scope: 'all', period: '2025-01-01/2026-12-31' }).expect(202);
    expect(again.body.id).toBe(r.id);
    const regenerated = await report(admin(), { type: 'timeliness', scope: 'all', period: '2025-01-01/2026-12-31', regenerate: true });
    expect(regenerated).toMatchObject({ generation: 2, status: 'done', rowCount: r.rowCount });
    expect(regenerated.id).not.toBe(r.id);
  });

  it('an enterprise gets its own report (its uploads, the uploads it owes) and no other', async () => {
    const r = await report(c.dismantler.auth, { type: 'timeliness', period: '2025' });
    expect(r.scope).toBe(`enterprise:${c.dismantler.id}`);
    // 2025: only pack 1's scrapping (the removal was 2026).
    expect(r.summary.totals).toEqual(totals({ late: 1 }));
    const y2026 = await report(c.dismantler.auth, { type: 'timeliness', period: '2026' });
    expect(y2026.summary.totals).toEqual(totals({ late: 4, no_deadline: 4, missing_overdue: 1 }));
    const forbidden = await report(c.dismantler.auth, { type: 'timeliness', scope: `enterprise:${c.recycler.id}`, period: '2026' }, 403);
    expect(forbidden.error.code).toBe('REPORT_SCOPE_FORBIDDEN');
    await t.http().get(`/v1/reports/${y2026.id}`).set(c.recycler.auth).expect(404);
    const listed = (await t.http().get('/v1/reports').set(c.recycler.auth).expect(200)).body.items;
    expect(listed).toEqual([]);
  });

  it('a month: only what happened in it (a removal of 1 October 2026 never received)', async () => {
    const r = await report(admin(), { type: 'timeliness', scope: 'all', period: '2026-10' });
    expect(r.summary.totals).toEqual(totals({ no_deadline: 1, missing_overdue: 1 }));
  });

  it('regulators: within their region only; bad parameters are 422 naming the field and change nothing', async () => {
    const reg = await t.http().post('/v1/regulators').set(admin()).send({ name: '广东省工信厅', regionPrefix: '44' }).expect(201);
    const key = bearer((await t.http().post(`/v1/regulators/${reg.body.id}/api-keys`).set(admin()).send({ name: 'r' }).expect(201)).body.key);
    expect((await report(key, { type: 'timeliness', scope: 'region:35', period: '2026' }, 403)).error.code).toBe('REPORT_SCOPE_FORBIDDEN');
    const r44 = await report(key, { type: 'timeliness', scope: 'region:44', period: '2026' });
    expect(r44.summary.totals).toEqual(totals({}));
    const r35 = await report(admin(), { type: 'timeliness', scope: 'region:35', period: '2026-10' });
    expect(r35.summary.totals).toEqual(totals({ no_deadline: 1, missing_overdue: 1 }));
    expect((await t.http().get('/v1/reports').set(key).expect(200)).body.items.map((x: { id: string }) => x.id)).toEqual([r44.id]);

    const before = await t.sql<{ n: string }>('SELECT count(*) AS n FROM compliance_reports');
    const bad = await report(admin(), { type: 'timeliness', scope: 'region:3', period: '2026-13' }, 422);
    expect(bad.error.details.map((d: { path: string }) => d.path)).toEqual(['scope', 'period']);
    const unknown = await report(admin(), { type: 'cascade_obligations', scope: 'all', period: '2026' }, 422);
    expect(unknown.error.details).toEqual([expect.objectContaining({ path: 'scope' })]);
    const noType = await report(admin(), { type: 'emissions', scope: 'all', period: '2026' }, 422);
    expect(noType.error.details).toEqual([expect.objectContaining({ path: 'type' })]);
    expect(await t.sql<{ n: string }>('SELECT count(*) AS n FROM compliance_reports')).toEqual(before);
  });

  it('flow audit of a province: where the batteries retired in the period went (count, kWh, kg), hand-overs to non-whitelisted parties', async () => {
    await t
      .http()
      .patch(`/v1/enterprises/${c.recycler.id}`)
      .set(admin())
      .send({ whitelist: { status: 'listed', version: '2024' } })
      .expect(200);
    const r = await report(admin(), { type: 'flow_audit', scope: 'region:35', period: '2026', format: 'pdf' });
    expect(r.status).toBe('done');
    // Retired in 2026: packs 1 (recycled), 2 (cascade), 3 (recycled) and 4 (removed on 1 October, never received).
    const size = (n: number) => ({ count: n, kwh: Math.round(n * 52.56 * 1000) / 1000, kg: n * 380 });
    expect(r.summary.flow).toEqual({
      retired: size(4),
      destinations: { recycling: size(2), cascade: size(1), unaccounted: size(1), outlet: size(0), in_transit: size(0), held_by_dismantler: size(0) },
      // Pack 2 went to the cascade utiliser, which is not on the whitelist; the recycler is.
      nonWhitelistedHandovers: 1,
    });
    expect(r.summary.byEnterprise[c.recycler.id]).toMatchObject({ missing_overdue: 1, pending: 1 });
    const json = JSON.parse((await t.http().get(`/v1/reports/${r.id}/download?format=json`).set(admin()).buffer(true).parse(text).expect(200)).body);
    expect(json.rows.map((x: { section: string; counterpartyId?: string; owedBy?: string }) => [x.section, x.counterpartyId ?? x.owedBy]).sort()).toEqual(
      [
        ['non_whitelisted', c.cascade.id],
        ['unaccounted', c.recycler.id],
      ].sort(),
    );
    const pdf = await t
      .http()
      .get(`/v1/reports/${r.id}/download`)
      .set(admin())
      .buffer(true)
      .parse(binary)
      .expect(200)
      .expect('Content-Type', 'application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (process.env.KEEP_FLOW_PDF) writeFileSync(process.env.KEEP_FLOW_PDF, pdf.body as Buffer);
    // A flow audit is about a region, not an enterprise.
    const bad = await report(admin(), { type: 'flow_audit', scope: `enterprise:${c.recycler.id}`, period: '2026' }, 422);
    expect(bad.error.details).toEqual([expect.objectContaining({ path: 'scope' })]);
  });

  it('cascade obligations of a cascade firm: findings naming articles; what no module answers is “not assessed”', async () => {
    // Pack 2 was received by the cascade firm on 2026-04-01 (late: art. 12); the firm holds no manufacturer code (art. 12).
    const r = await report(c.cascade.auth, { type: 'cascade_obligations', period: '2026' });
    expect(r.status).toBe('done');
    expect(r.summary.cascade).toMatchObject({
      firm: c.cascade.id,
      hasManufacturerCode: false,
      findings: { 'art. 10': 0, 'art. 12 (manufacturer code)': 1, 'art. 12 (late uploads)': 1, 'art. 15': 0, 'art. 19': 0, 'art. 20': 0, 'art. 22': 0 },
    });
    // Arts. 10, 15 and 19 are read from the testing, cascade and outlet records (test/cascade-obligations.e2e-spec.ts);
    // only the disclosure on the firm's own website stays unassessed.
    expect(r.summary.cascade.notAssessed.map((x: { article: string }) => x.article)).toEqual(['19']);
    const pdf = await t.http().get(`/v1/reports/${r.id}/download?format=pdf`).set(c.cascade.auth).buffer(true).parse(binary).expect(200);
    if (process.env.KEEP_CASCADE_PDF) writeFileSync(process.env.KEEP_CASCADE_PDF, pdf.body as Buffer);
    const json = JSON.parse((await t.http().get(`/v1/reports/${r.id}/download?format=json`).set(c.cascade.auth).buffer(true).parse(text).expect(200)).body);
    expect(json.rows.map((x: { article: string; type?: string }) => [x.article, x.type ?? null])).toEqual([
      ['art. 12 (manufacturer code)', null],
      ['art. 12 (late uploads)', 'cascade_received'],
    ]);
  });

  it('a monthly schedule (upsertJobScheduler, REPORT_SCHEDULE_CRON in Beijing time) makes each enterprise’s and province’s report of the previous month, once', async () => {
    const listed = (await t.http().get('/v1/report-schedules').set(admin()).expect(200)).body.items;
    expect(listed).toEqual([expect.objectContaining({ id: 'monthly-compliance-reports', cron: '0 3 1 * *', timezone: 'Asia/Shanghai' })]);
    expect(Date.parse(listed[0].next)).toBeGreaterThan(Date.now());
    await t.http().get('/v1/report-schedules').set(c.maker.auth).expect(403);

    expect(previousMonth(new Date('2026-11-30T17:00:00Z'))).toBe('2026-11'); // 1 December 01:00 in Beijing
    expect(previousMonth(new Date('2026-01-15T00:00:00Z'))).toBe('2025-12');
    const monthly = t.app.get(MonthlyReports);
    // Five enterprises, all in province 35.
    expect(await monthly.run(new Date('2026-11-05T00:00:00Z'))).toEqual({ period: '2026-10', requested: 6 });
    await monthly.run(new Date('2026-11-05T00:00:00Z'));
    // (The province's report of October existed already, asked by an administrator above: the schedule reuses it.)
    const made = await t.sql<{ scope: string; n: number }>(
      `SELECT scope, count(*)::int AS n FROM compliance_reports WHERE period_from = '2026-10-01' AND period_to = '2026-10-31' AND scope <> 'all' GROUP BY scope ORDER BY scope`,
    );
    expect(made).toHaveLength(6);
    expect(made.every((r) => r.n === 1)).toBe(true);
    expect(made.map((r) => r.scope)).toContain('region:35');
  });
});

/** supertest parsers that keep the body as text / bytes. */
function text(response: unknown, done: (err: Error | null, body: string) => void) {
  const res = response as NodeJS.ReadableStream;
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (data += chunk));
  res.on('end', () => done(null, data));
}

function binary(response: unknown, done: (err: Error | null, body: Buffer) => void) {
  const res = response as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
