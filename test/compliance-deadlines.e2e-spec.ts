import { bearer } from './support/test-app';
import type { TestApp } from './support/test-app';
import { startTestApp } from './support/test-app';
import type { Cast } from './support/compliance-world';
import { bj, CompletedTablesModule, createCast, endOfDay, scrappedPack } from './support/compliance-world';
import { accept } from './support/ledger-world';

/**
 * Upload deadlines judged at ingest (DEADLINE_ASSESSOR) and shown on the trace, over the working-day calendar:
 * National Day, Spring Festival with its make-up Saturdays, the 2026-04-01 rule-set boundary, and a due date in
 * a year the calendar does not cover (pending until an operator adds the year).
 */
describe('upload deadlines (real PostgreSQL, the compliance assessor)', () => {
  let t: TestApp;
  let c: Cast;

  beforeAll(async () => {
    t = await startTestApp({}, { imports: [CompletedTablesModule] });
    c = await createCast(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const stored = (code: string) =>
    t.sql<{ type: string; rule_set: string | null; due_at: Date | null; on_time: boolean | null }>(
      `SELECT e.type, e.rule_set, e.due_at, e.on_time FROM lifecycle_events e JOIN battery_event_chain l ON l.event_id = e.id WHERE l.battery_code = $1 ORDER BY l.seq`,
      [code],
    );
  const trace = async (code: string) =>
    (await t.http().get(`/v1/batteries/${code}/trace`).set(bearer(t.adminKey)).expect(200)).body.events as {
      type: string;
      dueAt: string | null;
      onTime: boolean | null;
      deadline: { status: string; ruleSet: string | null; dueAt: string | null; lateBy: number | null; unit: string | null };
    }[];

  it('counts working days across National Day 2025 and Spring Festival 2026 (make-up Saturdays 14 and 28 February), stored at ingest', async () => {
    const { pack } = await scrappedPack(t, c, 1, '2025-09-01', '2025-09-30');
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [pack], occurredAt: bj('2026-02-09'), counterpartyUscc: c.recycler.uscc });
    await accept(t, c.recycler, { type: 'recycler_received', batteryCodes: [pack], occurredAt: bj('2026-04-01'), counterpartyUscc: c.dismantler.uscc });
    const rows = await stored(pack);
    expect(rows.map((r) => [r.type, r.rule_set, r.due_at?.toISOString() ?? null, r.on_time])).toEqual([
      ['produced', 'cn-2018@1', null, null],
      ['delivered', 'cn-2018@1', null, null],
      ['installed', 'cn-2018@1', null, null],
      // 15 working days: 9, 10, 11 (Saturday, on), 13–17, 20–24, 27, 28 October 2025.
      ['vehicle_scrapped', 'cn-2018@1', endOfDay('2025-10-28'), false],
      // 15 working days: 10–13, 14 (Saturday, on), 24–27, 28 (Saturday, on) February, 2–6 March 2026.
      ['removed', 'cn-2018@1', endOfDay('2026-03-06'), false],
      // From 2026-04-01 the 2026 measures: 30 calendar days.
      ['recycler_received', 'cn-2026@2', endOfDay('2026-05-01'), false],
    ]);
    const events = await trace(pack);
    expect(events.map((e) => [e.type, e.deadline.status, e.deadline.unit])).toEqual([
      ['produced', 'no_deadline', null],
      ['delivered', 'no_deadline', null],
      ['installed', 'no_deadline', null],
      ['vehicle_scrapped', 'late', 'working_days'],
      ['removed', 'late', 'working_days'],
      ['recycler_received', 'late', 'calendar_days'],
    ]);
    for (const e of events.filter((x) => x.deadline.status === 'late')) expect(e.deadline.lateBy).toBeGreaterThanOrEqual(1);
  });

  it('follows the ledger’s rule set across 2026-04-01: the day before counts working days (Qingming off), the day itself 30 calendar days, and a removal under 2026 has no deadline known', async () => {
    const { pack } = await scrappedPack(t, c, 2, '2026-03-01', '2026-03-20');
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [pack], occurredAt: bj('2026-03-31'), counterpartyUscc: c.cascade.uscc });
    await accept(t, c.cascade, { type: 'cascade_received', batteryCodes: [pack], occurredAt: bj('2026-04-01'), counterpartyUscc: c.dismantler.uscc });
    const rows = await stored(pack);
    expect(rows.slice(3).map((r) => [r.type, r.rule_set, r.due_at?.toISOString() ?? null])).toEqual([
      // 23–27, 30, 31 March, 1–3, 7–10 (4–6 April Qingming), 13 April.
      ['vehicle_scrapped', 'cn-2018@1', endOfDay('2026-04-13')],
      // 1–3, 7–10, 13–17, 20–22 April.
      ['removed', 'cn-2018@1', endOfDay('2026-04-22')],
      ['cascade_received', 'cn-2026@2', endOfDay('2026-05-01')],
    ]);

    const { pack: later } = await scrappedPack(t, c, 3, '2026-04-01', '2026-04-02');
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [later], occurredAt: bj('2026-04-03'), counterpartyUscc: c.cascade.uscc });
    const after = (await trace(later)).slice(3);
    expect(after.map((e) => [e.type, e.deadline.status, e.deadline.ruleSet, e.dueAt])).toEqual([
      ['vehicle_scrapped', 'no_deadline', 'cn-2026@2', null],
      ['removed', 'no_deadline', 'cn-2026@2', null],
    ]);
  });

  it('a due date in a year the calendar does not cover is pending, said so on the trace, until an operator adds the year', async () => {
    const { pack } = await scrappedPack(t, c, 4, '2026-11-02', '2026-11-16');
    await accept(t, c.dismantler, { type: 'removed', batteryCodes: [pack], occurredAt: bj('2026-11-17'), counterpartyUscc: c.recycler.uscc });
    await accept(t, c.recycler, { type: 'recycler_received', batteryCodes: [pack], occurredAt: bj('2026-11-18'), counterpartyUscc: c.dismantler.uscc });
    await accept(t, c.recycler, {
      type: 'recycled',
      batteryCodes: [pack],
      occurredAt: bj('2026-11-20'),
      payload: { method: 'hydrometallurgical', processedMassKg: 380 },
    });
    const [received, recycled] = (await stored(pack)).slice(5);
    expect(received).toMatchObject({ type: 'recycler_received', rule_set: 'cn-2026@2' });
    expect(received.due_at!.toISOString()).toBe(endOfDay('2026-12-18'));
    expect(received.on_time).toBe(Date.now() <= Date.parse(endOfDay('2026-12-18')));
    // 30 working days from 20 November 2026 run into 2027: 29 of them are in 2026.
    expect(recycled).toMatchObject({ type: 'recycled', rule_set: 'cn-2026@2', due_at: null, on_time: null });
    expect((await trace(pack)).at(-1)!.deadline).toMatchObject({ status: 'pending', dueAt: null, ruleSet: 'cn-2026@2', unit: 'working_days' });
    expect((await t.http().get('/v1/calendar/years').set(bearer(t.adminKey)).expect(200)).body.years.map((y: { year: number }) => y.year)).not.toContain(2027);

    // Bad schedules are refused, naming each date, and change nothing.
    const bad = await t
      .http()
      .put('/v1/calendar/years/2027')
      .set(bearer(t.adminKey))
      .send({ holidays: ['2027-01-01'], workdays: ['2027-01-04'], source: 'test' })
      .expect(422);
    expect(bad.body.error.code).toBe('INVALID_CALENDAR_YEAR');
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['workdays[0]', 'holidays']);
    await t.http().put('/v1/calendar/years/2027').set(c.recycler.auth).send({ holidays: [], workdays: [], source: 'x' }).expect(403);
    expect((await trace(pack)).at(-1)!.deadline.status).toBe('pending');

    const holidays = ['2027-01-01', ...['05', '06', '07', '08', '09', '10', '11'].map((d) => `2027-02-${d}`), '2027-10-01', '2027-10-04', '2027-10-05'];
    await t
      .http()
      .put('/v1/calendar/years/2027')
      .set(bearer(t.adminKey))
      .send({ holidays, workdays: [], source: '国办发明电 (test)' })
      .expect(200, { year: 2027, revision: 1, source: '国办发明电 (test)' });
    // 1 January off, 2–3 January a weekend: the 30th working day is Monday 4 January 2027.
    const resolved = (await trace(pack)).at(-1)!.deadline;
    expect(resolved).toMatchObject({ status: Date.now() <= Date.parse(endOfDay('2027-01-04')) ? 'on_time' : 'late', dueAt: endOfDay('2027-01-04') });
    const audit = await t.sql<{ action: string; entity_id: string }>(`SELECT action, entity_id FROM audit_log WHERE entity_type = 'calendar_year'`);
    expect(audit).toEqual([{ action: 'calendar.year_added', entity_id: '2027/1' }]);
  });
});
