import request from 'supertest';
import { holdInserts, pollUntil, useApiProcesses } from './support/api-process';
import type { Cast } from './support/compliance-world';
import { createCast, scrappedPack } from './support/compliance-world';
import type { TestApp } from './support/test-app';
import { bearer } from './support/test-app';

/**
 * "A worker killed mid-report is taken over and finishes, with one report row and one result": the API runs as
 * deployed (built, in a process of its own, workers inside), is killed with SIGKILL while the report job is
 * writing its findings, and a new process finishes the report when the dead worker's lock lapses. The report is
 * judged in two ranges of batteries, the second in a worker thread: one battery each, their findings written by
 * the job's thread and by the thread.
 */
const LOCK = 434343;
/** The report judged in two ranges (the second in a worker thread of the built app): both are taken over. */
const PARTITIONED = { REPORT_PARTITIONS: '2', REPORT_PARTITION_MIN_BATTERIES: '0' };
/** Where the second range's rows are numbered from (seq is an int4 shared out among the ranges). */
const SECOND_RANGE_BASE = Math.floor((2 ** 31 - 1) / 2);

describe('a report whose worker is killed mid-report (separate processes, real queue)', () => {
  const world = useApiProcesses();

  it('is finished by the next process: one report, its findings once', async () => {
    const first = await world.start(PARTITIONED);
    // The world helpers need only an HTTP client and the admin key.
    const t = { http: () => request(first.baseUrl), adminKey: world.adminKey } as unknown as TestApp;
    const c: Cast = await createCast(t);
    // Two vehicles scrapped on 30 September 2025 (each upload late) and never removed (each removal missing).
    await scrappedPack(t, c, 21, '2025-09-01', '2025-09-30');
    await scrappedPack(t, c, 22, '2025-09-01', '2025-09-30');

    // The first finding's insert waits inside the job until the test lets it go: that is where the process dies.
    const hold = await holdInserts(world, 'compliance_report_rows', 'NEW.seq = 1', LOCK);
    const asked = await request(first.baseUrl)
      .post('/v1/reports')
      .set(bearer(world.adminKey))
      .send({ type: 'timeliness', scope: 'all', period: '2025' })
      .expect(202);
    const id: string = asked.body.id;
    await hold.reached('the report writing its findings', first.output);
    expect(await world.sql('SELECT status, attempts FROM compliance_reports WHERE id = $1', [id])).toEqual([{ status: 'running', attempts: 1 }]);

    await world.crash(first);
    await hold.release({ endOtherSessions: true });

    const second = await world.start(PARTITIONED);
    const report = await pollUntil(
      async () => (await request(second.baseUrl).get(`/v1/reports/${id}`).set(bearer(world.adminKey)).expect(200)).body,
      (r) => r.status === 'done' || r.status === 'failed',
      150_000,
      (r) => `report still ${r.status} after the restart:\n${second.output()}`,
    );
    expect(report).toMatchObject({ status: 'done', rowCount: 4, summary: { totals: { late: 2, missing_overdue: 2, no_deadline: 6 } } });
    expect(await world.sql('SELECT count(*)::int AS n, min(attempts) AS attempts FROM compliance_reports')).toEqual([{ n: 1, attempts: 2 }]);
    expect(
      await world.sql(
        'SELECT count(*)::int AS n, count(DISTINCT seq)::int AS seqs, count(*) FILTER (WHERE seq > $2)::int AS second FROM compliance_report_rows WHERE report_id = $1',
        [id, SECOND_RANGE_BASE],
      ),
    ).toEqual([{ n: 4, seqs: 4, second: 2 }]);
  }, 240_000);
});
