import type { BatchRow } from './batch';
import { countByStatus, eventsToSend, rowResults, toColumnPath, toColumnReasons } from './batch';

const ok = (rowNo: number, id: string | null = null): BatchRow => ({
  rowNo,
  mapped: { ok: true, event: { rowNo }, clientEventId: id, batteryCodes: [`B${rowNo}`] },
});
const bad = (rowNo: number): BatchRow => ({
  rowNo,
  mapped: { ok: false, reasons: [{ path: 'type', reason: 'required' }], clientEventId: null, batteryCodes: [] },
});
const unfiled = { path: 'batteryCodes[0]', code: 'SPECIFICATION_CODE_UNFILED', reason: 'no coding rule' };

describe('a batch of rows', () => {
  const rows = [ok(2, 'a'), bad(3), ok(5), bad(6), ok(7, 'c')];

  it('sends only the mapped rows, remembering where each came from', () => {
    expect(eventsToSend(rows)).toEqual({ events: [{ rowNo: 2 }, { rowNo: 5 }, { rowNo: 7 }], positions: [0, 2, 4] });
  });

  it("merges the ledger's outcomes with the mapping's rejections in row order", () => {
    const { positions } = eventsToSend(rows);
    const results = rowResults(rows, positions, [
      { status: 'accepted', eventId: 'e1', reasons: [], warnings: [unfiled] },
      { status: 'rejected', eventId: null, reasons: [{ path: 'occurredAt', reason: 'in the future' }] },
      { status: 'duplicate', eventId: 'e0', reasons: [] },
    ]);
    expect(results).toEqual([
      { rowNo: 2, status: 'accepted', eventId: 'e1', clientEventId: 'a', batteryCodes: ['B2'], reasons: [], warnings: [unfiled] },
      { rowNo: 3, status: 'rejected', eventId: null, clientEventId: null, batteryCodes: [], reasons: [{ path: 'type', reason: 'required' }], warnings: [] },
      {
        rowNo: 5,
        status: 'rejected',
        eventId: null,
        clientEventId: null,
        batteryCodes: ['B5'],
        reasons: [{ path: 'occurredAt', reason: 'in the future' }],
        warnings: [],
      },
      { rowNo: 6, status: 'rejected', eventId: null, clientEventId: null, batteryCodes: [], reasons: [{ path: 'type', reason: 'required' }], warnings: [] },
      { rowNo: 7, status: 'duplicate', eventId: 'e0', clientEventId: 'c', batteryCodes: ['B7'], reasons: [], warnings: [] },
    ]);
    expect(countByStatus(results)).toEqual({ accepted: 1, duplicate: 1, rejected: 3, warned: 1 });
  });

  it('refuses an answer that does not match what was sent', () => {
    expect(() => rowResults(rows, [0, 2, 4], [])).toThrow('the ledger answered 0 results for 3 events');
  });
});

describe('ledger reasons as column reasons', () => {
  it('turns JSON paths into column names', () => {
    expect(toColumnPath('events[3].payload.massKg', 'payload')).toBe('massKg');
    expect(toColumnPath('events[12].batteryCodes[1]', 'payload')).toBe('batteryCodes[1]');
    expect(toColumnPath('events[0]', 'payload')).toBeUndefined();
    expect(toColumnPath('events[0].payload', 'payload')).toBe('payload');
    expect(toColumnPath(undefined, 'payload')).toBeUndefined();
  });

  it('keeps every other property of a reason (the rule broken)', () => {
    expect(
      toColumnReasons(
        [
          { path: 'events[4].type', reason: "'recycled' is not allowed after 'outlet_received'", rule: 'STATE_TRANSITION' },
          { path: 'events[4]', reason: 'whole event' },
        ],
        'payload',
      ),
    ).toEqual([{ path: 'type', reason: "'recycled' is not allowed after 'outlet_received'", rule: 'STATE_TRANSITION' }, { reason: 'whole event' }]);
  });
});
