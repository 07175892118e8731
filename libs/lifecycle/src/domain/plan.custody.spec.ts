/**
 * The planner and issue 13: custody taken only against a hand-over (a receipt reported by the receiver alone is a
 * claim on the sender it names), and registrations that tell a firm nothing of batteries it may not see.
 */
import type { BatteryState } from './battery-state';
import { concealUnseen, revealedCodes } from './conceal';
import type { CodeFindings, KnownEnterprise } from './plan';
import { planBatch, resolveCandidates } from './plan';
import { batteryState, codeFactory, DEALER, FIRMS, firm, MAKER, NOW, OTHER, planner, reasons, RECYCLER, T, VM } from './plan.fixtures';
import { prevalidate } from './prevalidate';
import { LedgerRule } from './rules';

const { code, cascadeCode } = codeFactory({ productionDate: '2026-01-15', cascadeProductionDate: '2026-02-01', cascadeLevel: 'M' });
const state = (c: string, over: Partial<BatteryState> = {}) => batteryState(c, { producerId: MAKER.id, holderId: MAKER.id, ...over });
const run = planner(FIRMS);

describe('custody claims and registration concealment (issue 13)', () => {
  it('a receipt reported only by the receiver is a custody claim on the sender it names, answered alike whoever holds the battery (issue 13)', () => {
    const pack = code('P');
    const atOutlet = () => state(pack, { status: 'at_outlet', holderId: VM.id, lastEventType: 'outlet_received' });
    const unnamed = run(RECYCLER, [{ type: 'recycler_received', batteryCodes: [pack], occurredAt: T(3) }], [atOutlet()]);
    expect(reasons(unnamed)[0]).toMatchObject({
      rule: LedgerRule.CUSTODY,
      path: 'events[0].counterpartyUscc',
      reason: expect.stringContaining('name the sender as counterpartyUscc'),
    });
    // The right guess of the holder, a wrong one, and a battery not registered: the same answer, and nothing changes.
    const answer = (plan: ReturnType<typeof run>, named: KnownEnterprise) => {
      expect(plan.results[0]).toMatchObject({ status: 'accepted', claimId: expect.any(String) });
      expect(plan.events).toEqual([]);
      expect(plan.claims).toEqual([expect.objectContaining({ index: 0, senderId: named.id })]);
      return JSON.stringify({ ...plan.results[0], claimId: undefined })
        .replaceAll(named.uscc, 'U')
        .replaceAll(named.name, 'N');
    };
    const s = atOutlet();
    const right = run(RECYCLER, [{ type: 'recycler_received', batteryCodes: [pack], occurredAt: T(3), counterpartyUscc: VM.uscc }], [s]);
    const wrong = run(RECYCLER, [{ type: 'recycler_received', batteryCodes: [pack], occurredAt: T(3), counterpartyUscc: DEALER.uscc }], [atOutlet()]);
    const missing = run(RECYCLER, [{ type: 'recycler_received', batteryCodes: [pack], occurredAt: T(3), counterpartyUscc: VM.uscc }], []);
    expect(answer(right, VM)).toBe(answer(wrong, DEALER));
    expect(answer(right, VM)).toBe(answer(missing, VM));
    expect(right.results[0].warnings).toEqual([expect.objectContaining({ rule: LedgerRule.CUSTODY_CLAIM })]);
    expect(s).toMatchObject({ status: 'at_outlet', holderId: VM.id, changed: false });
    expect(
      run(RECYCLER, [{ type: 'recycler_received', batteryCodes: [pack], occurredAt: T(3), counterpartyUscc: RECYCLER.uscc }], [atOutlet()]).results[0].status,
    ).toBe('rejected');

    // Confirmed by the holder it names, the receipt is checked as a hand-over and takes custody.
    const confirm = (states: BatteryState[], sender: KnownEnterprise) => {
      const pre = [prevalidate({ type: 'recycler_received', batteryCodes: [pack], occurredAt: T(3), counterpartyUscc: sender.uscc }, 0, 'events[0]', NOW)];
      const map = new Map(states.map((x) => [x.code, x]));
      return planBatch({
        reporter: RECYCLER,
        items: resolveCandidates(pre, RECYCLER, new Map(FIRMS.map((f) => [f.uscc, f]))),
        states: map,
        enterprises: new Map(FIRMS.map((f) => [f.id, f])),
        priorByClientId: new Map(),
        priorByHash: new Map(),
        corrections: new Map(),
        codeFindings: new Map(),
        mode: 'atomic',
        newId: () => 'confirmed',
        pathOf: (i) => `events[${i}]`,
        confirmedSender: sender.id,
      });
    };
    const held = atOutlet();
    expect(confirm([held], VM).results[0]).toMatchObject({ status: 'accepted', eventId: 'confirmed' });
    expect(held).toMatchObject({ status: 'at_recycler', holderId: RECYCLER.id });
    // A sender that does not hold it cannot confirm it into custody.
    expect(reasons(confirm([atOutlet()], DEALER))[0]).toMatchObject({ rule: LedgerRule.CUSTODY });
    const handedToOther = state(pack, { status: 'in_transit', holderId: VM.id, pendingTo: OTHER.id });
    expect(reasons(confirm([handedToOther], VM))[0]).toMatchObject({
      rule: LedgerRule.CUSTODY,
      reason: `battery ${pack} is being handed over to firm 6 (${OTHER.uscc}): only that enterprise may receive it`,
    });
  });

  it('tells a firm that may not see it nothing of a registered battery whose code it may not register anyway (issue 13)', () => {
    const otherMaker = firm(14, ['battery_maker', 'cascade_utiliser']);
    const [taken, free] = [code('P'), code('P')];
    const notYours = (c: string): [string, CodeFindings] => [
      c,
      {
        errors: [
          { path: 'code', code: 'MANUFACTURER_CODE_OF_ANOTHER_ENTERPRISE', reason: 'manufacturer code 001 (positions 1-3) is assigned to another enterprise' },
        ],
        warnings: [],
      },
    ];
    const attrs = { nominalCapacityAh: 150, nominalVoltageV: 350 };
    const findings = new Map<string, CodeFindings>([notYours(taken), notYours(free)]);
    const onTaken = run(otherMaker, [{ type: 'produced', batteryCodes: [taken], occurredAt: T(9), payload: attrs }], [state(taken)], {
      codeFindings: findings,
    });
    const onFree = run(otherMaker, [{ type: 'produced', batteryCodes: [free], occurredAt: T(9), payload: attrs }], [], { codeFindings: findings });
    expect(reasons(onTaken).map((d) => d.rule)).toEqual([LedgerRule.ALREADY_REGISTERED, LedgerRule.CODE_REGISTRATION]);
    expect(revealedCodes(onTaken.results)).toEqual(new Set([taken]));
    concealUnseen(onTaken.results, new Set([taken]));
    expect(reasons(onTaken).length).toBeGreaterThan(0);
    expect(JSON.stringify(reasons(onTaken)).replaceAll(taken, 'X')).toBe(JSON.stringify(reasons(onFree)).replaceAll(free, 'X'));

    // A cascade product registered by another firm: the same.
    const module = code('M');
    const [product, freeProduct] = [cascadeCode(), cascadeCode()];
    const tested = () => state(module, { status: 'tested', holderId: otherMaker.id, lastEventType: 'residual_tested' });
    const assemble = (p: string) => ({
      type: 'cascade_assembled',
      batteryCodes: [module],
      occurredAt: T(9),
      payload: { cascadeCode: p, nominalCapacityAh: 1, nominalVoltageV: 1 },
    });
    const cascadeFindings = new Map<string, CodeFindings>([notYours(product), notYours(freeProduct)]);
    const onProduct = run(otherMaker, [assemble(product)], [tested(), state(product, { producerId: VM.id, status: 'cascade_stock', holderId: VM.id })], {
      codeFindings: cascadeFindings,
    });
    const onFreeProduct = run(otherMaker, [assemble(freeProduct)], [tested()], { codeFindings: cascadeFindings });
    expect(reasons(onProduct).map((d) => d.rule)).toEqual([LedgerRule.ALREADY_REGISTERED, LedgerRule.CODE_REGISTRATION]);
    expect(reasons(onProduct)[0].reason).not.toContain('event');
    concealUnseen(onProduct.results, revealedCodes(onProduct.results));
    expect(JSON.stringify(reasons(onProduct)).replaceAll(product, 'X')).toBe(JSON.stringify(reasons(onFreeProduct)).replaceAll(freeProduct, 'X'));
  });
});
