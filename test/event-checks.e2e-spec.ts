import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { EventCheck, EventCheckContext, EventCheckFinding, EventCheckInput, EventChecks, LifecycleModule } from '#libs/lifecycle';
import { startTestApp, TestApp } from './support/test-app';
import { at, attrs, createFirm, Firm, originalCode, postEvents } from './support/ledger-world';

/**
 * The ledger's hook for other contexts' rules: a check registered by another module sees the batch's events in
 * the ingest transaction and refuses or flags them. This test's check refuses events whose client event id starts
 * with `refuse-` and flags those starting with `flag-`; it also records what it was given.
 */
const calls: { inputs: EventCheckInput[]; dryRun: boolean; knownBefore: string[] }[] = [];

const check: EventCheck = {
  name: 'test-check',
  async check(events: readonly EventCheckInput[], context: EventCheckContext): Promise<EventCheckFinding[]> {
    // A check reads through the ingest transaction.
    const [{ one }] = await context.db.query<{ one: number }[]>('SELECT 1 AS one');
    calls.push({ inputs: [...events], dryRun: context.dryRun, knownBefore: [...context.states.keys()] });
    return events.flatMap((e): EventCheckFinding[] => {
      const id = e.clientEventId ?? '';
      if (id.startsWith('refuse-'))
        return [{ index: e.index, severity: 'reject', rule: 'TEST_REFUSED', reason: `refused by the test check (${one})`, hint: id }];
      if (id.startsWith('flag-'))
        return [{ index: e.index, severity: 'warn', rule: 'TEST_FLAGGED', path: `${e.path}.batteryCodes`, reason: 'flagged by the test check' }];
      return [];
    });
  },
};

@Injectable()
class RegistersCheck implements OnModuleInit {
  constructor(private readonly checks: EventChecks) {}
  onModuleInit(): void {
    this.checks.register(check);
  }
}

@Module({ imports: [LifecycleModule], providers: [RegistersCheck] })
class TestChecksModule {}

describe('ledger event checks hook (real PostgreSQL)', () => {
  let t: TestApp;
  let maker: Firm;
  let serial = 0;
  const produced = (hint?: string) => ({
    type: 'produced',
    batteryCodes: [originalCode('P', ++serial)],
    occurredAt: at(0),
    clientEventId: hint ?? `ok-${serial}`,
    payload: attrs,
  });

  beforeAll(async () => {
    t = await startTestApp({}, { imports: [TestChecksModule] });
    maker = await createFirm(t, '宁德电池', ['battery_maker'], '350102', ['001']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const recorded = async (clientIds: string[]) =>
    (await t.sql<{ client_event_id: string }>('SELECT client_event_id FROM lifecycle_events WHERE client_event_id = ANY($1)', [clientIds]))
      .map((r) => r.client_event_id)
      .sort();

  it('refuses an event with the check’s rule and records the others; a flagged event is recorded with the warning', async () => {
    calls.length = 0;
    const events = [produced(), produced('refuse-1'), produced('flag-1')];
    const body = await postEvents(t, maker, events);
    expect(body.status).toBe('PARTIALLY_ACCEPTED');
    expect(body.results[0]).toMatchObject({ status: 'accepted' });
    expect(body.results[1]).toMatchObject({
      status: 'rejected',
      reasons: [{ rule: 'TEST_REFUSED', path: 'events[1]', reason: 'refused by the test check (1)', hint: 'refuse-1' }],
    });
    expect(body.results[2].status).toBe('accepted');
    // After the ledger's own warnings (here: the unfiled specification code).
    expect(body.results[2].warnings?.at(-1)).toEqual({ rule: 'TEST_FLAGGED', path: 'events[2].batteryCodes', reason: 'flagged by the test check' });
    expect(await recorded(events.map((e) => e.clientEventId))).toEqual([events[0].clientEventId, 'flag-1'].sort());
    expect(calls).toHaveLength(1);
    expect(calls[0].dryRun).toBe(false);
    expect(calls[0].inputs.map((i) => [i.index, i.type, i.reporter.id, i.batteryCodes[0]])).toEqual(
      events.map((e, i) => [i, 'produced', maker.id, e.batteryCodes[0]]),
    );
  });

  it('in an atomic batch a refusal keeps every event out', async () => {
    const events = [produced(), produced('refuse-2')];
    const body = await postEvents(t, maker, events, { mode: 'atomic' });
    expect(body.status).toBe('REJECTED');
    expect(body.results.map((r) => r.reasons?.[0]?.rule)).toEqual(['ATOMIC', 'TEST_REFUSED']);
    expect(await recorded(events.map((e) => e.clientEventId))).toEqual([]);
  });

  it('runs on dry runs too, and gives the same answer without writing', async () => {
    calls.length = 0;
    const events = [produced('refuse-3')];
    const body = await postEvents(t, maker, events, { dryRun: true });
    expect(body.results[0]).toMatchObject({ status: 'rejected', reasons: [{ rule: 'TEST_REFUSED' }] });
    expect(calls.map((c) => c.dryRun)).toEqual([true]);
    expect(await recorded(['refuse-3'])).toEqual([]);
  });

  it('is not asked about events that are malformed, and sees the state of registered batteries', async () => {
    const first = produced();
    await postEvents(t, maker, [first]);
    calls.length = 0;
    const body = await postEvents(t, maker, [
      { type: 'produced', batteryCodes: ['nonsense'], occurredAt: at(0), payload: attrs },
      { ...first, clientEventId: 'again' },
    ]);
    expect(body.results[0].status).toBe('rejected');
    expect(calls).toHaveLength(1);
    expect(calls[0].inputs.map((i) => i.index)).toEqual([1]);
    expect(calls[0].knownBefore).toContain(first.batteryCodes[0]);
  });
});
