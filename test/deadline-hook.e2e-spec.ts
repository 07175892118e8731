import type { DeadlineAssessor, DeadlineInput } from '#libs/lifecycle';
import { DEADLINE_ASSESSOR } from '#libs/lifecycle';
import type { TestApp } from './support/test-app';
import { startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { at, attrs, createFirm, originalCode, postEvents } from './support/ledger-world';

/**
 * The ledger's hook for upload deadlines (filled by the compliance issue): whatever an assessor returns is
 * stored with each event in the batch's own write. The assessor here is the test's: a deadline 5 days after
 * the business time, and none for an event whose payload asks for none.
 */
const seen: DeadlineInput[][] = [];
const FIVE_DAYS = 5 * 86_400_000;
const assessor: DeadlineAssessor = {
  assess(events) {
    seen.push([...events]);
    return events.map((e) => ({
      ruleSet: `test:${e.ledgerRuleSet}`,
      dueAt: new Date(e.occurredAt.getTime() + FIVE_DAYS),
      onTime: e.uploadedAt.getTime() <= e.occurredAt.getTime() + FIVE_DAYS,
    }));
  },
};

describe('upload deadline hook (real PostgreSQL)', () => {
  let t: TestApp;
  let maker: Firm;

  beforeAll(async () => {
    t = await startTestApp({}, { replace: [{ provide: DEADLINE_ASSESSOR, useValue: assessor }] });
    maker = await createFirm(t, '宁德电池', ['battery_maker'], '350102', ['001']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores each event’s assessment (rule set, due time, on time) with the event, asking once per batch', async () => {
    const late = originalCode('P', 1);
    const recent = originalCode('P', 2);
    const recentAt = new Date(Date.now() - 86_400_000).toISOString();
    const body = await postEvents(t, maker, [
      { type: 'produced', batteryCodes: [late], occurredAt: at(0), payload: attrs },
      { type: 'produced', batteryCodes: [recent], occurredAt: recentAt, payload: attrs },
    ]);
    expect(body.status).toBe('ACCEPTED');
    const ids = body.results.map((r) => r.eventId!);
    expect(seen).toHaveLength(1);
    expect(seen[0].map((e) => e.eventId)).toEqual(ids);

    const rows = await t.sql<{ id: string; rule_set: string | null; due_at: Date | null; on_time: boolean | null; occurred_at: Date; uploaded_at: Date }>(
      'SELECT id, rule_set, due_at, on_time, occurred_at, uploaded_at FROM lifecycle_events WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    seen[0].forEach((input, i) => {
      const row = byId.get(input.eventId)!;
      expect(row.rule_set).toBe(`test:${input.ledgerRuleSet}`);
      // The stored upload time is the one the deadline was judged against.
      expect(row.uploaded_at.getTime()).toBe(input.uploadedAt.getTime());
      expect(row.due_at!.getTime()).toBe(row.occurred_at.getTime() + FIVE_DAYS);
      // The first event happened long ago (uploaded late), the second yesterday.
      expect(row.on_time).toBe(i === 1);
    });
  });
});
