import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { format } from '#libs/battery-code';
import type { ApiProcess } from './support/api-process';
import { apiEnvironment, buildOnce, createAdminKey, startApiProcess } from './support/api-process';
import type { TestDatabase } from './support/test-database';
import { createTestDatabase, withClient } from './support/test-database';
import { bearer, deleteRedisKeys, randomUscc } from './support/test-app';

/**
 * "A restart mid-upload must not lose or duplicate rows", with a real restart: the API runs as deployed (the built
 * app in a process of its own, workers inside, the queue backend the environment selects), is killed with SIGKILL
 * while a batch of the file is inside its transaction, and a new API process on the same database and queue
 * finishes the file. The other upload tests run the app in-process and cannot die this way.
 */
const ROWS = 2600; // six batches of up to 500 rows
const LOCK = 424242;

function cell(n: number): string {
  const r = format({
    manufacturerCode: '0R1',
    productType: 'C',
    batteryType: 'B',
    specificationCode: '24',
    traceabilityCode: '0000003',
    productionDate: '2025-03-12',
    serial: n,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.code.code;
}

describe('an upload whose API process is killed mid-file (separate processes, real queue)', () => {
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

  it('is finished by the next process without losing or repeating a row', async () => {
    const first = await startApiProcess(env);
    running.push(first);
    const http = () => request(first.baseUrl);
    const maker = (
      await http()
        .post('/v1/enterprises')
        .set(bearer(adminKey))
        .send({ name: '重启电池', uscc: randomUscc(), roles: ['battery_maker'], regionCode: '350902' })
        .expect(201)
    ).body;
    const key: string = (await http().post(`/v1/enterprises/${maker.id}/api-keys`).set(bearer(adminKey)).send({ name: 'erp' }).expect(201)).body.key;
    await http().post('/v1/manufacturer-codes').set(bearer(adminKey)).send({ code: '0R1', enterpriseId: maker.id, certificateDate: '2018-03-01' }).expect(201);

    // The third batch (rows 1002-1501; row 1 is the header) stops inside its transaction, after the ledger has
    // written its events, until the test lets it go: that is where the process dies.
    await sql(`CREATE FUNCTION hold_third_batch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.row_no = 1002 THEN PERFORM pg_advisory_xact_lock(${LOCK}); END IF;
        RETURN NEW;
      END $$`);
    await sql('CREATE TRIGGER hold_third_batch BEFORE INSERT ON upload_row_results FOR EACH ROW EXECUTE FUNCTION hold_third_batch()');
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [LOCK]);

    const lines = ['type,batteryCodes,occurredAt,nominalCapacityAh,nominalVoltageV'];
    for (let i = 0; i < ROWS; i++) lines.push(`produced,${cell(500_000 + i)},2026-04-09 08:00,280,3.2`);
    const accepted = await http()
      .post('/v1/uploads')
      .set(bearer(key))
      .attach('file', Buffer.from(lines.join('\n') + '\n'), { filename: 'restart.csv', contentType: 'text/csv' })
      .expect(202);
    const id: string = accepted.body.id;

    const waiting = async () =>
      (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [LOCK]))[0].n;
    for (const until = Date.now() + 60_000; (await waiting()) === 0;) {
      if (Date.now() > until) throw new Error(`the third batch never started:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const midway = (await http().get(`/v1/uploads/${id}`).set(bearer(key)).expect(200)).body;
    expect(midway).toMatchObject({ status: 'processing', progress: { rowsProcessed: 1000 } });

    // The crash: no shutdown hooks, the batch's transaction never commits. PostgreSQL notices a dead client only
    // when it next talks to it; ending its sessions stands for that.
    await first.crash();
    running.splice(running.indexOf(first), 1);
    await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1`, [
      (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid,
    ]);
    await holder.end();
    await sql('DROP TRIGGER hold_third_batch ON upload_row_results; DROP FUNCTION hold_third_batch()');
    const written = async () =>
      (
        await sql<{ events: number; codes: number }>(
          `SELECT count(*)::int AS events, count(DISTINCT battery_codes[1])::int AS codes FROM lifecycle_events WHERE occurred_at = '2026-04-09T00:00:00Z'`,
        )
      )[0];
    expect(await written()).toEqual({ events: 1000, codes: 1000 });

    // The next process takes the job over once the dead one's lock on it lapses (BullMQ's stalled-job check).
    const second = await startApiProcess(env);
    running.push(second);
    let done: { status: string; attempts: number; progress: { rowsProcessed: number; rowsTotal: number }; counts: Record<string, number> } | undefined;
    for (const until = Date.now() + 150_000; ;) {
      done = (await request(second.baseUrl).get(`/v1/uploads/${id}`).set(bearer(key)).expect(200)).body;
      if (done!.status === 'completed' || done!.status === 'failed') break;
      if (Date.now() > until) throw new Error(`upload still ${done!.status} after the restart:\n${second.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(done).toMatchObject({
      status: 'completed',
      progress: { rowsProcessed: ROWS, rowsTotal: ROWS },
      counts: { accepted: ROWS, duplicate: 0, rejected: 0 },
    });
    expect(done!.attempts).toBeGreaterThanOrEqual(2);
    expect(await written()).toEqual({ events: ROWS, codes: ROWS });
    const results = await sql<{ n: number; rows: number; events: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT row_no)::int AS rows, count(DISTINCT event_id)::int AS events FROM upload_row_results WHERE upload_id = $1',
      [id],
    );
    expect(results).toEqual([{ n: ROWS, rows: ROWS, events: ROWS }]);
    // Two batches before the crash, four after it; the one that died left nothing behind.
    const batches = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'upload.batch_processed'`, [id]);
    expect(batches).toEqual([{ n: 6 }]);
  }, 240_000);
});
