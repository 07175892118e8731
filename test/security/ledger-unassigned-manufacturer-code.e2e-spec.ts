/**
 * Issue 13, item 7: unassigned manufacturer codes could be squatted. A firm registered `Z77PB…` while Z77 was
 * assigned to nobody (201, a warning); when Z77 was later assigned to another firm, that firm got 409 and the squatter
 * stayed the producer. Now a code whose manufacturer code is not the registrant's is refused (UNASSIGNED_MANUFACTURER_CODE,
 * default reject); `warn` keeps the old behaviour for a system whose assignments are still being entered.
 */
import type { Firm } from '../support/ledger-world';
import { assignManufacturerCode, at, attrs, createFirm, originalCode, postEvents } from '../support/ledger-world';
import type { TestApp } from '../support/test-app';
import { bearer, startTestApp } from '../support/test-app';

describe('security: an unassigned manufacturer code cannot be squatted', () => {
  let t: TestApp;
  let squatter: Firm;
  let owner: Firm;

  beforeAll(async () => {
    t = await startTestApp();
    squatter = await createFirm(t, 'Squatter Co.', ['battery_maker']);
    owner = await createFirm(t, 'Z77 Owner Co.', ['battery_maker']);
  });
  afterAll(() => t?.close());

  it('refuses to register codes of a manufacturer code nobody holds, so that its holder registers them when assigned', async () => {
    const code = originalCode('P', 1, { manufacturer: 'Z77' });
    const squat = await t
      .http()
      .post('/v1/batteries')
      .set(squatter.auth)
      .send({ batteries: [{ code, ...attrs }] })
      .expect(422);
    expect(squat.body.error).toMatchObject({
      code: 'REGISTRATION_REJECTED',
      details: [expect.objectContaining({ path: 'batteries[0].code', rule: 'CODE_REGISTRATION', code: 'MANUFACTURER_CODE_UNASSIGNED' })],
    });
    const viaEvents = await postEvents(t, squatter, [{ type: 'produced', batteryCodes: [code], occurredAt: at(0), payload: attrs }]);
    expect(viaEvents.results[0]).toMatchObject({ status: 'rejected', reasons: [expect.objectContaining({ code: 'MANUFACTURER_CODE_UNASSIGNED' })] });
    expect(await t.sql('SELECT 1 FROM batteries WHERE code = $1', [code])).toHaveLength(0);

    await assignManufacturerCode(t, owner, 'Z77');
    const mine = await t
      .http()
      .post('/v1/batteries')
      .set(owner.auth)
      .send({ batteries: [{ code, ...attrs }] })
      .expect(201);
    expect(mine.body.batteries[0]).toMatchObject({ code, status: 'accepted' });
    expect((await t.http().get(`/v1/batteries/${code}`).set(owner.auth).expect(200)).body).toMatchObject({ producer: { id: owner.id } });
  });
});

describe('UNASSIGNED_MANUFACTURER_CODE=warn: registered with a warning, as before', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ unassignedManufacturerCode: 'warn' });
  });
  afterAll(() => t?.close());

  it('accepts the code with the unassigned and unfiled warnings', async () => {
    const maker = await createFirm(t, 'Early Co.', ['battery_maker']);
    const code = originalCode('P', 2, { manufacturer: 'Z78' });
    const res = await t
      .http()
      .post('/v1/batteries')
      .set(maker.auth)
      .send({ batteries: [{ code, ...attrs }] })
      .expect(201);
    expect(res.body.batteries[0].warnings.map((w: { code: string }) => w.code)).toEqual(['MANUFACTURER_CODE_UNASSIGNED', 'SPECIFICATION_CODE_UNFILED']);
    await t.http().get(`/v1/batteries/${code}`).set(bearer(maker.key)).expect(200);
  });
});
