/**
 * Business dates in Beijing time. Chinese regulations, certificates and battery codes are dated in China Standard
 * Time, UTC+8 all year (no daylight saving since 1991), so "today" and "the date of an event" are Beijing dates
 * wherever the server runs. This is the one place that says so.
 */
export const BEIJING_UTC_OFFSET_MINUTES = 480;

const OFFSET_MS = BEIJING_UTC_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedDate = '';

/** The calendar date (YYYY-MM-DD) in Beijing at the instant `ms` (epoch milliseconds). */
export function beijingDate(ms: number): string {
  // Batches are mostly about one day: remember the last one.
  const day = Math.floor((ms + OFFSET_MS) / DAY_MS);
  if (day !== cachedDay) {
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
    cachedDay = day;
  }
  return cachedDate;
}

/** Today's date (YYYY-MM-DD) in Beijing. */
export function todayInBeijing(now: Date = new Date()): string {
  return beijingDate(now.getTime());
}

/** A calendar date YYYY-MM-DD that exists (the Gregorian calendar, which PostgreSQL uses, has no year 0). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value.startsWith('0000')) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
