import { types } from 'pg';
import { parseTimestamptz } from './fast-timestamp';

const pgParse = types.getTypeParser(1184) as (text: string) => unknown;

describe('parseTimestamptz', () => {
  it('gives the Date pg gives, for the plain form and everything else', () => {
    const samples = [
      '2025-09-20 02:00:00+00',
      '2025-09-30 15:59:59.999+00',
      '2025-09-30 15:59:59.9999+00',
      '2025-09-30 15:59:59.999999+00',
      '2026-02-14 23:59:59.123456+08',
      '2019-10-12 00:00:00.1+08',
      '2024-02-29 12:30:45.5-03:30',
      '1901-12-13 20:45:52+05:45:10',
      '2027-01-01 00:00:00.000001-11',
      '0050-06-01 00:00:00+00',
      '0001-01-01 00:00:00+00 BC',
      '12345-01-01 00:00:00+00',
      'infinity',
      '-infinity',
    ];
    // Every millisecond fraction (the 1000 × fraction arithmetic truncates some of them one lower: so must we).
    for (let f = 0; f < 1000; f += 1) samples.push(`2025-10-01 08:00:00.${String(f).padStart(3, '0')}${f % 7}${f % 3}2+00`);
    for (const s of samples) {
      const want = pgParse(s);
      const got = parseTimestamptz(s, pgParse);
      if (want instanceof Date) expect([s, (got as Date).getTime()]).toEqual([s, want.getTime()]);
      else expect([s, got]).toEqual([s, want]);
    }
  });

  it('takes the fast path for the plain form (no fallback)', () => {
    const fallback = jest.fn(pgParse);
    parseTimestamptz('2025-09-20 02:00:00.25+08', fallback);
    parseTimestamptz('2025-09-20 02:00:00+00', fallback);
    expect(fallback).not.toHaveBeenCalled();
    parseTimestamptz('0001-01-01 00:00:00+00 BC', fallback);
    expect(fallback).toHaveBeenCalledTimes(1);
  });
});
