/**
 * Issue 13, item 3: registration must not tell whether a battery exists. Dry-running `produced` for another firm's
 * registered code answered `ALREADY_REGISTERED … by another enterprise` while a free code got only the manufacturer-
 * code error; `cascade_assembled` answered `cascade product … is already registered (event …)`; and the manufacturer-
 * code error named the code's holder and its enterprise id. A firm that may not see a battery now reads the same
 * reasons for a registered code and a free one.
 */
import type { Firm } from '../support/ledger-world';
import { assignManufacturerCode, at, attrs, cascadeCode, createFirm, originalCode, postEvents, vin } from '../support/ledger-world';
import type { TestApp } from '../support/test-app';
import { startTestApp } from '../support/test-app';

describe('security: registration is no existence oracle', () => {
  let t: TestApp;
  let owner: Firm;
  let prober: Firm;
  let serial = 0;
  const next = () => ++serial;

  beforeAll(async () => {
    t = await startTestApp();
    const all = ['battery_maker', 'vehicle_maker', 'dealer', 'dismantler', 'cascade_utiliser'];
    owner = await createFirm(t, 'Owner Battery Co.', all);
    prober = await createFirm(t, 'Prober Co.', all);
    for (const [code, firm] of [
      ['K01', owner],
      ['KC1', owner],
      ['P01', prober],
    ] as const)
      await assignManufacturerCode(t, firm, code);
  });
  afterAll(() => t?.close());

  /** The reasons with the code itself replaced, to compare a registered code's answer with a free one's. */
  const reasonsOf = async (firm: Firm, event: Record<string, unknown>, code: string) => {
    const body = await postEvents(t, firm, [event], { dryRun: true });
    expect(body.results[0].status).toBe('rejected');
    return JSON.stringify(body.results[0].reasons).replaceAll(code, '<code>');
  };

  it('answers produced for another firm’s registered code as for a free code of the same manufacturer code', async () => {
    const taken = originalCode('P', next(), { manufacturer: 'K01' });
    const free = originalCode('P', next(), { manufacturer: 'K01' });
    expect((await postEvents(t, owner, [{ type: 'produced', batteryCodes: [taken], occurredAt: at(0), payload: attrs }])).status).toBe('ACCEPTED');

    const produced = (code: string) => ({ type: 'produced', batteryCodes: [code], occurredAt: at(1), payload: attrs });
    const onTaken = await reasonsOf(prober, produced(taken), taken);
    const onFree = await reasonsOf(prober, produced(free), free);
    expect(onTaken).toBe(onFree);
    expect(onTaken).not.toContain('ALREADY_REGISTERED');
    // The manufacturer-code error names neither the holder nor its id.
    expect(onFree).toContain('MANUFACTURER_CODE_OF_ANOTHER_ENTERPRISE');
    expect(onFree).not.toContain(owner.id);
    expect(onFree).not.toContain(owner.name);
  });

  it('answers cascade_assembled into another firm’s registered cascade product as into a free code', async () => {
    // Each firm takes a pack of its own through a vehicle's life to a tested battery in its cascade stock.
    const toTested = async (firm: Firm, manufacturer: string) => {
      const pack = originalCode('P', next(), { manufacturer });
      const car = vin(next());
      const body = await postEvents(t, firm, [
        { type: 'produced', batteryCodes: [pack], occurredAt: at(0), payload: attrs },
        { type: 'installed', batteryCodes: [pack], occurredAt: at(1), vin: car },
        { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(2), vin: car, payload: { certificateNo: 'C-1' } },
        { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(3), vin: car, regionCode: '350102' },
        { type: 'vehicle_scrapped', batteryCodes: [pack], occurredAt: at(4), vin: car, payload: { scrapCertificateNo: 'S-1' } },
        { type: 'removed', batteryCodes: [pack], occurredAt: at(5) },
        { type: 'cascade_received', batteryCodes: [pack], occurredAt: at(6) },
        { type: 'residual_tested', batteryCodes: [pack], occurredAt: at(7), payload: { testRecordRef: 'T-1' } },
      ]);
      expect(body.results.map((r) => r.reasons ?? r.status)).toEqual(Array(8).fill('accepted'));
      return pack;
    };
    const assemble = (pack: string, product: string) => ({
      type: 'cascade_assembled',
      batteryCodes: [pack],
      occurredAt: at(8),
      payload: { cascadeCode: product, nominalCapacityAh: 100, nominalVoltageV: 48 },
    });
    const product = cascadeCode(next(), 'KC1');
    const free = cascadeCode(next(), 'KC1');
    expect((await postEvents(t, owner, [assemble(await toTested(owner, 'K01'), product)])).status).toBe('ACCEPTED');

    const mine = await toTested(prober, 'P01');
    const onTaken = await reasonsOf(prober, assemble(mine, product), product);
    const onFree = await reasonsOf(prober, assemble(mine, free), free);
    expect(onTaken).toBe(onFree);
    expect(onTaken).not.toMatch(/already registered|event [0-9a-f-]{36}/);
  });
});
