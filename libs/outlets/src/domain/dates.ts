/** Today's date in China (UTC+8): the date outlets open, close and are inspected on. */
export function todayInChina(now: Date = new Date()): string {
  return chinaDate(now);
}

/** The Beijing-time calendar date of an instant. */
export function chinaDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Whether an outlet is active on a date: opened by then, and its last status change on or before that date (if
 * any) made it active. `changes` in order of effective date.
 */
export function activeOn(o: { opened_on: string; changes: readonly { on: string; to: string }[] }, date: string): boolean {
  if (date < o.opened_on) return false;
  let status = 'active';
  for (const c of o.changes) if (c.on <= date) status = c.to;
  return status === 'active';
}
