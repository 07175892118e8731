import { WorkingCalendar } from '#libs/calendar';
import { DeadlineEngine } from './assess';
import { CN_2018, CN_2026, DEADLINE_RULE_SETS, ruleSetsVersion } from './deadline-rules';
import type { TimelineEvent } from './expectations';
import { expectationsOf } from './expectations';

const engine = new DeadlineEngine(WorkingCalendar.withPackageData());
const bj = (date: string, time = '10:00:00') => new Date(`${date}T${time}+08:00`);
const endOf = (date: string) => bj(date, '23:59:59.999').toISOString();
const ledgerSet = (date: string) => (date < '2026-04-01' ? 'cn-2018' : 'cn-2026');
const judge = (type: string, occurred: string, uploaded: Date) =>
  engine.judge({ type, occurredAt: bj(occurred), uploadedAt: uploaded, ledgerRuleSet: ledgerSet(occurred) });

describe('deadline rule sets (data)', () => {
  it('ships cn-2018 in working days (15 or 30) and cn-2026 with only the known 30 calendar days', () => {
    for (const r of Object.values(CN_2018.rules)) expect([r.unit, [15, 30].includes(r.amount)]).toEqual(['working_days', true]);
    expect(Object.keys(CN_2026.rules).sort()).toEqual(['cascade_received', 'cascade_shipped', 'recycler_received']);
    for (const r of Object.values(CN_2026.rules)) expect([r.unit, r.amount]).toEqual(['calendar_days', 30]);
    expect(ruleSetsVersion(DEADLINE_RULE_SETS)).toBe('cn-2018@1,cn-2026@1');
  });
});

describe('DeadlineEngine.judge', () => {
  it('counts 15 working days across National Day 2025 (removed 30 September → due 28 October)', () => {
    // 9, 10, 11 (Saturday, on), 13–17, 20–24, 27, 28 October.
    const j = judge('removed', '2025-09-30', bj('2025-10-28', '18:00:00'));
    expect(j).toMatchObject({ ruleSet: 'cn-2018@1', status: 'on_time', unit: 'working_days' });
    expect(j.dueAt!.toISOString()).toBe(endOf('2025-10-28'));
    const late = judge('removed', '2025-09-30', bj('2025-10-30'));
    expect(late).toMatchObject({ status: 'late', lateBy: 2 });
  });

  it('counts a make-up working Saturday (2026-02-14) as a working day', () => {
    // cascade_shipped 2026-02-09 (Monday), 15 WD: 10–13, 14 (Saturday, on), 24–27, 28 (Saturday, on), 2–6 March.
    const j = judge('cascade_shipped', '2026-02-09', bj('2026-03-06'));
    expect(j.dueAt!.toISOString()).toBe(endOf('2026-03-06'));
    expect(j.status).toBe('on_time');
  });

  it('a late upload on the weekend after the due day is 1 working day late', () => {
    expect(judge('removed', '2025-09-30', bj('2025-11-01'))).toMatchObject({ status: 'late', lateBy: 3 }); // Saturday: 29–31 October
    expect(judge('removed', '2025-09-30', bj('2025-10-29', '00:00:01'))).toMatchObject({ status: 'late', lateBy: 1 });
  });

  it('follows the ledger’s rule set by business date across 2026-04-01', () => {
    const before = judge('cascade_received', '2026-03-31', bj('2026-04-30'));
    expect(before).toMatchObject({ ruleSet: 'cn-2018@1', unit: 'working_days', status: 'late' });
    expect(before.dueAt!.toISOString()).toBe(endOf('2026-04-22')); // 15 WD: 1–3, 7–10 (4–6 Qingming), 13–17, 20–22 April
    const after = judge('cascade_received', '2026-04-01', bj('2026-04-30'));
    expect(after).toMatchObject({ ruleSet: 'cn-2026@1', unit: 'calendar_days', status: 'on_time' });
    expect(after.dueAt!.toISOString()).toBe(endOf('2026-05-01'));
    // No deadline is known for a removal under the 2026 measures.
    expect(judge('removed', '2026-04-01', bj('2026-09-01'))).toMatchObject({ ruleSet: 'cn-2026@1', status: 'no_deadline', dueAt: null });
    expect(judge('produced', '2025-04-01', bj('2026-09-01'))).toMatchObject({ ruleSet: 'cn-2018@1', status: 'no_deadline' });
  });

  it('a deadline counted into an uncovered year is pending (calendar not available), not guessed', () => {
    const j = engine.judge({ type: 'cascade_received', occurredAt: bj('2026-03-01'), uploadedAt: bj('2026-03-02'), ledgerRuleSet: 'cn-2018' });
    expect(j.status).toBe('on_time');
    const unknown = new DeadlineEngine(WorkingCalendar.withPackageData(), [{ ...CN_2026, rules: { removed: { ...CN_2018.rules.removed! } } }]);
    const p = unknown.judge({ type: 'removed', occurredAt: bj('2026-12-24'), uploadedAt: bj('2026-12-25'), ledgerRuleSet: 'cn-2026' });
    expect(p).toMatchObject({ status: 'pending', dueAt: null, lateBy: null });
  });
});

