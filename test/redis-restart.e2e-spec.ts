import request from 'supertest';
import { holdInserts, pollUntil, useApiProcesses } from './support/api-process';
import type { Cast } from './support/compliance-world';
import { createCast, scrappedPack } from './support/compliance-world';
import type { RedisProcess } from './support/redis-process';
import { redisServerAvailable, startRedis } from './support/redis-process';
import type { TestApp } from './support/test-app';
import { bearer } from './support/test-app';

/**
 * "Redis restart → jobs resume": the API runs as deployed (built, its own process, workers inside) on a private
 * Redis server. While a report job is inside its computation, Redis crashes (SIGKILL) and comes back on the same
 * port with its append-only file; the job then finishes in the same process, with one report row and its findings
 * once, and a report asked for after the restart is computed too.
 */
const LOCK = 454545;
const available = redisServerAvailable();
if (!available) console.warn('redis-restart.e2e-spec: skipped, `redis-server` is not on PATH (CI installs it)');

(available ? describe : describe.skip)('jobs across a Redis restart (separate processes, a private redis-server)', () => {
  let redis: RedisProcess | undefined;
  const world = useApiProcesses({
    environment: async () => {
      redis = await startRedis();
      return { REDIS_URL: redis.url, RUN_WORKERS_IN_API: 'true' };
    },
    cleanup: async () => redis?.remove(),
  });

  it('a report mid-computation when Redis dies finishes once Redis is back; new jobs run', async () => {
    const api = await world.start();
    const t = { http: () => request(api.baseUrl), adminKey: world.adminKey } as unknown as TestApp;
    const c: Cast = await createCast(t);
    // Two vehicles scrapped on 30 September 2025 (each upload late) and never removed (each removal missing).
    await scrappedPack(t, c, 31, '2025-09-01', '2025-09-30');
    await scrappedPack(t, c, 32, '2025-09-01', '2025-09-30');
    const admin = bearer(world.adminKey);
    const report = (id: string) => request(api.baseUrl).get(`/v1/reports/${id}`).set(admin).expect(200);
    const finished = (id: string) =>
      pollUntil(
        async () => (await report(id)).body,
        (r) => r.status === 'done' || r.status === 'failed',
        90_000,
        (r) => `report ${id} still ${r.status}:\n${api.output()}`,
      );

    const hold = await holdInserts(world, 'compliance_report_rows', 'NEW.seq = 1', LOCK);
    const id: string = (await request(api.baseUrl).post('/v1/reports').set(admin).send({ type: 'timeliness', scope: 'all', period: '2025' }).expect(202)).body
      .id;
    await hold.reached('the report writing its findings', api.output);

    await redis!.crash();
    // The app sees Redis gone (its readiness check fails) while the job waits inside its computation.
    const ready = () => fetch(`${api.baseUrl}/health/ready`).then((r) => r.status);
    expect(await ready()).toBe(503);
    expect((await report(id)).body.status).toBe('running');
    await redis!.restart();
    await pollUntil(
      ready,
      (s) => s === 200,
      30_000,
      (s) => `not ready after Redis came back (${s}):\n${api.output()}`,
    );
    await hold.release({ endOtherSessions: false });

    expect(await finished(id)).toMatchObject({ status: 'done', rowCount: 4, summary: { totals: { late: 2, missing_overdue: 2, no_deadline: 6 } } });
    expect(await world.sql('SELECT count(*)::int AS n FROM compliance_reports')).toEqual([{ n: 1 }]);
    expect(await world.sql('SELECT count(*)::int AS n, count(DISTINCT seq)::int AS seqs FROM compliance_report_rows WHERE report_id = $1', [id])).toEqual([
      { n: 4, seqs: 4 },
    ]);

    // The queue works after the restart: a new report is taken and computed by the same process.
    const next: string = (await request(api.baseUrl).post('/v1/reports').set(admin).send({ type: 'timeliness', scope: 'all', period: '2025-09' }).expect(202))
      .body.id;
    expect(await finished(next)).toMatchObject({ status: 'done', rowCount: 4 });
    expect(await world.sql('SELECT count(*)::int AS n FROM compliance_reports')).toEqual([{ n: 2 }]);
  }, 240_000);
});
