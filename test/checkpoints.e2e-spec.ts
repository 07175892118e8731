import type { Firm } from './support/ledger-world';
import { accept, attrs, at, createFirm, originalCode, postEvents } from './support/ledger-world';
import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';

describe('ledger checkpoints (Merkle root over all chain heads)', () => {
  let t: TestApp;
  let maker: Firm;
  let vm: Firm;
  let serial = 900_000;
  beforeAll(async () => {
    t = await startTestApp();
    maker = await createFirm(t, '电池厂', ['battery_maker'], '350102', ['001']);
    vm = await createFirm(t, '整车厂', ['vehicle_maker']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const admin = () => bearer(t.adminKey);
  const verify = async () => (await t.http().get('/v1/ledger/verify').set(admin()).expect(200)).body;

  async function packs(n: number): Promise<string[]> {
    const codes = Array.from({ length: n }, () => originalCode('P', serial++));
    const body = await postEvents(
      t,
      maker,
      codes.map((code) => ({ type: 'produced', batteryCodes: [code], occurredAt: at(0), payload: attrs })),
    );
    expect(body.status).toBe('ACCEPTED');
    return codes;
  }

  it('the schedule takes a first checkpoint at start-up, through the queue and its worker', async () => {
    const deadline = Date.now() + 15_000;
    let items: { id: string; batteryCount: number }[] = [];
    while (items.length === 0 && Date.now() < deadline) {
      items = (await t.http().get('/v1/ledger/checkpoints').set(admin()).expect(200)).body.items;
      if (items.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(items[items.length - 1]).toMatchObject({ batteryCount: 0 });
    expect(await verify()).toMatchObject({ ok: true, mismatches: [] });
  });

  it('takes a checkpoint that the untouched ledger matches, also after later appends', async () => {
    const codes = await packs(5);
    await accept(t, maker, { type: 'delivered', batteryCodes: [codes[0]], occurredAt: at(1), counterpartyUscc: vm.uscc });
    const cp = (await t.http().post('/v1/ledger/checkpoints').set(admin()).expect(201)).body;
    const heads = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM batteries');
    const links = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM battery_event_chain');
    expect(cp).toMatchObject({ batteryCount: heads[0].n, linkCount: links[0].n, algorithm: 'rfc6962-sha256/chain-heads-v1' });
    expect(cp.root).toMatch(/^[0-9a-f]{64}$/);

    await packs(3); // appended after the cut: not covered, and no reason for alarm
    const result = await verify();
    expect(result).toMatchObject({ ok: true, checkpoint: { id: cp.id }, mismatches: [] });
    expect(result.recomputed.root).toBe(cp.root);

    const list = await t.http().get('/v1/ledger/checkpoints').set(admin()).expect(200);
    expect(list.body.items[0]).toMatchObject({ id: cp.id, root: cp.root });
    // A cursor holding what this API never writes there is a 422, not a failed cast.
    for (const forged of [{ id: 'x' }, { id: 1.5 }, { id: '9'.repeat(30) }]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      expect((await t.http().get(`/v1/ledger/checkpoints?cursor=${cursor}`).set(admin()).expect(422)).body.error.code).toBe('INVALID_CURSOR');
    }
  });

  it('detects a whole chain deleted, and says which manufacturer code it was under', async () => {
    const [victim] = await packs(2);
    const cp = (await t.http().post('/v1/ledger/checkpoints').set(admin()).expect(201)).body;
    // An insider with database access removes every trace of one battery (bypassing the append-only triggers).
    await t.sql(`SET session_replication_role = replica;
      DELETE FROM lifecycle_events WHERE id IN (SELECT event_id FROM battery_event_chain WHERE battery_code = '${victim}');
      DELETE FROM battery_event_chain WHERE battery_code = '${victim}';
      DELETE FROM battery_parties WHERE battery_code = '${victim}';
      DELETE FROM batteries WHERE code = '${victim}';`);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.recomputed.batteryCount).toBe(cp.batteryCount - 1);
    expect(result.mismatches).toEqual([expect.objectContaining({ bucket: victim.slice(0, 3) })]);
    expect(result.message).toMatch(new RegExp(`no longer matches checkpoint ${cp.id}`));
  });

  it('detects a link removed from the middle of a chain (the head is unchanged, the count is not)', async () => {
    const [code] = await packs(1);
    await accept(t, maker, { type: 'delivered', batteryCodes: [code], occurredAt: at(1), counterpartyUscc: vm.uscc });
    await t.http().post('/v1/ledger/checkpoints').set(admin()).expect(201);
    await t.sql(`SET session_replication_role = replica; DELETE FROM battery_event_chain WHERE battery_code = '${code}' AND seq = 1;`);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/links then/);
  });

  it('is for administrators and regulators only', async () => {
    await t.http().get('/v1/ledger/verify').set(maker.auth).expect(403);
    await t.http().post('/v1/ledger/checkpoints').set(maker.auth).expect(403);
    await t.http().get('/v1/ledger/checkpoints').expect(401);
  });
});
