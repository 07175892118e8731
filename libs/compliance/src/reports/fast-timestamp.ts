/**
 * PostgreSQL's text form of a `timestamptz` (`2025-09-20 02:00:00.123456+00`) to a Date, as `pg` would, at a
 * fraction of the cost: a report reads three timestamps per event, millions of events, and `pg`'s parser
 * (postgres-date: three regular expressions and a Date built in two steps) was the worker's largest single cost.
 * Anything but the plain form (BC, infinity, a year before 100 or after 9999, an unexpected zone) goes to `pg`'s
 * own parser, and the fraction is turned into milliseconds by the same expression, so the result is the same Date.
 */
export function parseTimestamptz(text: string, fallback: (text: string) => unknown): Date {
  const n = text.length;
  if (n < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58) {
    return fallback(text) as Date;
  }
  const year = d2(text, 0) * 100 + d2(text, 2);
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    let j = i + 1;
    while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j += 1;
    // postgres-date's own expression (1000 × the fraction, truncated by Date.UTC): the same millisecond.
    ms = 1000 * parseFloat(text.slice(i, j));
    i = j;
  }
  const sign = text.charCodeAt(i) === 43 ? 1 : text.charCodeAt(i) === 45 ? -1 : 0;
  let offset = 0;
  if (sign !== 0) {
    offset = d2(text, i + 1) * 3600;
    i += 3;
    if (i < n && text.charCodeAt(i) === 58) {
      offset += d2(text, i + 1) * 60;
      i += 3;
      if (i < n && text.charCodeAt(i) === 58) {
        offset += d2(text, i + 1);
        i += 3;
      }
    }
  }
  const t = Date.UTC(year, d2(text, 5) - 1, d2(text, 8), d2(text, 11), d2(text, 14), d2(text, 17), ms) - sign * offset * 1000;
  if (sign === 0 || i !== n || year < 100 || Number.isNaN(t)) return fallback(text) as Date;
  return new Date(t);
}

/** Two decimal digits at `i` (NaN if they are not). */
function d2(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}
