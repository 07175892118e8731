import { beijingDay, dayToIso, endOfDay, isoToDay, weekdayOfDay, yearOfDay } from './days';
import { packageSchedules, YearSchedule } from './schedule';

/**
 * China's working-day calendar (Beijing time): statutory holidays and make-up working days (调休) of the years
 * it has a schedule for. **A day in a year it has no schedule for is never guessed**: every question about it
 * answers `null` ("calendar not available"), and a deadline counted through it is pending until an operator adds
 * the year (`extraYears`, which also replace a packaged year).
 */
export class WorkingCalendar {
  private readonly overrides = new Map<number, boolean>();
  private readonly years = new Map<number, string>();
  /** (start day, n) → due day: batches are mostly a few days and one or two deadlines. */
  private readonly cache = new Map<number, number | null>();

  constructor(schedules: readonly YearSchedule[]) {
    const latest = new Map<number, YearSchedule>();
    for (const s of schedules) latest.set(s.year, s);
    for (const s of latest.values()) {
      this.years.set(s.year, s.source);
      for (const d of s.holidays) this.overrides.set(isoToDay(d), false);
      for (const d of s.workdays) this.overrides.set(isoToDay(d), true);
    }
  }

  /** The packaged years (chinese-days) with the operators' years on top. */
  static withPackageData(extraYears: readonly YearSchedule[] = []): WorkingCalendar {
    return new WorkingCalendar([...packageSchedules(), ...extraYears]);
  }

  /** The years covered, each with its source. */
  coverage(): { year: number; source: string }[] {
    return [...this.years.entries()].sort(([a], [b]) => a - b).map(([year, source]) => ({ year, source }));
  }

  coversYear(year: number): boolean {
    return this.years.has(year);
  }

  coversDay(day: number): boolean {
    return this.years.has(yearOfDay(day));
  }

  /** Whether a Beijing day (number, see days.ts) is a working day; null: its year is not covered. */
  isWorkingDayNumber(day: number): boolean | null {
    if (!this.coversDay(day)) return null;
    const o = this.overrides.get(day);
    if (o !== undefined) return o;
    const w = weekdayOfDay(day);
    return w !== 0 && w !== 6;
  }

  /** `YYYY-MM-DD` → working day? null: not covered. */
  isWorkingDay(date: string): boolean | null {
    return this.isWorkingDayNumber(isoToDay(date));
  }

  /**
   * The Beijing day that is the n-th working day after the day of `start` (the day itself does not count: a
   * node on a Friday before National Day with 15 working days is due 15 working days after it). null: a day on
   * the way is in a year not covered.
   */
  addWorkingDaysToDay(startDay: number, n: number): number | null {
    const key = startDay * 1024 + n;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    let day = startDay;
    let left = n;
    let result: number | null = null;
    for (;;) {
      if (left === 0) {
        result = day;
        break;
      }
      day += 1;
      const w = this.isWorkingDayNumber(day);
      if (w === null) break;
      if (w) left -= 1;
    }
    if (n < 1024) this.cache.set(key, result);
    return result;
  }

  /** The end (23:59:59.999 Beijing) of the n-th working day after the day of `date`; null: not available. */
  addWorkingDays(date: Date, n: number): Date | null {
    const day = this.addWorkingDaysToDay(beijingDay(date), n);
    return day === null ? null : endOfDay(day);
  }

  /** The end (23:59:59.999 Beijing) of the n-th calendar day after the day of `date`: needs no calendar. */
  addCalendarDays(date: Date, n: number): Date {
    return endOfDay(beijingDay(date) + n);
  }

  /**
   * Working days after the day of `a` up to and including the day of `b` (0 when b's day is not after a's);
   * null: a day on the way is not covered.
   */
  workingDaysBetween(a: Date, b: Date): number | null {
    const from = beijingDay(a);
    const to = beijingDay(b);
    let count = 0;
    for (let day = from + 1; day <= to; day += 1) {
      const w = this.isWorkingDayNumber(day);
      if (w === null) return null;
      if (w) count += 1;
    }
    return count;
  }
}

export { dayToIso };
