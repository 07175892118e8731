/**
 * Days as integers: the number of days since 1970-01-01 in Beijing time (UTC+8, no daylight saving since 1991),
 * so that "the next working day" is `day + 1` and no time zone library is needed.
 */
export const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** The Beijing calendar day of an instant. */
export function beijingDay(at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
}

/** `YYYY-MM-DD` of a day number. */
export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day number of `YYYY-MM-DD` (not validated: see isIsoDate). */
export function isoToDay(date: string): number {
  return Math.floor(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY_MS);
}

/** Whether `YYYY-MM-DD` names a date that exists. */
export function isIsoDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  return dayToIso(isoToDay(date)) === date;
}

export function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The first instant of a Beijing day. */
export function startOfDay(day: number): Date {
  return new Date(day * DAY_MS - BEIJING_OFFSET_MS);
}

/** The last millisecond of a Beijing day (23:59:59.999 +08:00): a deadline "within the day" ends there. */
export function endOfDay(day: number): Date {
  return new Date((day + 1) * DAY_MS - BEIJING_OFFSET_MS - 1);
}
