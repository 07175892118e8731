import fc from 'fast-check';
import type { BatteryCodeParts, CodeError, ParseResult } from './index';
import { format, normalise, parse } from './index';

// The test's own copy of the facts, written independently of tables.ts and codec.ts.
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DATE_SYMBOLS = '123456789ABCDEFGHJKLMNPRSTVWXY';
const MONTHS = '123456789ABC';
const DAYS = `${DATE_SYMBOLS}0`;
const DAY_MS = 86_400_000;
const CST_MS = 8 * 3_600_000;

/** Domain README §1.2 regex plus the §1.5 cascade alternative. */
const D = '[1-9A-HJ-NPR-TV-Y][1-9A-C][0-9A-HJ-NPR-TV-Y]';
const SHAPE = new RegExp(`^(?:[0-9A-Z]{3}[PMC][A-GZ][0-9A-Z]{9}(${D})[0-9]{7}|[0-9A-Z]{3}[PMC][A-GZ][0-9A-Z]{2}(${D})[0-9]{7}R[PMC])$`);

/** Calendar date (UTC fields of the returned Date) in China Standard Time at instant `now`. */
function chinaDay(now: Date): Date {
  return new Date(Math.floor((now.getTime() + CST_MS) / DAY_MS) * DAY_MS);
}

/** Oracle: whether a normalised code is valid, using Date objects for the calendar. */
function isValidCode(code: string, now: Date): boolean {
  const match = SHAPE.exec(code);
  if (!match) return false;
  const date = match[1] ?? match[2];
  const today = chinaDay(now);
  const first = 2011 + DATE_SYMBOLS.indexOf(date[0]);
  let year = first;
  while (year + 30 <= today.getUTCFullYear()) year += 30;
  const month = MONTHS.indexOf(date[1]) + 1;
  const day = DAYS.indexOf(date[2]) + 1;
  const produced = new Date(Date.UTC(year, month - 1, day));
  if (produced.getUTCMonth() !== month - 1) return false; // rolled over: no such day
  return produced.getTime() <= today.getTime();
}

const chars = (alphabet: string, length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: length, maxLength: length });

const nowArb = fc.date({ min: new Date('2011-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59Z'), noInvalidDate: true });

/** A clock and a production date that a code can carry under it (not future, within the 30-year window). */
const clockAndDate = nowArb.chain((now) => {
  const today = chinaDay(now);
  const earliest = Math.max(Date.UTC(2011, 0, 1), Date.UTC(today.getUTCFullYear() - 29, 0, 1));
  const days = Math.round((today.getTime() - earliest) / DAY_MS);
  return fc.record({
    now: fc.constant(now),
    date: fc.integer({ min: 0, max: days }).map((d) => new Date(earliest + d * DAY_MS)),
  });
});

const iso = (date: Date): string => date.toISOString().slice(0, 10);

/** Valid parts of either form, with the clock to build them under. */
const validParts = fc
  .record({
    clock: clockAndDate,
    manufacturerCode: chars(ALNUM, 3),
    productType: fc.constantFrom('P', 'M', 'C'),
    batteryType: fc.constantFrom(...'ABCDEFGZ'),
    specificationCode: chars(ALNUM, 2),
    traceabilityCode: chars(ALNUM, 7),
    serial: fc.integer({ min: 0, max: 9_999_999 }),
    serialAsString: fc.boolean(),
    dateAsDate: fc.boolean(),
    lowerCase: fc.boolean(),
    form: fc.constantFrom('original' as const, 'cascade' as const),
    cascadeLevel: fc.constantFrom('P', 'M', 'C'),
  })
  .map(({ clock, serialAsString, dateAsDate, lowerCase, form, cascadeLevel, traceabilityCode, ...rest }) => {
    const common = {
      ...rest,
      manufacturerCode: lowerCase ? rest.manufacturerCode.toLowerCase() : rest.manufacturerCode,
      serial: serialAsString ? String(rest.serial).padStart(7, '0') : rest.serial,
      // A Date is read in China Standard Time: noon there is 04:00 UTC the same day.
      productionDate: dateAsDate ? new Date(clock.date.getTime() + 4 * 3_600_000) : iso(clock.date),
    };
    const parts: BatteryCodeParts = form === 'original' ? { ...common, traceabilityCode } : { ...common, form, cascadeLevel };
    return { parts, now: clock.now, date: iso(clock.date) };
  });

