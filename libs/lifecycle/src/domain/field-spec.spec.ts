import { isCalendarDate, parseDateTime } from './field-spec';

describe('business dates', () => {
  it('reads years as written, the first century included (Date.UTC would make 0050 into 1950)', () => {
    expect(new Date(parseDateTime('0050-03-01T08:00:00+08:00')).toISOString()).toBe('0050-03-01T00:00:00.000Z');
    expect(new Date(parseDateTime('2026-03-01 08:00')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('has no year 0, and no 30 February', () => {
    expect(isCalendarDate('0000-01-01')).toBe(false);
    expect(Number.isNaN(parseDateTime('0000-01-01T00:00:00Z'))).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('0004-02-29')).toBe(true);
  });
});
