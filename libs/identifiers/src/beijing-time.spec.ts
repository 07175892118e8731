import { beijingDate, isIsoDate, todayInBeijing } from './beijing-time';

describe('Beijing business dates', () => {
  it('turns the date over at 16:00 UTC, midnight in Beijing', () => {
    expect(todayInBeijing(new Date('2026-05-01T15:59:59.999Z'))).toBe('2026-05-01');
    expect(todayInBeijing(new Date('2026-05-01T16:00:00Z'))).toBe('2026-05-02');
    expect(beijingDate(Date.parse('2026-12-31T23:30:00-05:00'))).toBe('2027-01-01');
    // The cache of the last day asked must not answer for another day.
    expect(beijingDate(Date.parse('2026-05-01T00:00:00+08:00'))).toBe('2026-05-01');
    expect(beijingDate(Date.parse('2026-04-30T23:59:59+08:00'))).toBe('2026-04-30');
  });

  it('uses the system clock when given no date', () => {
    const before = Date.now();
    const today = todayInBeijing();
    const after = Date.now();
    expect([beijingDate(before), beijingDate(after)]).toContain(today);
  });

  it('knows which dates exist', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('0000-01-01')).toBe(false);
    expect(isIsoDate('2026-5-1')).toBe(false);
    expect(isIsoDate(20260501)).toBe(false);
  });
});
