import type { CodeError, CodeTables, DecodedBatteryCode, ParseResult } from './index';
import { DEFAULT_TABLES, GBT34014_2017, format, normalise, parse, validateTables } from './index';

const NOW = new Date('2026-11-25T12:00:00+08:00');
const CATL = '001CB240000003B3C0221953';
const EVE = '04QCB76836300JBC40000903';
const CATENA = 'X12MCPM27KLPCLX2M2382320';
/** A cascade code made from the CATL code: design part + date + serial + 'R' + level 'C'. */
const CASCADE = '001CB24' + 'B3C' + '0221953' + 'R' + 'C';

function decoded(result: ParseResult): DecodedBatteryCode {
  if (!result.ok) throw new Error(`expected a valid code, got ${JSON.stringify(result.errors, null, 2)}`);
  return result.code;
}

function errorsOf(result: ParseResult): CodeError[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.code)}`);
  return result.errors;
}

/** Replaces the character at 1-based position `p`. */
function withChar(code: string, p: number, ch: string): string {
  return code.slice(0, p - 1) + ch + code.slice(p);
}

describe('parse: real examples', () => {
  it('decodes the CATL LFP cell code', () => {
    expect(decoded(parse(CATL, { now: NOW }))).toEqual({
      code: CATL,
      form: 'original',
      manufacturerCode: '001',
      productType: { symbol: 'C', name: 'cell', nameZh: '单体', confidence: 'confirmed' },
      batteryType: { letter: 'B', meaning: 'lithium iron phosphate (LFP)', meaningZh: '磷酸铁锂', confidence: 'confirmed' },
      specificationCode: '24',
      traceabilityCode: '0000003',
      productionDate: '2021-03-12',
      serial: '0221953',
      cascadeLevel: null,
      tablesVersion: 'gbt34014-2017/2026-11',
    });
  });

  it('decodes the EVE cell code (BC4 = 2021-12-04)', () => {
    const code = decoded(parse(EVE, { now: NOW }));
    expect(code).toMatchObject({
      manufacturerCode: '04Q',
      specificationCode: '76',
      traceabilityCode: '836300J',
      productionDate: '2021-12-04',
      serial: '0000903',
    });
    expect(code.productType.name).toBe('cell');
    expect(code.batteryType.letter).toBe('B');
  });

  it('rejects the Catena-X example (2039-02-21) as a future date in 2026', () => {
    const [error] = errorsOf(parse(CATENA, { now: new Date('2026-11-25') }));
    expect(error).toEqual({
      code: 'FUTURE_DATE',
      segment: 'date',
      position: 15,
      positions: [15, 16, 17],
      found: 'X2M',
      allowed: 'a date on or before 2026-11-25',
      message: "positions 15-17 (date): 'X2M' decodes to 2039-02-21, which is after today (2026-11-25)",
    });
  });

  it('accepts the Catena-X example with a clock in 2040', () => {
    const code = decoded(parse(CATENA, { now: new Date('2040-01-01') }));
    expect(code).toMatchObject({
      manufacturerCode: 'X12',
      specificationCode: 'PM',
      traceabilityCode: '27KLPCL',
      productionDate: '2039-02-21',
      serial: '2382320',
    });
    expect(code.productType.name).toBe('module');
    // C = LMO is recalled, not read in the standard.
    expect(code.batteryType).toMatchObject({ letter: 'C', confidence: 'unconfirmed' });
  });

  it('decodes a 19-character cascade code, with no traceability code and the level kept raw', () => {
    expect(decoded(parse(CASCADE, { now: NOW }))).toMatchObject({
      code: '001CB24B3C0221953RC',
      form: 'cascade',
      manufacturerCode: '001',
      specificationCode: '24',
      traceabilityCode: null,
      productionDate: '2021-03-12',
      serial: '0221953',
      cascadeLevel: 'C',
    });
  });

  it('uses the current time when no clock is given', () => {
    expect(parse(CATL).ok).toBe(true);
    expect(errorsOf(parse(withChar(CATL, 15, 'Y'))).map((e) => e.code)).toEqual(['FUTURE_DATE']); // 2040
  });
});

describe('parse: an error for every segment', () => {
  const cases: [string, string, number, string, CodeError['segment']][] = [
    // [name, code, position, character, segment]
    ['manufacturer', CATL, 1, '*', 'manufacturer'],
    ['manufacturer (3rd)', CATL, 3, '.', 'manufacturer'],
    ['product type', CATL, 4, 'X', 'productType'],
    ['battery type', CATL, 5, 'H', 'batteryType'],
    ['specification', CATL, 7, '_', 'specification'],
    ['traceability', CATL, 8, '#', 'traceability'],
    ['traceability (last)', CATL, 14, '/', 'traceability'],
    ['year I', CATL, 15, 'I', 'year'],
    ['year O', CATL, 15, 'O', 'year'],
    ['year 0', CATL, 15, '0', 'year'],
    ['year Z', CATL, 15, 'Z', 'year'],
    ['month 0', CATL, 16, '0', 'month'],
    ['month D', CATL, 16, 'D', 'month'],
    ['day U', CATL, 17, 'U', 'day'],
    ['day Q', CATL, 17, 'Q', 'day'],
    ['day Z', CATL, 17, 'Z', 'day'],
    ['serial letter', CATL, 18, 'A', 'serial'],
    ['serial (last)', CATL, 24, 'Z', 'serial'],
    ['cascade year', CASCADE, 8, 'U', 'year'],
    ['cascade month', CASCADE, 9, 'E', 'month'],
    ['cascade day', CASCADE, 10, 'I', 'day'],
    ['cascade serial', CASCADE, 11, 'X', 'serial'],
    ['cascade marker', CASCADE, 18, 'X', 'cascadeMarker'],
    ['cascade level', CASCADE, 19, 'B', 'cascadeLevel'],
  ];

  it.each(cases)('%s', (_name, code, position, ch, segment) => {
    const result = parse(withChar(code, position, ch), { now: NOW });
    const errors = errorsOf(result);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'INVALID_CHARACTER',
      segment,
      position,
      positions: [position],
      found: ch,
    });
    expect(errors[0].allowed).not.toBe('');
    expect(errors[0].message).toMatch(new RegExp(`^position ${position} \\(${segment}\\): '.' is not `));
  });

  it('words the message as specified, with the allowed symbols alongside', () => {
    const [error] = errorsOf(parse(withChar(CATL, 17, 'U'), { now: NOW }));
    expect(error.message).toBe("position 17 (day): 'U' is not a day symbol");
    expect(error.allowed).toBe('1-9, A-H, J-N, P, R-T, V-Y, 0');
    const [type] = errorsOf(parse(withChar(CATL, 4, 'X'), { now: NOW }));
    expect(type.allowed).toBe('P (pack), M (module), C (cell)');
  });

  it('shows a non-ASCII character with its code point', () => {
    const [error] = errorsOf(parse(withChar(CATL, 1, '中'), { now: NOW }));
    expect(error).toMatchObject({ found: '中', message: "position 1 (manufacturer): '中' (U+4E2D) is not a manufacturer-code character" });
  });

  it.each([
    ['too short', CATL.slice(0, 23), 23, 24],
    ['between the forms', CATL.slice(0, 20), 20, 21],
    ['empty', '', 0, 1],
  ])('reports a wrong length alone: %s', (_name, code, length, position) => {
    const errors = errorsOf(parse(code, { now: NOW }));
    expect(errors).toEqual([
      {
        code: 'INVALID_LENGTH',
        segment: 'length',
        position,
        positions: Array.from({ length: 24 - length }, (_, i) => length + 1 + i),
        found: code,
        allowed: '24 characters (original code) or 19 characters (cascade code)',
        message: `length ${length}: expected 24 characters (original code) or 19 characters (cascade code)`,
      },
    ]);
  });

  it('reports surplus characters of a too-long code, and no character errors', () => {
    const errors = errorsOf(parse(`${CATL}X*`, { now: NOW }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'INVALID_LENGTH', position: 25, positions: [25, 26] });
  });

  it('treats a non-string input as an error value (JavaScript callers)', () => {
    const errors = errorsOf(parse(undefined as unknown as string));
    expect(errors[0]).toMatchObject({ code: 'INVALID_VALUE', segment: 'input' });
  });
});

describe('parse: several errors at once', () => {
  it('reports a bad type letter and a bad day together, in position order', () => {
    const code = withChar(withChar(CATL, 17, 'U'), 5, 'X');
    const errors = errorsOf(parse(code, { now: NOW }));
    expect(errors.map((e) => [e.code, e.segment, e.position])).toEqual([
      ['INVALID_CHARACTER', 'batteryType', 5],
      ['INVALID_CHARACTER', 'day', 17],
    ]);
  });

  it('reports every bad character and an impossible date', () => {
    // pos 1 '*', pos 4 'Q', month 4 + day 0 (31 April), pos 24 'X'
    const code = withChar(withChar(withChar(withChar(withChar(CATL, 1, '*'), 4, 'Q'), 16, '4'), 17, '0'), 24, 'X');
    const errors = errorsOf(parse(code, { now: NOW }));
    expect(errors.map((e) => [e.code, e.position])).toEqual([
      ['INVALID_CHARACTER', 1],
      ['INVALID_CHARACTER', 4],
      ['IMPOSSIBLE_DATE', 16],
      ['INVALID_CHARACTER', 24],
    ]);
  });

  it('still reports a day that exists in no year when the year symbol is bad', () => {
    const code = withChar(withChar(withChar(CATL, 15, 'U'), 16, '2'), 17, 'Y'); // year U, 30 February
    expect(errorsOf(parse(code, { now: NOW })).map((e) => [e.code, e.segment])).toEqual([
      ['INVALID_CHARACTER', 'year'],
      ['IMPOSSIBLE_DATE', 'date'],
    ]);
  });
});

describe('parse: dates', () => {
  const withDate = (date: string): string => CATL.slice(0, 14) + date + CATL.slice(17);

  it('rejects 30 February', () => {
    expect(errorsOf(parse(withDate('B2Y'), { now: NOW }))).toEqual([
      {
        code: 'IMPOSSIBLE_DATE',
        segment: 'date',
        position: 16,
        positions: [16, 17],
        found: '2Y',
        allowed: 'a day from 1 to 29 in February',
        message: "positions 16-17 (date): '2Y' would be February 30, which does not exist",
      },
    ]);
  });

  it('rejects 31 April (day 0 = 31)', () => {
    const [error] = errorsOf(parse(withDate('B40'), { now: NOW }));
    expect(error).toMatchObject({ code: 'IMPOSSIBLE_DATE', positions: [16, 17], found: '40' });
    expect(error.message).toBe("positions 16-17 (date): '40' would be April 31, which does not exist");
  });

  it('rejects 29 February 2023 and accepts 29 February 2024', () => {
    const [error] = errorsOf(parse(withDate('D2X'), { now: NOW }));
    expect(error).toMatchObject({
      code: 'IMPOSSIBLE_DATE',
      position: 15,
      positions: [15, 16, 17],
      found: 'D2X',
      message: "positions 15-17 (date): 'D2X' would be 2023-02-29, which does not exist (2023 is not a leap year)",
    });
    expect(decoded(parse(withDate('E2X'), { now: NOW })).productionDate).toBe('2024-02-29');
  });

  it.each([
    ['B10', '2021-01-31'],
    ['B30', '2021-03-31'],
    ['BC0', '2021-12-31'],
    ['BAA', '2021-10-10'],
    ['BBY', '2021-11-30'],
    ['111', '2011-01-01'],
    ['G9Y', '2026-09-30'],
  ])('decodes %s as %s', (date, iso) => {
    expect(decoded(parse(withDate(date), { now: NOW })).productionDate).toBe(iso);
  });

  it('accepts today and rejects tomorrow', () => {
    expect(decoded(parse(withDate('GBR'), { now: NOW })).productionDate).toBe('2026-11-24');
    expect(decoded(parse(withDate('GBS'), { now: NOW })).productionDate).toBe('2026-11-25');
    expect(errorsOf(parse(withDate('GBT'), { now: NOW }))[0]).toMatchObject({
      code: 'FUTURE_DATE',
      found: 'GBT',
      allowed: 'a date on or before 2026-11-25',
    });
  });

  it('reads "today" in China Standard Time unless another offset is given', () => {
    const lateUtc = new Date('2026-11-25T16:30:00Z'); // 2026-11-26 00:30 in Beijing
    expect(parse(withDate('GBT'), { now: lateUtc }).ok).toBe(true);
    expect(errorsOf(parse(withDate('GBT'), { now: lateUtc, utcOffsetMinutes: 0 }))[0].code).toBe('FUTURE_DATE');
  });

  it('places a year symbol in the latest 30-year cycle that is not in the future', () => {
    const in2045 = { now: new Date('2045-06-01') };
    expect(decoded(parse(withDate('111'), in2045)).productionDate).toBe('2041-01-01');
    expect(decoded(parse(withDate('511'), in2045)).productionDate).toBe('2045-01-01');
    expect(decoded(parse(withDate('611'), in2045)).productionDate).toBe('2016-01-01');
    expect(decoded(parse(withDate('Y11'), in2045)).productionDate).toBe('2040-01-01');
    expect(decoded(parse(withDate('111'), { now: NOW })).productionDate).toBe('2011-01-01');
    // 29 Feb: symbol E is 2024 in the first cycle (leap) but 2054 in the second (not leap).
    expect(parse(withDate('E2X'), { now: new Date('2060-01-01') }).ok).toBe(false);
    // Y in 2101 is 2100: divisible by 100, not by 400, so not a leap year.
    expect(errorsOf(parse(withDate('Y2X'), { now: new Date('2101-01-01') }))[0].message).toContain('2100-02-29');
    expect(decoded(parse(withDate('Y2X'), { now: new Date('2040-03-01') })).productionDate).toBe('2040-02-29');
  });

  it('throws for an invalid clock (a programming error, not a bad code)', () => {
    expect(() => parse(CATL, { now: new Date('nonsense') })).toThrow(RangeError);
  });
});

describe('normalise and parse of typed or scanned input', () => {
  it('upper-cases and drops spaces, hyphens and other whitespace', () => {
    expect(normalise('  001cb24-0000003 b3c\t0221953 ')).toBe(CATL);
    expect(decoded(parse('001cb24-0000003-b3c-0221953', { now: NOW })).code).toBe(CATL);
  });

  it('handles full-width characters, the ideographic space and Unicode dashes', () => {
    expect(normalise('００１ｃｂ２４\u30000000003\uFF0DB3C\u20140221953')).toBe(CATL);
  });

  it('joins two fragments given as an array, in order', () => {
    expect(normalise(['001cb2400000', '03b3c0221953'])).toBe(CATL); // as printed on a CATL cell
    expect(normalise(['001CB24', '0000003B3C0221953'])).toBe(CATL); // design part + production part
    expect(decoded(parse(normalise(['001CB24', '0000003B3C0221953']), { now: NOW })).serial).toBe('0221953');
  });

  it('joins a two-line scan', () => {
    expect(decoded(parse('001cb2400000\n03b3c0221953', { now: NOW })).code).toBe(CATL);
    expect(decoded(parse('001CB24\r\n0000003B3C0221953\r\n', { now: NOW })).code).toBe(CATL);
  });

  it('does not validate, and keeps characters it does not know', () => {
    expect(normalise(['ab', 'c-d'])).toBe('ABCD');
    expect(normalise('é中 x')).toBe('é中X');
    expect(normalise('')).toBe('');
  });

  it('reports positions in the normalised code and returns both forms of the input', () => {
    const input = '001cb24-0000003-b3u-0221953';
    const result = parse(input, { now: NOW });
    expect(result).toMatchObject({ ok: false, input, normalised: '001CB240000003B3U0221953' });
    expect(errorsOf(result)[0]).toMatchObject({ position: 17, segment: 'day', found: 'U' });
  });

  it('returns the input itself when it is already normalised', () => {
    const s = `${CATL.slice(0, 12)}${CATL.slice(12)}`;
    expect(normalise(s)).toBe(s);
  });
});

describe('format', () => {
  const catlParts = {
    manufacturerCode: '001',
    productType: 'C',
    batteryType: 'B',
    specificationCode: '24',
    traceabilityCode: '0000003',
    productionDate: '2021-03-12',
    serial: 221953,
  };

  it('builds the CATL code from its parts', () => {
    expect(decoded(format(catlParts, { now: NOW })).code).toBe(CATL);
    expect(decoded(format({ ...catlParts, serial: '0221953', productType: 'c' }, { now: NOW })).code).toBe(CATL);
  });

  it('accepts a Date, taking its calendar day in China Standard Time', () => {
    const date = new Date('2021-03-11T16:30:00Z'); // 2021-03-12 00:30 in Beijing
    expect(decoded(format({ ...catlParts, productionDate: date }, { now: NOW })).productionDate).toBe('2021-03-12');
  });

  it('mints a cascade code from a parsed original code', () => {
    const original = decoded(parse(CATL, { now: NOW }));
    const cascade = format(
      {
        form: 'cascade',
        manufacturerCode: original.manufacturerCode,
        productType: original.productType.symbol,
        batteryType: original.batteryType.letter,
        specificationCode: original.specificationCode,
        productionDate: original.productionDate,
        serial: original.serial,
        cascadeLevel: 'C',
      },
      { now: NOW },
    );
    expect(decoded(cascade)).toEqual(decoded(parse(CASCADE, { now: NOW })));
  });

  it('rejects a year with no symbol that decodes back to it', () => {
    const early = errorsOf(format({ ...catlParts, productionDate: '2010-12-31' }, { now: NOW }));
    expect(early).toEqual([
      expect.objectContaining({ code: 'YEAR_OUT_OF_RANGE', segment: 'year', position: 15, found: '2010', allowed: 'a year from 2011 to 2040' }),
    ]);
    // 2041 would be written '1' and read back as 2011 in 2026; it is also in the future.
    const late = errorsOf(format({ ...catlParts, productionDate: '2041-01-01' }, { now: NOW }));
    expect(late.map((e) => e.code)).toEqual(['YEAR_OUT_OF_RANGE', 'FUTURE_DATE']);
    // In 2045 the window is 2016–2045: 2015 would be read back as 2045.
    const old = errorsOf(format({ ...catlParts, productionDate: '2015-06-01' }, { now: new Date('2045-06-01') }));
    expect(old[0]).toMatchObject({ code: 'YEAR_OUT_OF_RANGE', allowed: 'a year from 2016 to 2045' });
    expect(decoded(format({ ...catlParts, productionDate: '2041-01-01' }, { now: new Date('2045-06-01') })).code).toBe(
      CATL.slice(0, 14) + '111' + CATL.slice(17),
    );
  });

  it('validates as parse does: impossible and future dates', () => {
    expect(errorsOf(format({ ...catlParts, productionDate: '2023-02-29' }, { now: NOW }))[0].code).toBe('IMPOSSIBLE_DATE');
    expect(errorsOf(format({ ...catlParts, productionDate: '2026-11-26' }, { now: NOW }))[0].code).toBe('FUTURE_DATE');
  });

  it('reports every bad part at the positions it would occupy', () => {
    const result = format({ ...catlParts, manufacturerCode: '0011', batteryType: 'X', productionDate: '2021-13-01', serial: -5 }, { now: NOW });
    expect(result).toMatchObject({ ok: false, input: '???CX24' + '0000003' + '???' + '???????' });
    expect(errorsOf(result).map((e) => [e.code, e.segment, e.position])).toEqual([
      ['INVALID_LENGTH', 'manufacturer', 1],
      ['INVALID_CHARACTER', 'batteryType', 5],
      ['INVALID_VALUE', 'date', 15],
      ['INVALID_VALUE', 'serial', 18],
    ]);
  });

  it('rejects parts that the form does not have', () => {
    const cascadeWithTrace = format({ ...catlParts, form: 'cascade', cascadeLevel: 'C', traceabilityCode: '0000003' } as never, { now: NOW });
    expect(errorsOf(cascadeWithTrace)).toEqual([expect.objectContaining({ code: 'UNEXPECTED_SEGMENT', segment: 'traceability' })]);
    const originalWithLevel = format({ ...catlParts, cascadeLevel: 'C' } as never, { now: NOW });
    expect(errorsOf(originalWithLevel)).toEqual([expect.objectContaining({ code: 'UNEXPECTED_SEGMENT', segment: 'cascadeLevel' })]);
    expect(errorsOf(format({ ...catlParts, form: 'other' } as never))[0]).toMatchObject({ code: 'INVALID_VALUE', segment: 'input' });
  });

  it('reports missing parts', () => {
    const errors = errorsOf(format({ ...catlParts, traceabilityCode: undefined } as never, { now: NOW }));
    expect(errors).toEqual([expect.objectContaining({ code: 'INVALID_VALUE', segment: 'traceability', positions: [8, 9, 10, 11, 12, 13, 14] })]);
  });
});

describe('tables', () => {
  it('records the confidence of every battery-type meaning', () => {
    const confidence = Object.fromEntries(DEFAULT_TABLES.batteryTypes.map((b) => [b.letter, b.confidence]));
    expect(confidence).toEqual({
      A: 'unconfirmed',
      B: 'confirmed',
      C: 'unconfirmed',
      D: 'unconfirmed',
      E: 'confirmed',
      F: 'unconfirmed',
      G: 'unconfirmed',
      Z: 'confirmed',
    });
    expect(DEFAULT_TABLES.cascade.levels.confidence).toBe('unconfirmed');
    expect(DEFAULT_TABLES.date.years.cycleConfidence).toBe('unconfirmed');
  });

  it('is frozen and valid', () => {
    expect(Object.isFrozen(DEFAULT_TABLES.batteryTypes[0])).toBe(true);
    expect(validateTables(DEFAULT_TABLES)).toEqual([]);
    expect(DEFAULT_TABLES).toBe(GBT34014_2017);
  });

  it('lets parse and format use an alternative table set', () => {
    // A hypothetical revision that gives sodium-ion its own letter.
    const revised: CodeTables = {
      ...GBT34014_2017,
      version: 'test-revision',
      batteryTypes: [...GBT34014_2017.batteryTypes, { letter: 'H', meaning: 'sodium-ion', meaningZh: '钠离子', confidence: 'unconfirmed' }],
    };
    const code = withChar(CATL, 5, 'H');
    expect(errorsOf(parse(code, { now: NOW }))[0].segment).toBe('batteryType');
    expect(decoded(parse(code, { now: NOW, tables: revised }))).toMatchObject({
      batteryType: { letter: 'H', meaning: 'sodium-ion' },
      tablesVersion: 'test-revision',
    });
    expect(errorsOf(parse(withChar(CATL, 5, 'X'), { now: NOW, tables: revised }))[0].allowed).toBe('A-G, Z, H');
    expect(decoded(format({ ...decodedParts(CATL), batteryType: 'H' }, { now: NOW, tables: revised })).code).toBe(code);
  });

  it('reports what is wrong with a broken table set, and refuses to use it', () => {
    const broken = {
      ...GBT34014_2017,
      date: { ...GBT34014_2017.date, months: { symbols: '123456789ABb', confidence: 'confirmed' as const } },
      lengths: { ...GBT34014_2017.lengths, cascade: { length: 18, confidence: 'unconfirmed' as const } },
    };
    expect(validateTables(broken)).toEqual([
      'date.months: symbols must be upper-case ASCII letters or digits',
      'lengths.cascade: must be 19 to match SEGMENT_LAYOUT.cascade, got 18',
    ]);
    expect(() => parse(CATL, { tables: broken })).toThrow(TypeError);
  });
});

function decodedParts(code: string) {
  const c = decoded(parse(code, { now: NOW }));
  return {
    manufacturerCode: c.manufacturerCode,
    productType: c.productType.symbol,
    batteryType: c.batteryType.letter,
    specificationCode: c.specificationCode,
    traceabilityCode: c.traceabilityCode!,
    productionDate: c.productionDate,
    serial: c.serial,
  };
}

describe('the system clock (no `now` given)', () => {
  afterEach(() => jest.useRealTimers());

  it('moves to the next day at midnight in Beijing, though it is read once per day', () => {
    // A fresh copy of the module: its cached day must start from the faked clock.
    jest.useFakeTimers({ now: new Date('2026-03-12T23:58:00+08:00') });
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- isolateModules needs a synchronous load
      const codec = require('./index') as typeof import('./index');
      const made = codec.format(
        {
          manufacturerCode: '001',
          productType: 'C',
          batteryType: 'B',
          specificationCode: '24',
          traceabilityCode: '0000003',
          productionDate: '2026-03-13',
          serial: 221953,
        },
        { now: new Date('2026-03-13T12:00:00+08:00') },
      );
      if (!made.ok) throw new Error(JSON.stringify(made.errors));
      const tomorrow = made.code.code;
      expect(errorsOf(codec.parse(tomorrow)).map((e) => e.code)).toEqual(['FUTURE_DATE']);
      expect(codec.parse(CATL).ok).toBe(true); // read again within the day: still 12 March
      expect(codec.parse(tomorrow).ok).toBe(false);
      jest.advanceTimersByTime(3 * 60_000); // 00:01 on 13 March
      expect(decoded(codec.parse(tomorrow)).productionDate).toBe('2026-03-13');
      // A call with its own `now` in another day does not leave its day behind for calls without one.
      expect(codec.parse(tomorrow, { now: new Date('2026-03-01T12:00:00+08:00') }).ok).toBe(false);
      expect(codec.parse(tomorrow).ok).toBe(true);
    });
  });
});
