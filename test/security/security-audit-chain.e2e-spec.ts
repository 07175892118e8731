import { Client } from 'pg';
import { bearer, startTestApp, TestApp } from '../support/test-app';
import { firm, regulator } from './security-fixtures';

/** Issue 13, item 9: the audit log is chained, so a change made around its append-only guards is found. */
describe('security: audit-log checkpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** What only a role that can go around the triggers (owner, superuser) can do: the test's connection is one. */
  const tamper = async (sql: string) => {
    const c = new Client({ connectionString: t.db.url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL session_replication_role = replica');
      await c.query(sql);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  };

  it('finds an audit row edited or deleted behind the triggers, and names the checkpoint range', async () => {
    const admin = bearer(t.adminKey);
    const maker = await firm(t, ['battery_maker']);
    await t.http().patch(`/v1/enterprises/${maker.id}`).set(bearer(maker.key)).send({ address: '福州市鼓楼区' }).expect(200);
    const first = (await t.http().post('/v1/audit/checkpoints').set(admin).expect(201)).body;
    expect(first.rowCount).toBeGreaterThanOrEqual(3);
    await firm(t, ['recycler']);
    const second = (await t.http().post('/v1/audit/checkpoints').set(admin).expect(201)).body;
    expect(Number(second.cutId)).toBeGreaterThan(Number(first.cutId));
    expect(second.rowCount).toBeGreaterThan(first.rowCount);

    const regulatorKey = (await regulator(t)).key;
    expect((await t.http().get('/v1/audit/verify').set(bearer(regulatorKey)).expect(200)).body).toMatchObject({ ok: true });
    await t.http().get('/v1/audit/verify').set(bearer(maker.key)).expect(403);

    // Delete the last row the second checkpoint covers: found in the second checkpoint's range.
    await tamper(`DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log WHERE id <= ${second.cutId})`);
    const deleted = (await t.http().get('/v1/audit/verify').set(admin).expect(200)).body;
    // (the scheduled checkpoint, taken at start-up, may lie before either of ours: ranges are named by their ends)
    expect(deleted).toMatchObject({ ok: false, firstMismatch: { id: second.id }, range: expect.stringMatching(new RegExp(`< id <= ${second.cutId}$`)) });

    // Rewrite who did the address change (inside the first checkpoint's range): found there.
    await tamper(`UPDATE audit_log SET actor_kind = 'admin' WHERE action = 'enterprise.updated' AND entity_id = '${maker.id}'`);
    const edited = (await t.http().get('/v1/audit/verify').set(admin).expect(200)).body;
    expect(edited).toMatchObject({ ok: false, firstMismatch: { id: first.id }, range: expect.stringMatching(new RegExp(`< id <= ${first.cutId}$`)) });
  });
});
