import { beijingDay, dayToIso, endOfDay, isoToDay, weekdayOfDay } from './days';
import type { YearSchedule } from './schedule';
import { packageSchedules } from './schedule';

/**
 * China's working-day calendar (Beijing time): statutory holidays and make-up working days (调休) of the years
 * it has a schedule for. **A day in a year it has no schedule for is never guessed**: every question about it
 * answers `null` ("calendar not available"), and a deadline counted through it is pending until an operator adds
 * the year (`extraYears`, which also replace a packaged year).
 */
export class WorkingCalendar {
  private readonly years = new Map<number, string>();
  /** First day number of the table (1 January of the first covered year). */
  private readonly first: number;
  /** Per day from `first`: 0 day off, 1 working day, 2 not covered (a gap between covered years). */
  private readonly flags: Uint8Array;
  /** Prefix sums over `flags`: working days and uncovered days before index i (O(1) counts between two days). */
  private readonly working: Int32Array;
  private readonly uncovered: Int32Array;
  /** (start day, n) → due day: batches are mostly a few days and one or two deadlines. */
  private readonly cache = new Map<number, number | null>();

  constructor(private readonly source: readonly YearSchedule[]) {
    const latest = new Map<number, YearSchedule>();
    for (const s of source) latest.set(s.year, s);
    const yearsSorted = [...latest.keys()].sort((a, b) => a - b);
    const minYear = yearsSorted[0] ?? 2000;
    const maxYear = yearsSorted[yearsSorted.length - 1] ?? 1999;
    this.first = isoToDay(`${minYear}-01-01`);
    const len = Math.max(0, isoToDay(`${maxYear + 1}-01-01`) - this.first);
    this.flags = new Uint8Array(len).fill(2);
    for (const s of latest.values()) {
      this.years.set(s.year, s.source);
      const from = isoToDay(`${s.year}-01-01`) - this.first;
      const to = isoToDay(`${s.year + 1}-01-01`) - this.first;
      for (let i = from; i < to; i += 1) {
        const w = weekdayOfDay(i + this.first);
        this.flags[i] = w === 0 || w === 6 ? 0 : 1;
      }
      for (const d of s.holidays) this.flags[isoToDay(d) - this.first] = 0;
      for (const d of s.workdays) this.flags[isoToDay(d) - this.first] = 1;
    }
    this.working = new Int32Array(len + 1);
    this.uncovered = new Int32Array(len + 1);
    for (let i = 0; i < len; i += 1) {
      this.working[i + 1] = this.working[i] + (this.flags[i] === 1 ? 1 : 0);
      this.uncovered[i + 1] = this.uncovered[i] + (this.flags[i] === 2 ? 1 : 0);
    }
  }

  /** The schedules this calendar was built from (plain data: the same calendar can be built in a worker thread). */
  schedules(): readonly YearSchedule[] {
    return this.source;
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
    const i = day - this.first;
    return i >= 0 && i < this.flags.length && this.flags[i] !== 2;
  }

  /** Whether a Beijing day (number, see days.ts) is a working day; null: its year is not covered. */
  isWorkingDayNumber(day: number): boolean | null {
    const i = day - this.first;
    if (i < 0 || i >= this.flags.length) return null;
    const f = this.flags[i];
    return f === 2 ? null : f === 1;
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
    const from = beijingDay(a) + 1 - this.first;
    const to = beijingDay(b) - this.first;
    if (to < from) return 0;
    if (from < 0 || to >= this.flags.length) return null;
    if (this.uncovered[to + 1] - this.uncovered[from] > 0) return null;
    return this.working[to + 1] - this.working[from];
  }
}

export { dayToIso };