const SEGMENTS = new Set([
  'input',
  'length',
  'manufacturer',
  'productType',
  'batteryType',
  'specification',
  'traceability',
  'year',
  'month',
  'day',
  'date',
  'serial',
  'cascadeMarker',
  'cascadeLevel',
]);
const CODES = new Set(['INVALID_LENGTH', 'INVALID_CHARACTER', 'IMPOSSIBLE_DATE', 'FUTURE_DATE', 'YEAR_OUT_OF_RANGE', 'INVALID_VALUE', 'UNEXPECTED_SEGMENT']);

/** The invariants of a parse result, whatever the input. */
function checkResult(input: string, result: ParseResult, now: Date): void {
  const normalised = normalise(input);
  expect(result.ok).toBe(isValidCode(normalised, now));
  if (result.ok) {
    expect(result.code.code).toBe(normalised);
    expect(parse(result.code.code, { now })).toEqual(result);
    return;
  }
  expect(result.input).toBe(input);
  expect(result.normalised).toBe(normalised);
  expect(result.errors.length).toBeGreaterThan(0);
  const lengthOk = normalised.length === 24 || normalised.length === 19;
  if (!lengthOk) expect(result.errors.map((e) => e.code)).toEqual(['INVALID_LENGTH']);
  let previous = 0;
  for (const error of result.errors as CodeError[]) {
    expect(SEGMENTS.has(error.segment)).toBe(true);
    expect(CODES.has(error.code)).toBe(true);
    expect(error.position).toBeGreaterThanOrEqual(previous);
    previous = error.position;
    if (error.positions.length > 0) expect(error.position).toBe(error.positions[0]);
    expect(typeof error.allowed).toBe('string');
    expect(error.message).toMatch(/^(position|positions|length) \d+/);
    if (error.code === 'INVALID_CHARACTER') expect(error.found).toBe(normalised[error.position - 1]);
    if (lengthOk) for (const p of error.positions) expect(p >= 1 && p <= normalised.length).toBe(true);
  }
}

describe('battery-code properties', () => {
  it('parse(format(parts)) gives back the parts, for every valid part set of either form', () => {
    fc.assert(
      fc.property(validParts, ({ parts, now, date }) => {
        const built = format(parts, { now });
        if (!built.ok) throw new Error(JSON.stringify(built.errors));
        const parsed = parse(built.code.code, { now });
        expect(parsed).toEqual(built);
        const code = built.code;
        expect(code.form).toBe(parts.form ?? 'original');
        expect(code.code).toHaveLength(code.form === 'original' ? 24 : 19);
        expect(code.manufacturerCode).toBe(parts.manufacturerCode.toUpperCase());
        expect(code.productType.symbol).toBe(parts.productType);
        expect(code.batteryType.letter).toBe(parts.batteryType);
        expect(code.specificationCode).toBe(parts.specificationCode);
        expect(code.traceabilityCode).toBe(parts.form === 'cascade' ? null : parts.traceabilityCode);
        expect(code.productionDate).toBe(date);
        expect(code.serial).toBe(String(parts.serial).padStart(7, '0'));
        expect(code.cascadeLevel).toBe(parts.form === 'cascade' ? parts.cascadeLevel : null);
      }),
      { numRuns: 2000 },
    );
  });

  it('parse never throws on arbitrary strings and its result is consistent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string()), nowArb, (input, now) =>
        checkResult(input, parse(input, { now }), now),
      ),
      { numRuns: 2000 },
    );
  });

  it('parse is consistent on near-valid codes (valid codes with characters replaced, inserted or dropped)', () => {
    const noise = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-* abcu\n\u3000中');
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'insert', 'delete'), ch: noise });
    fc.assert(
      fc.property(validParts, fc.array(edit, { maxLength: 4 }), nowArb, ({ parts, now: buildNow }, edits, now) => {
        const built = format(parts, { now: buildNow });
        if (!built.ok) throw new Error(JSON.stringify(built.errors));
        let input = built.code.code;
        for (const { at, kind, ch } of edits) {
          const i = at % (input.length + 1);
          input = kind === 'insert' ? input.slice(0, i) + ch + input.slice(i) : input.slice(0, i) + (kind === 'replace' ? ch : '') + input.slice(i + 1);
        }
        checkResult(input, parse(input, { now }), now);
      }),
      { numRuns: 3000 },
    );
  });

  it('normalise is idempotent, and joining fragments equals normalising their concatenation', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...'ab-AB 12\t\n\r\u3000\uFF0D\uFF41\uFF21\u2014') }));
    fc.assert(
      fc.property(text, (s) => {
        const once = normalise(s);
        expect(normalise(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 3 }), (fragments) => {
        expect(normalise(fragments)).toBe(normalise(fragments.join('')));
        expect(normalise(normalise(fragments))).toBe(normalise(fragments));
      }),
    );
  });
});
