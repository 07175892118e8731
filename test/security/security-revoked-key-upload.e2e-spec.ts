import { Client } from 'pg';
import type { TestApp } from '../support/test-app';
import { bearer, startTestApp } from '../support/test-app';
import type { Firm } from './security-fixtures';
import { batteryCode, finished, firm } from './security-fixtures';

/** Issue 13, item 6: revoking a key stops the uploads it queued; what was recorded before stays. */
describe('security: a revoked key stops its queued uploads', () => {
  let t: TestApp;
  let maker: Firm;
  beforeAll(async () => {
    t = await startTestApp();
    maker = await firm(t, ['battery_maker']);
    await t
      .http()
      .post('/v1/manufacturer-codes')
      .set(bearer(t.adminKey))
      .send({ code: '0S1', enterpriseId: maker.id, certificateDate: '2018-03-01' })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('records no event after revoked_at: the batch in flight finishes, the next ones are refused with UPLOAD_KEY_REVOKED, never retried', async () => {
    const lines = ['type,batteryCodes,occurredAt,clientEventId,nominalCapacityAh,nominalVoltageV'];
    for (let i = 1; i <= 1500; i++) lines.push(`produced,${batteryCode('0S1', i)},2026-04-02,rk-${i},100,350`);
    const res = await t
      .http()
      .post('/v1/uploads')
      .set(bearer(maker.key))
      .attach('file', Buffer.from(lines.join('\r\n')), { filename: 'e.csv', contentType: 'text/csv' })
      .expect(202);
    const id = res.body.id as string;

    // Hold the second batch at its first row (spreadsheet row 502) until the revocation has been asked for: the
    // worker is then inside that batch's transaction, exactly where a revocation races it.
    const blocker = new Client({ connectionString: t.db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`INSERT INTO upload_row_results (upload_id, row_no, status) VALUES ($1, 502, 'rejected')`, [id]);
      for (let i = 0; ; i++) {
        const [u] = await t.sql<{ rows_processed: number }>('SELECT rows_processed FROM uploads WHERE id = $1', [id]);
        if (u.rows_processed >= 500) break;
        if (i > 600) throw new Error('the first batch never committed');
        await new Promise((r) => setTimeout(r, 50));
      }
      const revoked = t
        .http()
        .delete(`/v1/api-keys/${maker.keyId}`)
        .set(bearer(t.adminKey))
        .then((r) => r.status);
      await new Promise((r) => setTimeout(r, 300));
      await blocker.query('ROLLBACK');
      expect(await revoked).toBe(204);
    } finally {
      await blocker.end();
    }

    const state = await finished(t, id, t.adminKey);
    expect(state.status).toBe('failed');
    expect(state.error?.code).toBe('UPLOAD_KEY_REVOKED');
    expect(state.attempts).toBe(1);
    // What was recorded before the revocation stays; nothing was recorded after it.
    expect(state.progress.rowsProcessed).toBeGreaterThanOrEqual(500);
    expect(state.progress.rowsProcessed).toBeLessThan(1500);
    expect(state.counts.accepted).toBe(state.progress.rowsProcessed);
    const [events] = await t.sql<{ n: number; after: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE e.uploaded_at > k.revoked_at)::int AS after
         FROM lifecycle_events e JOIN api_keys k ON k.id = e.reporter_key_id WHERE k.id = $1`,
      [maker.keyId],
    );
    expect(events).toEqual({ n: state.counts.accepted, after: 0 });
  });
});
