import { at, createFirm, type Firm, producePack, regulatorKey } from '../support/ledger-world';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * Issue 13, item 5: a firm moved itself out of its regulator's sight by patching its own regionCode (350102 →
 * 650102); its record, uploads and later batteries vanished from the Fujian regulator's view. The registered
 * region is now an administrator's field, and visibility keeps the region history.
 */
describe("security: a firm cannot move itself out of its regulator's sight", () => {
  let t: TestApp;
  let firm: Firm;
  let fujian: string;
  let xinjiang: string;
  let serial = 0;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp();
    firm = await createFirm(t, '福州电池', ['battery_maker'], '350102', ['001']);
    fujian = await regulatorKey(t, '35');
    xinjiang = await regulatorKey(t, '65');
  });
  afterAll(() => t?.close());

  it("refuses an enterprise key's change of its own regionCode, and changes nothing", async () => {
    const res = await t.http().patch(`/v1/enterprises/${firm.id}`).set(firm.auth).send({ regionCode: '650102' }).expect(403);
    expect(res.body.error.code).toBe('FIELD_NOT_EDITABLE');
    expect((await t.http().get(`/v1/enterprises/${firm.id}`).set(bearer(fujian)).expect(200)).body.regionCode).toBe('350102');
    await t.http().get(`/v1/enterprises/${firm.id}`).set(bearer(xinjiang)).expect(404);
  });

  it('accepts only GB/T 2260 codes of the dataset as a registered region, on create and update', async () => {
    const admin = bearer(t.adminKey);
    for (const regionCode of ['990000', '350199', '35010']) {
      const res = await t.http().patch(`/v1/enterprises/${firm.id}`).set(admin).send({ regionCode }).expect(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'regionCode', reason: expect.stringContaining(regionCode) })]);
    }
    await t
      .http()
      .post('/v1/enterprises')
      .set(admin)
      .send({ name: 'X', uscc: '91350100M000100Y43', roles: ['dealer'], regionCode: '990000' })
      .expect(422);
    expect((await t.http().get(`/v1/enterprises/${firm.id}`).set(admin).expect(200)).body.regionCode).toBe('350102');
  });

  it('keeps what the firm did in Fujian visible to Fujian after an administrator moves it', async () => {
    const { pack } = await producePack(t, firm, next);
    const csv = `type,batteryCodes,occurredAt,payload.nominalCapacityAh,payload.nominalVoltageV\r\nrepaired,${pack},${at(1)},,\r\n`;
    const upload = await t.http().post('/v1/uploads').set(firm.auth).set('Content-Type', 'text/csv').send(csv);
    expect([201, 202]).toContain(upload.status);

    await t.http().patch(`/v1/enterprises/${firm.id}`).set(bearer(t.adminKey)).send({ regionCode: '650102' }).expect(200);
    const history = await t.sql<{ region_code: string; valid_to: Date | null }>(
      'SELECT region_code, valid_to FROM enterprise_regions WHERE enterprise_id = $1 ORDER BY valid_from',
      [firm.id],
    );
    expect(history.map((h) => [h.region_code, h.valid_to === null])).toEqual([
      ['350102', false],
      ['650102', true],
    ]);

    // Its record, its uploads and the batteries it registered there: still Fujian's (and now Xinjiang's for the record).
    await t.http().get(`/v1/enterprises/${firm.id}`).set(bearer(fujian)).expect(200);
    await t.http().get(`/v1/enterprises/${firm.id}`).set(bearer(xinjiang)).expect(200);
    expect((await t.http().get('/v1/enterprises').set(bearer(fujian)).expect(200)).body.items.map((e: { id: string }) => e.id)).toContain(firm.id);
    await t.http().get(`/v1/uploads/${upload.body.id}`).set(bearer(fujian)).expect(200);
    expect((await t.http().get('/v1/uploads').set(bearer(fujian)).expect(200)).body.items.map((u: { id: string }) => u.id)).toContain(upload.body.id);
    await t.http().get(`/v1/batteries/${pack}`).set(bearer(fujian)).expect(200);
    // Its events reported while it was in Fujian stay Fujian's; those reported after the move are Xinjiang's.
    const later = await producePack(t, firm, next, 2);
    const codesSeen = async (key: string) =>
      new Set(
        (await t.http().get(`/v1/events?reporter=${firm.id}&limit=100`).set(bearer(key)).expect(200)).body.items.flatMap(
          (e: { batteryCodes: string[] }) => e.batteryCodes,
        ),
      );
    const fj = await codesSeen(fujian);
    expect(fj.has(pack)).toBe(true);
    expect(fj.has(later.pack)).toBe(false);
    const xj = await codesSeen(xinjiang);
    expect(xj.has(later.pack)).toBe(true);
    expect(xj.has(pack)).toBe(false);
    await t.http().get(`/v1/batteries/${later.pack}`).set(bearer(xinjiang)).expect(200);
  });
});
