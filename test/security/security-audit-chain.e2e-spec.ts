import { Client } from 'pg';
import type { TestApp } from '../support/test-app';
import { bearer, startTestApp } from '../support/test-app';
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

    // The mismatch is located: the range named holds the row changed. (The scheduled checkpoint, taken at start-up,
    // may cover the same rows as one of ours: the range is checked, not which checkpoint names it.)
    const within = (res: { ok: boolean; range: string; firstMismatch: { cutId: string } }, id: number) => {
      const [, from, to] = /^(\d+) < id <= (\d+)$/.exec(res.range) ?? [];
      return { ok: res.ok, holds: Number(from) < id && id <= Number(to), to: Number(to) === Number(res.firstMismatch.cutId) };
    };

    // Delete the last row the second checkpoint covers.
    const [{ id: last }] = await t.sql<{ id: number }>(`SELECT max(id)::int AS id FROM audit_log WHERE id <= ${second.cutId}`);
    await tamper(`DELETE FROM audit_log WHERE id = ${last}`);
    const deleted = (await t.http().get('/v1/audit/verify').set(admin).expect(200)).body;
    expect(within(deleted, last)).toEqual({ ok: false, holds: true, to: true });

    // Rewrite who did the address change (before the first checkpoint's cut): found there, before the deletion.
    const [{ id: updated }] = await t.sql<{ id: number }>(`SELECT id::int FROM audit_log WHERE action = 'enterprise.updated' AND entity_id = $1`, [maker.id]);
    expect(updated).toBeLessThanOrEqual(Number(first.cutId));
    await tamper(`UPDATE audit_log SET actor_kind = 'admin' WHERE id = ${updated}`);
    const edited = (await t.http().get('/v1/audit/verify').set(admin).expect(200)).body;
    expect(within(edited, updated)).toEqual({ ok: false, holds: true, to: true });
    expect(Number(edited.firstMismatch.cutId)).toBeLessThanOrEqual(Number(first.cutId));
  });
});
