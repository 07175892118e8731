import request from 'supertest';
import { format } from '#libs/battery-code';
import { holdInserts, pollUntil, useApiProcesses } from './support/api-process';
import { bearer, randomUscc } from './support/test-app';

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
  const world = useApiProcesses();
  const sql = world.sql;

  it('is finished by the next process without losing or repeating a row', async () => {
    const first = await world.start();
    const http = () => request(first.baseUrl);
    const maker = (
      await http()
        .post('/v1/enterprises')
        .set(bearer(world.adminKey))
        .send({ name: '重启电池', uscc: randomUscc(), roles: ['battery_maker'], regionCode: '350902' })
        .expect(201)
    ).body;
    const key: string = (await http().post(`/v1/enterprises/${maker.id}/api-keys`).set(bearer(world.adminKey)).send({ name: 'erp' }).expect(201)).body.key;
    await http()
      .post('/v1/manufacturer-codes')
      .set(bearer(world.adminKey))
      .send({ code: '0R1', enterpriseId: maker.id, certificateDate: '2018-03-01' })
      .expect(201);

    // The third batch (rows 1002-1501; row 1 is the header) stops inside its transaction, after the ledger has
    // written its events, until the test lets it go: that is where the process dies.
    const hold = await holdInserts(world, 'upload_row_results', 'NEW.row_no = 1002', LOCK);

    const lines = ['type,batteryCodes,occurredAt,nominalCapacityAh,nominalVoltageV'];
    for (let i = 0; i < ROWS; i++) lines.push(`produced,${cell(500_000 + i)},2026-04-09 08:00,280,3.2`);
    const accepted = await http()
      .post('/v1/uploads')
      .set(bearer(key))
      .attach('file', Buffer.from(lines.join('\n') + '\n'), { filename: 'restart.csv', contentType: 'text/csv' })
      .expect(202);
    const id: string = accepted.body.id;

    await hold.reached('the third batch', first.output);
    const midway = (await http().get(`/v1/uploads/${id}`).set(bearer(key)).expect(200)).body;
    expect(midway).toMatchObject({ status: 'processing', progress: { rowsProcessed: 1000 } });

    // The crash: no shutdown hooks, the batch's transaction never commits.
    await world.crash(first);
    await hold.release({ endOtherSessions: true });
    const written = async () =>
      (
        await sql<{ events: number; codes: number }>(
          `SELECT count(*)::int AS events, count(DISTINCT battery_codes[1])::int AS codes FROM lifecycle_events WHERE occurred_at = '2026-04-09T00:00:00Z'`,
        )
      )[0];
    expect(await written()).toEqual({ events: 1000, codes: 1000 });

    // The next process takes the job over once the dead one's lock on it lapses (BullMQ's stalled-job check).
    const second = await world.start();
    const done = await pollUntil(
      async () =>
        (await request(second.baseUrl).get(`/v1/uploads/${id}`).set(bearer(key)).expect(200)).body as {
          status: string;
          attempts: number;
          progress: { rowsProcessed: number; rowsTotal: number };
          counts: Record<string, number>;
        },
      (u) => u.status === 'completed' || u.status === 'failed',
      150_000,
      (u) => `upload still ${u.status} after the restart:\n${second.output()}`,
    );
    expect(done).toMatchObject({
      status: 'completed',
      progress: { rowsProcessed: ROWS, rowsTotal: ROWS },
      counts: { accepted: ROWS, duplicate: 0, rejected: 0 },
    });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
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