describe('missing uploads (expectations)', () => {
  const ev = (id: string, type: string, date: string, reporterId: string, counterpartyId: string | null = null): TimelineEvent => ({
    id,
    type,
    occurredAt: bj(date),
    reporterId,
    counterpartyId,
    ledgerRuleSet: ledgerSet(date),
  });
  const roles = (id: string) => (id === 'recycler' ? (['recycler'] as const) : (['cascade_utiliser'] as const));

  it('a removal handed to X with no receipt by X is overdue, owed by X; a receipt by someone else does not count', () => {
    const timeline = [ev('e1', 'removed', '2025-09-30', 'dismantler', 'recycler'), ev('e2', 'recycler_received', '2025-10-09', 'other')];
    const [r] = expectationsOf('P1', timeline, engine, bj('2026-01-01'), roles);
    expect(r).toMatchObject({ expectation: 'removed_not_received', status: 'overdue', owedBy: 'recycler', fulfilledBy: null });
    // 30 WD from 30 September 2025: 9 October … 18 November (11 October a make-up Saturday).
    expect(r.dueAt!.toISOString()).toBe(endOf('2025-11-18'));
    expect(expectationsOf('P1', timeline, engine, bj('2025-11-18', '23:00:00'), roles)[0].status).toBe('open');
    const received = [timeline[0], ev('e3', 'recycler_received', '2025-10-09', 'recycler', 'dismantler')];
    expect(expectationsOf('P1', received, engine, bj('2026-01-01'), roles).map((x) => [x.expectation, x.status])).toEqual([
      ['removed_not_received', 'fulfilled'],
      ['received_not_recycled', 'overdue'],
    ]);
  });

  it('a scrapped cascade product must go to a recycler: a hand-over to anyone else does not fulfil it', () => {
    const toCascade = [ev('e1', 'cascade_scrapped', '2025-03-03', 'c'), ev('e2', 'outlet_handed_over', '2025-03-04', 'c', 'another-cascade')];
    expect(expectationsOf('R1', toCascade, engine, bj('2025-06-01'), roles).find((x) => x.expectation === 'cascade_scrap_not_handed_over')!.status).toBe(
      'overdue',
    );
    const toRecycler = [toCascade[0], ev('e2', 'outlet_handed_over', '2025-03-04', 'c', 'recycler')];
    expect(expectationsOf('R1', toRecycler, engine, bj('2025-06-01'), roles).find((x) => x.expectation === 'cascade_scrap_not_handed_over')!.status).toBe(
      'fulfilled',
    );
  });

  it('a scrapped vehicle with no removal is overdue for the dismantler after 15 working days; unknown under 2026', () => {
    const [r] = expectationsOf('P2', [ev('e1', 'vehicle_scrapped', '2025-09-30', 'dismantler')], engine, bj('2025-12-01'), roles);
    expect(r).toMatchObject({ status: 'overdue', owedBy: 'dismantler' });
    expect(expectationsOf('P2', [ev('e1', 'vehicle_scrapped', '2026-05-06', 'dismantler')], engine, bj('2026-12-01'), roles)).toEqual([]);
  });
});

describe('DeadlineEngine.assessForStorage (the ingest path)', () => {
  it('stores what judge decides, for every node type on dates across the calendar and both rule sets', () => {
    const types = ['produced', 'vehicle_certified', 'vehicle_sold', 'removed', 'cascade_received', 'cascade_shipped', 'recycled', 'correction'];
    const uploaded = bj('2026-06-15');
    for (let d = Date.parse('2025-09-01T00:00:00+08:00'); d < Date.parse('2026-06-01T00:00:00+08:00'); d += 5 * 86_400_000 + 3_600_000) {
      for (const type of types) {
        const occurredAt = new Date(d);
        const set = occurredAt.getTime() < Date.parse('2026-04-01T00:00:00+08:00') ? 'cn-2018' : 'cn-2026';
        const j = engine.judge({ type, occurredAt, uploadedAt: uploaded, ledgerRuleSet: set });
        const stored = engine.assessForStorage(type, occurredAt, uploaded, set);
        expect(stored).toEqual({ ruleSet: j.ruleSet, dueAt: j.dueAt, onTime: j.status === 'on_time' ? true : j.status === 'late' ? false : null });
      }
    }
  });
});
