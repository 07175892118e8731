import { WorkingCalendar } from './calendar';
import { checkSchedule, packageSchedules } from './schedule';

const cal = WorkingCalendar.withPackageData();
/** A business time at 10:00 Beijing on a date. */
const at = (date: string) => new Date(`${date}T10:00:00+08:00`);
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();

describe('WorkingCalendar (chinese-days 1.5.7 + operators’ years)', () => {
  it('knows the make-up working Saturdays and Sundays (调休) of 2018–2026', () => {
    for (const d of ['2018-09-29', '2019-10-12', '2020-05-09', '2021-09-18', '2022-10-08', '2026-02-14', '2023-04-23', '2024-02-18', '2025-09-28']) {
      expect([d, cal.isWorkingDay(d)]).toEqual([d, true]);
    }
  });

  it('knows National Day and Spring Festival as days off, and ordinary weekends', () => {
    for (const d of ['2018-10-01', '2019-10-07', '2024-02-12', '2025-10-08', '2026-02-16', '2026-10-07', '2025-10-04'])
      expect([d, cal.isWorkingDay(d)]).toEqual([d, false]);
    expect(cal.isWorkingDay('2026-10-17')).toBe(false); // a plain Saturday
    expect(cal.isWorkingDay('2026-10-16')).toBe(true); // a plain Friday
  });

  it('counts working days across National Day (2025: 1–8 October off, Saturday 11 October on)', () => {
    expect(cal.addWorkingDays(at('2025-09-30'), 1)!.toISOString()).toBe(endOf('2025-10-09'));
    expect(cal.addWorkingDays(at('2025-09-30'), 3)!.toISOString()).toBe(endOf('2025-10-11'));
    // 2026: 1–7 October off, Saturday 10 October on: 8, 9, 10, 12–16, 19–23, 26, 27.
    expect(cal.addWorkingDays(at('2026-09-30'), 15)!.toISOString()).toBe(endOf('2026-10-27'));
  });

  it('counts working days across Spring Festival 2024 (10–17 February off, Sunday 18 February on)', () => {
    expect(cal.addWorkingDays(at('2024-02-08'), 1)!.toISOString()).toBe(endOf('2024-02-09'));
    expect(cal.addWorkingDays(at('2024-02-08'), 2)!.toISOString()).toBe(endOf('2024-02-18'));
  });

  it('counts from the next day in Beijing time, whatever the UTC date', () => {
    // 2025-09-29T20:00Z is 30 September 04:00 in Beijing.
    expect(cal.addWorkingDays(new Date('2025-09-29T20:00:00Z'), 1)!.toISOString()).toBe(endOf('2025-10-09'));
  });

  it('never guesses a year it has no schedule for: "calendar not available" (null)', () => {
    expect(cal.coversYear(2026)).toBe(true);
    expect(cal.coversYear(2027)).toBe(false);
    expect(cal.isWorkingDay('2027-01-01')).toBeNull();
    // 21–25 and 28–31 December 2026 are 9 working days; the 10th is in 2027.
    expect(cal.addWorkingDays(at('2026-12-20'), 9)!.toISOString()).toBe(endOf('2026-12-31'));
    expect(cal.addWorkingDays(at('2026-12-20'), 10)).toBeNull();
    expect(cal.workingDaysBetween(at('2026-12-20'), at('2027-01-04'))).toBeNull();
    // Calendar days need no calendar.
    expect(cal.addCalendarDays(at('2026-12-20'), 30).toISOString()).toBe(endOf('2027-01-19'));
  });

  it('takes a year an operator adds, and then answers for it', () => {
    const y2027 = {
      year: 2027,
      source: 'test',
      holidays: ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-10-01', '2027-10-04'],
      workdays: ['2027-01-02'],
    };
    expect(checkSchedule(y2027)).toEqual([]);
    const c = WorkingCalendar.withPackageData([y2027]);
    expect(c.isWorkingDay('2027-01-01')).toBe(false);
    expect(c.isWorkingDay('2027-01-02')).toBe(true);
    // 9 in December, then 2 January (the make-up Saturday) is the 10th.
    expect(c.addWorkingDays(at('2026-12-20'), 10)!.toISOString()).toBe(endOf('2027-01-02'));
  });

  it('counts working days between two times (after the first day, up to the second)', () => {
    expect(cal.workingDaysBetween(at('2025-09-30'), at('2025-10-09'))).toBe(1);
    expect(cal.workingDaysBetween(at('2025-09-26'), at('2025-10-11'))).toBe(6); // 28 (Sunday, on), 29, 30 September; 9, 10, 11 (Saturday, on) October
    expect(cal.workingDaysBetween(at('2025-10-09'), at('2025-10-09'))).toBe(0);
  });

  it('refuses schedules that cannot be official', () => {
    const problems = checkSchedule({ year: 2027, holidays: ['2027-02-30', '2028-01-01', '2027-10-01'], workdays: ['2027-10-01', '2027-10-06'] });
    expect(problems.map((p) => p.path)).toEqual(['holidays[0]', 'holidays[1]', 'workdays[0]', 'workdays[1]', 'holidays']);
  });

  it('covers exactly the packaged years, each from its data file', () => {
    const years = packageSchedules().map((s) => s.year);
    expect(years).toContain(2018);
    expect(years).toContain(2026);
    expect(years).not.toContain(2027);
  });
});
