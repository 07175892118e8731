import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { ApiProcess } from './support/api-process';
import { apiEnvironment, buildOnce, createAdminKey, startApiProcess } from './support/api-process';
import type { Cast } from './support/compliance-world';
import { scrappedPack } from './support/compliance-world';
import { createFirm } from './support/ledger-world';
import type { TestDatabase } from './support/test-database';
import { createTestDatabase, withClient } from './support/test-database';
import type { TestApp } from './support/test-app';
import { bearer, deleteRedisKeys } from './support/test-app';

/**
 * "A worker killed mid-report is taken over and finishes, with one report row and one result": the API runs as
 * deployed (built, in a process of its own, workers inside), is killed with SIGKILL while the report job is
 * writing its findings, and a new process finishes the report when the dead worker's lock lapses.
 */
const LOCK = 434343;

describe('a report whose worker is killed mid-report (separate processes, real queue)', () => {
  let db: TestDatabase;
  const queuePrefix = `test_${randomBytes(4).toString('hex')}`;
  let env: NodeJS.ProcessEnv;
  let adminKey: string;
  const running: ApiProcess[] = [];
  const sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => withClient(db.url, async (c) => (await c.query(text, params)).rows as T[]);

  beforeAll(async () => {
    buildOnce();
    db = await createTestDatabase();
    env = apiEnvironment(db.url, queuePrefix);
    adminKey = createAdminKey(env);
  }, 120_000);
  afterAll(async () => {
    for (const p of running) await p.stop();
    if (process.env.REDIS_URL) await deleteRedisKeys(process.env.REDIS_URL, queuePrefix);
    await db?.drop();
  });

  it('is finished by the next process: one report, its findings once', async () => {
    const first = await startApiProcess(env);
    running.push(first);
    // The world helpers need only an HTTP client and the admin key.
    const t = { http: () => request(first.baseUrl), adminKey } as unknown as TestApp;
    const c: Cast = {
      maker: await createFirm(t, '宁德电池', ['battery_maker'], undefined, ['001']),
      vm: await createFirm(t, '福州汽车', ['vehicle_maker']),
      dismantler: await createFirm(t, '拆解厂', ['dismantler']),
      cascade: await createFirm(t, '梯次利用', ['cascade_utiliser']),
      recycler: await createFirm(t, '再生利用', ['recycler']),
    };
    // Two vehicles scrapped on 30 September 2025 (each upload late) and never removed (each removal missing).
    await scrappedPack(t, c, 21, '2025-09-01', '2025-09-30');
    await scrappedPack(t, c, 22, '2025-09-01', '2025-09-30');

    // The first finding's insert waits inside the job until the test lets it go: that is where the process dies.
    await sql(`CREATE FUNCTION hold_report_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.seq = 1 THEN PERFORM pg_advisory_xact_lock(${LOCK}); END IF;
        RETURN NEW;
      END $$`);
    await sql('CREATE TRIGGER hold_report_rows BEFORE INSERT ON compliance_report_rows FOR EACH ROW EXECUTE FUNCTION hold_report_rows()');
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [LOCK]);

    const asked = await request(first.baseUrl).post('/v1/reports').set(bearer(adminKey)).send({ type: 'timeliness', scope: 'all', period: '2025' }).expect(202);
    const id: string = asked.body.id;
    const waiting = async () =>
      (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [LOCK]))[0].n;
    for (const until = Date.now() + 60_000; (await waiting()) === 0;) {
      if (Date.now() > until) throw new Error(`the report never started writing:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await sql('SELECT status, attempts FROM compliance_reports WHERE id = $1', [id])).toEqual([{ status: 'running', attempts: 1 }]);

    await first.crash();
    running.splice(running.indexOf(first), 1);
    await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1`, [
      (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid,
    ]);
    await holder.end();
    await sql('DROP TRIGGER hold_report_rows ON compliance_report_rows; DROP FUNCTION hold_report_rows()');

    const second = await startApiProcess(env);
    running.push(second);
    let report: { status: string; summary: { totals: Record<string, number> }; rowCount: number } | undefined;
    for (const until = Date.now() + 150_000; ;) {
      report = (await request(second.baseUrl).get(`/v1/reports/${id}`).set(bearer(adminKey)).expect(200)).body;
      if (report!.status === 'done' || report!.status === 'failed') break;
      if (Date.now() > until) throw new Error(`report still ${report!.status} after the restart:\n${second.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(report).toMatchObject({ status: 'done', rowCount: 4, summary: { totals: { late: 2, missing_overdue: 2, no_deadline: 6 } } });
    expect(await sql('SELECT count(*)::int AS n, min(attempts) AS attempts FROM compliance_reports')).toEqual([{ n: 1, attempts: 2 }]);
    expect(await sql('SELECT count(*)::int AS n, count(DISTINCT seq)::int AS seqs FROM compliance_report_rows WHERE report_id = $1', [id])).toEqual([
      { n: 4, seqs: 4 },
    ]);
  }, 240_000);
});
