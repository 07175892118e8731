import { readFileSync } from 'node:fs';
import { isIsoDate } from './days';

/**
 * One year's official schedule (国务院办公厅 notice on public holidays): the statutory holidays that fall on
 * weekdays or weekends, and the weekend days that are working days (调休, make-up working days).
 * Every other weekday is a working day and every other Saturday and Sunday is not.
 */
export interface YearSchedule {
  year: number;
  /** Days off (YYYY-MM-DD); days on weekends may be listed too. */
  holidays: readonly string[];
  /** Saturdays or Sundays that are working days (调休). */
  workdays: readonly string[];
  /** Where the schedule comes from (the notice, or the package and its version). */
  source: string;
}

export const CHINESE_DAYS_VERSION = '1.5.7';

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/**
 * The years the pinned `chinese-days` package has data for, from its data file (not its functions: they answer
 * "working day" for any weekday of a year they do not know, e.g. 2027-01-01). A year is covered only when the
 * package lists holidays in it; STACK.md: its 2018–2026 data matched the State Council notices.
 */
export function packageSchedules(): YearSchedule[] {
  const file = require.resolve('chinese-days/dist/chinese-days.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as ChineseDaysData;
  const byYear = new Map<number, { holidays: string[]; workdays: string[] }>();
  const of = (date: string) => {
    const year = +date.slice(0, 4);
    let y = byYear.get(year);
    if (!y) byYear.set(year, (y = { holidays: [], workdays: [] }));
    return y;
  };
  for (const date of Object.keys(data.holidays)) of(date).holidays.push(date);
  for (const date of Object.keys(data.workdays)) of(date).workdays.push(date);
  return [...byYear.entries()]
    .filter(([, y]) => y.holidays.length > 0)
    .sort(([a], [b]) => a - b)
    .map(([year, y]) => ({ year, holidays: y.holidays.sort(), workdays: y.workdays.sort(), source: `chinese-days ${CHINESE_DAYS_VERSION}` }));
}

export interface ScheduleProblem {
  path: string;
  reason: string;
}

/**
 * Checks a schedule an operator sends: dates that exist and lie in the year, no date in both lists, make-up
 * working days only on Saturdays and Sundays, at least the statutory minimum of holidays (New Year's Day,
 * Spring Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn, National Day: 13 days in 2025's rules, so
 * fewer than 10 listed is certainly an incomplete schedule).
 */
export function checkSchedule(s: { year: number; holidays: readonly string[]; workdays: readonly string[] }): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const seen = new Map<string, string>();
  for (const list of ['holidays', 'workdays'] as const) {
    s[list].forEach((date, i) => {
      const path = `${list}[${i}]`;
      if (typeof date !== 'string' || !isIsoDate(date)) problems.push({ path, reason: `'${String(date)}' is not a date (YYYY-MM-DD)` });
      else if (+date.slice(0, 4) !== s.year) problems.push({ path, reason: `${date} is not in ${s.year}` });
      else if (seen.has(date)) problems.push({ path, reason: `${date} is already listed in ${seen.get(date)}` });
      else {
        seen.set(date, list);
        const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
        if (list === 'workdays' && weekday !== 0 && weekday !== 6)
          problems.push({ path, reason: `${date} is a weekday: only a Saturday or Sunday can be a make-up working day (调休)` });
      }
    });
  }
  if (s.holidays.length < 10)
    problems.push({ path: 'holidays', reason: `${s.holidays.length} holidays listed: an official schedule has at least 10 (the statutory holidays)` });
  return problems;
}
