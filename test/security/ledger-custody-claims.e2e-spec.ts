/**
 * Issue 13, item 2: custody without a hand-over. A battery in cascade_stock held by firm C: an unrelated recycler
 * posted `recycler_received` naming C as the sender and was accepted, then `recycled` (terminal), and C's next event
 * was refused. A dry run was a holder oracle: a wrong guess got the concealed "not registered" answer, the right
 * guess `accepted`. Now such a receipt is a custody claim that C confirms or disputes; nothing changes until C
 * confirms, and every guess gets the same answer.
 */
import type { Firm } from '../support/ledger-world';
import { assignManufacturerCode, at, attrs, createFirm, originalCode, postEvents, vin } from '../support/ledger-world';
import type { TestApp } from '../support/test-app';
import { bearer, startTestApp } from '../support/test-app';

describe('security: custody is taken only against a hand-over or a confirmed claim', () => {
  let t: TestApp;
  let holder: Firm;
  let recycler: Firm;
  let bystander: Firm;
  let dismantler: Firm;
  let regulatorKey: string;
  let serial = 0;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp();
    holder = await createFirm(t, 'Cascade Holder Co.', ['battery_maker', 'vehicle_maker', 'dealer', 'dismantler', 'cascade_utiliser']);
    recycler = await createFirm(t, 'Intruding Recycler Co.', ['recycler']);
    bystander = await createFirm(t, 'Bystander Co.', ['recycler', 'dealer']);
    dismantler = await createFirm(t, 'Dismantler Co.', ['dismantler']);
    await assignManufacturerCode(t, holder, 'H01');
    const regulator = await t.http().post('/v1/regulators').set(bearer(t.adminKey)).send({ name: '福建省工信厅', regionPrefix: '35' }).expect(201);
    regulatorKey = (await t.http().post(`/v1/regulators/${regulator.body.id}/api-keys`).set(bearer(t.adminKey)).send({ name: 'r' }).expect(201)).body.key;
  });
  afterAll(() => t?.close());

  /** A pack of the holder's, through a vehicle's life and a dismantler, received into its cascade stock. */
  const packInCascadeStock = async () => {
    const pack = originalCode('P', next(), { manufacturer: 'H01' });
    const car = vin(next());
    const body = await postEvents(t, holder, [
      { type: 'produced', batteryCodes: [pack], occurredAt: at(0), payload: attrs },
      { type: 'installed', batteryCodes: [pack], occurredAt: at(1), vin: car },
      { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(2), vin: car, payload: { certificateNo: 'C-1' } },
      { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(3), vin: car, regionCode: '350102' },
    ]);
    expect(body.status).toBe('ACCEPTED');
    const removed = await postEvents(t, dismantler, [
      { type: 'vehicle_scrapped', batteryCodes: [pack], occurredAt: at(4), vin: car, payload: { scrapCertificateNo: 'S-1' } },
      { type: 'removed', batteryCodes: [pack], occurredAt: at(5), counterpartyUscc: holder.uscc },
    ]);
    expect(removed.status).toBe('ACCEPTED');
    expect((await postEvents(t, holder, [{ type: 'cascade_received', batteryCodes: [pack], occurredAt: at(6) }])).status).toBe('ACCEPTED');
    return pack;
  };
  const state = async (pack: string) => (await t.http().get(`/v1/batteries/${pack}`).set(holder.auth).expect(200)).body;
  const receipt = (pack: string, sender: Firm, hour = 7) => ({
    type: 'recycler_received',
    batteryCodes: [pack],
    occurredAt: at(hour),
    counterpartyUscc: sender.uscc,
  });

  it('gives a firm that cannot see the battery the same answer for the right and a wrong guess of its holder, and for no battery (dry run)', async () => {
    const pack = await packInCascadeStock();
    const unregistered = originalCode('P', next(), { manufacturer: 'H01' });
    const answer = async (code: string, sender: Firm) => {
      const body = await postEvents(t, recycler, [receipt(code, sender)], { dryRun: true });
      return JSON.stringify({ status: body.status, result: body.results[0] })
        .replaceAll(code, '<code>')
        .replaceAll(sender.uscc, '<uscc>')
        .replaceAll(sender.name, '<name>');
    };
    const right = await answer(pack, holder);
    expect(right).toBe(await answer(pack, bystander));
    expect(right).toBe(await answer(unregistered, holder));
    expect(right).toContain('CUSTODY_CLAIM');
  });

  it('keeps custody with the holder while a receiver-only receipt is a claim; the claimant cannot recycle it; the holder goes on', async () => {
    const pack = await packInCascadeStock();
    const claimed = await postEvents(t, recycler, [receipt(pack, holder)]);
    expect(claimed.results[0]).toMatchObject({
      status: 'accepted',
      claimId: expect.any(String),
      warnings: [expect.objectContaining({ rule: 'CUSTODY_CLAIM' })],
    });
    expect(claimed.results[0].eventId).toBeUndefined();
    expect(await state(pack)).toMatchObject({ status: 'cascade_stock', holder: { id: holder.id } });

    const recycled = await postEvents(t, recycler, [{ type: 'recycled', batteryCodes: [pack], occurredAt: at(8), payload: { processedMassKg: 300 } }]);
    expect(recycled.results[0]).toMatchObject({ status: 'rejected', reasons: [expect.objectContaining({ rule: 'UNKNOWN_BATTERY' })] });
    const tested = await postEvents(t, holder, [{ type: 'residual_tested', batteryCodes: [pack], occurredAt: at(9), payload: { testRecordRef: 'T-1' } }]);
    expect(tested.results[0].status).toBe('accepted');
    await t.http().get(`/v1/batteries/${pack}`).set(recycler.auth).expect(404);
  });

  it('shows a claim to its claimant, its sender and regulators only; only the sender decides, once', async () => {
    const pack = await packInCascadeStock();
    const claimId = (await postEvents(t, recycler, [receipt(pack, holder)])).results[0].claimId!;
    for (const [who, auth] of [
      ['holder', holder.auth],
      ['recycler', recycler.auth],
      ['regulator', bearer(regulatorKey)],
    ] as const) {
      const listed = await t.http().get('/v1/custody-claims?status=pending').set(auth).expect(200);
      expect({ who, ids: listed.body.items.map((c: { id: string }) => c.id) }).toEqual({ who, ids: expect.arrayContaining([claimId]) });
    }
    const own = await t.http().get(`/v1/custody-claims/${claimId}`).set(holder.auth).expect(200);
    expect(own.body).toMatchObject({ status: 'pending', batteryCodes: [pack], claimant: { id: recycler.id }, sender: { id: holder.id } });
    expect((await t.http().get('/v1/custody-claims').set(bystander.auth).expect(200)).body.items).toEqual([]);
    await t.http().get(`/v1/custody-claims/${claimId}`).set(bystander.auth).expect(404);
    await t.http().post(`/v1/custody-claims/${claimId}/confirm`).set(bystander.auth).expect(404);
    const byClaimant = await t.http().post(`/v1/custody-claims/${claimId}/confirm`).set(recycler.auth).expect(403);
    expect(byClaimant.body.error.code).toBe('NOT_THE_SENDER');

    const disputed = await t.http().post(`/v1/custody-claims/${claimId}/dispute`).set(holder.auth).send({ reason: '未移交' }).expect(200);
    expect(disputed.body).toMatchObject({ status: 'disputed', disputeReason: '未移交', eventId: null });
    expect((await t.http().get(`/v1/custody-claims/${claimId}`).set(recycler.auth).expect(200)).body).toMatchObject({
      status: 'disputed',
      disputeReason: '未移交',
    });
    const again = await t.http().post(`/v1/custody-claims/${claimId}/confirm`).set(holder.auth).expect(409);
    expect(again.body.error.code).toBe('CLAIM_DECIDED');
    expect(await state(pack)).toMatchObject({ status: 'cascade_stock', holder: { id: holder.id } });
    const audit = await t.sql<{ action: string }>(`SELECT action FROM audit_log WHERE entity_type = 'custody_claim' AND entity_id = $1 ORDER BY id`, [claimId]);
    expect(audit.map((a) => a.action)).toEqual(['custody.claims_made', 'custody.claim_disputed']);
  });

  it('makes an uploaded receiver-only receipt a claim too, and the upload completes', async () => {
    const pack = await packInCascadeStock();
    const csv = `type,batteryCodes,occurredAt,counterpartyUscc\r\nrecycler_received,${pack},${at(7)},${holder.uscc}\r\n`;
    const created = await t
      .http()
      .post('/v1/uploads')
      .set(recycler.auth)
      .attach('file', Buffer.from(csv), { filename: 'receipts.csv', contentType: 'text/csv' })
      .expect(202);
    let upload: { status: string; accepted: number; rejected: number } = { status: 'queued', accepted: 0, rejected: 0 };
    for (const until = Date.now() + 60_000; upload.status !== 'completed' && upload.status !== 'failed' && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await t.http().get(`/v1/uploads/${created.body.id}`).set(recycler.auth).expect(200);
      upload = { status: res.body.status, accepted: res.body.counts?.accepted ?? res.body.accepted, rejected: res.body.counts?.rejected ?? res.body.rejected };
    }
    expect(upload).toEqual({ status: 'completed', accepted: 1, rejected: 0 });
    expect(await state(pack)).toMatchObject({ status: 'cascade_stock', holder: { id: holder.id } });
    const pending = await t.http().get('/v1/custody-claims?role=sender&status=pending').set(holder.auth).expect(200);
    expect(pending.body.items.map((c: { batteryCodes: string[] }) => c.batteryCodes)).toContainEqual([pack]);
  });

  it('applies a confirmed claim through the ledger: the receipt is in the hash chain, as uploaded when claimed', async () => {
    const pack = await packInCascadeStock();
    const claimId = (await postEvents(t, recycler, [receipt(pack, holder)])).results[0].claimId!;
    const confirmed = await t.http().post(`/v1/custody-claims/${claimId}/confirm`).set(holder.auth).expect(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', eventId: expect.any(String) });
    expect(await state(pack)).toMatchObject({ status: 'at_recycler', holder: { id: recycler.id }, lastEvent: { type: 'recycler_received' } });
    const [row] = await t.sql<{ reporter_enterprise_id: string; same_time: boolean }>(
      `SELECT e.reporter_enterprise_id, e.uploaded_at = c.claimed_at AS same_time FROM lifecycle_events e, custody_claims c WHERE e.id = $1 AND c.id = $2`,
      [confirmed.body.eventId, claimId],
    );
    expect(row).toEqual({ reporter_enterprise_id: recycler.id, same_time: true });
    expect((await t.http().get(`/v1/batteries/${pack}/verify`).set(recycler.auth).expect(200)).body).toMatchObject({ ok: true, length: 8, firstBroken: null });
    const recycled = await postEvents(t, recycler, [{ type: 'recycled', batteryCodes: [pack], occurredAt: at(8), payload: { processedMassKg: 300 } }]);
    expect(recycled.results[0].status).toBe('accepted');
  });
});
