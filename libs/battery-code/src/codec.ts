/**
 * GB/T 34014-2017 battery-code codec: normalise, parse (decode + validate) and format (encode + validate).
 *
 * Performance matters (`parse` runs on every ingested event), so the hot path is built around lookup arrays
 * compiled once per table set: one charCodeAt loop checks every position against a bit mask, the date is
 * validated arithmetically, "today" is cached per calendar day, and nothing is allocated on success except
 * the result itself and its substrings. Everything that reports errors lives on a separate slow path.
 *
 * Errors are values: `parse` and `format` never throw for bad codes or parts. They only throw for
 * programming errors in the options (an invalid `now` Date or an invalid table set).
 */
import { BEIJING_UTC_OFFSET_MINUTES } from '#libs/identifiers';
import type { BatteryTypeEntry, CodeTables, ProductTypeEntry } from './tables';
import { DEFAULT_TABLES, SEGMENT_LAYOUT } from './tables';

export type CodeForm = 'original' | 'cascade';

export type Segment =
  | 'input'
  | 'length'
  | 'manufacturer'
  | 'productType'
  | 'batteryType'
  | 'specification'
  | 'traceability'
  | 'year'
  | 'month'
  | 'day'
  | 'date'
  | 'serial'
  | 'cascadeMarker'
  | 'cascadeLevel';

/** Every stable error code of the codec (walked by the test that checks each has a Chinese text). */
export const CODE_ERROR_CODES = [
  /** The normalised code is neither 24 (original) nor 19 (cascade) characters long; or, in `format`, a part has the wrong length. */
  'INVALID_LENGTH',
  /** A character that is not allowed at its position. */
  'INVALID_CHARACTER',
  /** The date symbols are valid but name a day that does not exist (30 Feb, 31 Apr, 29 Feb in a non-leap year). */
  'IMPOSSIBLE_DATE',
  /** The production date is after "today" (from the `now` option, in `utcOffsetMinutes`). */
  'FUTURE_DATE',
  /** `format`: the year has no symbol that would decode back to it (before the first year, or outside the 30-year window). */
  'YEAR_OUT_OF_RANGE',
  /** `format`: a part is missing, of the wrong type, or not in its expected shape; `parse`: the input is not a string. */
  'INVALID_VALUE',
  /** `format`: a part that the form does not have (traceability code in a cascade code, cascade level in an original code). */
  'UNEXPECTED_SEGMENT',
] as const;

export type CodeErrorCode = (typeof CODE_ERROR_CODES)[number];

export interface CodeError {
  /** Stable machine-readable code. */
  readonly code: CodeErrorCode;
  readonly segment: Segment;
  /** 1-based position of the first character concerned (in the normalised code). */
  readonly position: number;
  /** Every 1-based position concerned. */
  readonly positions: readonly number[];
  /** The offending character(s) (for INVALID_LENGTH of the whole code: the normalised code). */
  readonly found: string;
  /** What would have been accepted, for humans. */
  readonly allowed: string;
  /** E.g. `position 17 (day): 'U' is not a day symbol`. */
  readonly message: string;
}

export interface DecodedBatteryCode {
  /** The normalised code (upper case, no separators). */
  readonly code: string;
  readonly form: CodeForm;
  /** Positions 1–3, 厂商代码. In a cascade code, the cascade-use firm's code. */
  readonly manufacturerCode: string;
  /** Position 4, the table entry (symbol P/M/C and name pack/module/cell). */
  readonly productType: ProductTypeEntry;
  /** Position 5, the table entry (letter, meaning and whether that meaning is confirmed). */
  readonly batteryType: BatteryTypeEntry;
  /** Positions 6–7, 规格代码. */
  readonly specificationCode: string;
  /** Positions 8–14, 追溯信息代码; null for a cascade code, which has none. */
  readonly traceabilityCode: string | null;
  /** ISO date 'YYYY-MM-DD' (positions 15–17; 8–10 in a cascade code). */
  readonly productionDate: string;
  /** Seven digits (positions 18–24; 11–17 in a cascade code). */
  readonly serial: string;
  /** Cascade codes only: the final character, raw. Its meaning is unconfirmed (perhaps the original product level). */
  readonly cascadeLevel: string | null;
  /** `version` of the table set used. */
  readonly tablesVersion: string;
}

export type ParseResult =
  | { readonly ok: true; readonly code: DecodedBatteryCode }
  | {
      readonly ok: false;
      /** What was given (for `format`: the code as far as it could be built, '?' for parts that could not be placed). */
      readonly input: string;
      /** The normalised input; error positions refer to it. */
      readonly normalised: string;
      readonly errors: CodeError[];
    };

export interface CodecOptions {
  /**
   * The clock for the future-date check and for placing a year symbol in its 30-year cycle. Default: the
   * current time, read on each call.
   */
  readonly now?: Date;
  /** An alternative table set. Default: DEFAULT_TABLES (GB/T 34014-2017). */
  readonly tables?: CodeTables;
  /**
   * Offset from UTC, in minutes, of the calendar in which production dates are written; used to turn `now`
   * (and Date values given to `format`) into a calendar date. Default 480: China Standard Time (UTC+8, no
   * daylight saving). This is our assumption, not a rule of the standard.
   */
  readonly utcOffsetMinutes?: number;
}

interface OriginalCodePartsBase {
  /** Positions 1–3: three characters [0-9A-Z]. */
  readonly manufacturerCode: string;
  /** Position 4: a product-type symbol (P, M, C). */
  readonly productType: string;
  /** Position 5: a battery-type letter (A–G, Z). */
  readonly batteryType: string;
  /** Positions 6–7: two characters [0-9A-Z]. */
  readonly specificationCode: string;
  /** An ISO date 'YYYY-MM-DD', or a Date (its calendar date at `utcOffsetMinutes`, default UTC+8). */
  readonly productionDate: string | Date;
  /** 0 … 9999999, or a string of seven digits. */
  readonly serial: number | string;
}

export interface OriginalCodeParts extends OriginalCodePartsBase {
  readonly form?: 'original';
  /** Positions 8–14: seven characters [0-9A-Z]. */
  readonly traceabilityCode: string;
  readonly cascadeLevel?: null;
}

export interface CascadeCodeParts extends OriginalCodePartsBase {
  readonly form: 'cascade';
  /** A cascade code has no traceability segment (GB/T 34014-2017 clause 4.2). */
  readonly traceabilityCode?: null;
  /** The final character (P, M, C), meaning unconfirmed. */
  readonly cascadeLevel: string;
}

export type BatteryCodeParts = OriginalCodeParts | CascadeCodeParts;

// ---------------------------------------------------------------------------------------------------------
// Compiled tables
// ---------------------------------------------------------------------------------------------------------

/** Character classes, one bit each, so that one AND checks a character against its position. */
const ALNUM = 1;
const PRODUCT = 2;
const BATTERY = 4;
const YEAR = 8;
const MONTH = 16;
const DAY = 32;
const DIGIT = 64;
const MARKER = 128;
const LEVEL = 256;

const CLASS_OF_SEGMENT: Partial<Record<Segment, number>> = {
  manufacturer: ALNUM,
  productType: PRODUCT,
  batteryType: BATTERY,
  specification: ALNUM,
  traceability: ALNUM,
  year: YEAR,
  month: MONTH,
  day: DAY,
  serial: DIGIT,
  cascadeMarker: MARKER,
  cascadeLevel: LEVEL,
};

/** What a character of each segment is called in messages ("'U' is not a day symbol"). */
const NOUN_OF_SEGMENT: Partial<Record<Segment, string>> = {
  manufacturer: 'a manufacturer-code character',
  productType: 'a product-type symbol',
  batteryType: 'a battery-type letter',
  specification: 'a specification-code character',
  traceability: 'a traceability-code character',
  year: 'a year symbol',
  month: 'a month symbol',
  day: 'a day symbol',
  serial: 'a serial-number digit',
  cascadeMarker: 'the cascade marker',
  cascadeLevel: 'a cascade-level symbol',
};

/** One code form with its positions resolved to 0-based offsets. */
interface CompiledForm {
  readonly form: CodeForm;
  readonly length: number;
  /** Per position: the class bit a character must have. */
  readonly mask: Uint16Array;
  /** Per position: the segment, for error reports. */
  readonly segmentAt: readonly Segment[];
  readonly traceabilityAt: number; // -1 in the cascade form
  readonly yearAt: number;
  readonly serialAt: number;
  readonly levelAt: number; // -1 in the original form
  readonly layout: Readonly<Record<string, readonly [number, number]>>;
}

interface CompiledTables {
  readonly tables: CodeTables;
  readonly version: string;
  readonly classOf: Uint16Array; // by ASCII code
  readonly yearIndex: Int8Array; // by ASCII code, -1 when not a year symbol
  readonly monthValue: Int8Array; // 1–12, -1
  readonly dayValue: Int8Array; // 1–31, -1
  readonly productType: (ProductTypeEntry | undefined)[]; // by ASCII code
  readonly batteryType: (BatteryTypeEntry | undefined)[]; // by ASCII code
  readonly firstYear: number;
  readonly cycle: number;
  readonly original: CompiledForm;
  readonly cascade: CompiledForm;
  readonly allowed: Partial<Record<Segment, string>>;
  readonly lengthsAllowed: string;
}

const LAYOUT_LENGTH: Record<CodeForm, number> = {
  original: layoutLength(SEGMENT_LAYOUT.original),
  cascade: layoutLength(SEGMENT_LAYOUT.cascade),
};

function layoutLength(layout: Readonly<Record<string, readonly [number, number]>>): number {
  return Math.max(...Object.values(layout).map(([, end]) => end));
}

/**
 * Checks that a table set can be compiled: symbols are upper-case ASCII letters or digits, unique within
 * their table, of the right count, and the lengths match the segment layout. Returns the problems found.
 */
export function validateTables(tables: CodeTables): string[] {
  const problems: string[] = [];
  const check = (what: string, symbols: string | undefined, count?: number): void => {
    if (typeof symbols !== 'string' || symbols.length === 0) return void problems.push(`${what}: no symbols`);
    if (!/^[0-9A-Z]+$/.test(symbols)) problems.push(`${what}: symbols must be upper-case ASCII letters or digits`);
    if (new Set(symbols).size !== symbols.length) problems.push(`${what}: duplicate symbols`);
    if (count !== undefined && symbols.length !== count) problems.push(`${what}: expected ${count} symbols, got ${symbols.length}`);
  };
  const productTypes = tables?.productTypes ?? [];
  const batteryTypes = tables?.batteryTypes ?? [];
  if (typeof tables?.version !== 'string' || tables.version === '') problems.push('version: missing');
  check('productTypes', productTypes.map((p) => p.symbol).join(''), productTypes.length);
  check('batteryTypes', batteryTypes.map((b) => b.letter).join(''), batteryTypes.length); // count: one character each
  check('alphanumeric', tables?.alphanumeric?.symbols);
  check('serialDigits', tables?.serialDigits?.symbols);
  check('date.years', tables?.date?.years?.symbols);
  if (!Number.isInteger(tables?.date?.years?.firstYear)) problems.push('date.years.firstYear: not an integer');
  check('date.months', tables?.date?.months?.symbols, 12);
  check('date.days', tables?.date?.days?.symbols, 31);
  check('cascade.marker', tables?.cascade?.marker?.symbol, 1);
  check('cascade.levels', tables?.cascade?.levels?.symbols);
  for (const form of ['original', 'cascade'] as const) {
    const length = tables?.lengths?.[form]?.length;
    if (length !== LAYOUT_LENGTH[form]) {
      problems.push(`lengths.${form}: must be ${LAYOUT_LENGTH[form]} to match SEGMENT_LAYOUT.${form}, got ${length}`);
    }
  }
  return problems;
}

function compile(tables: CodeTables): CompiledTables {
  const problems = validateTables(tables);
  if (problems.length > 0) throw new TypeError(`invalid battery-code tables: ${problems.join('; ')}`);

  const classOf = new Uint16Array(128);
  const mark = (symbols: string, bit: number): void => {
    for (let i = 0; i < symbols.length; i++) classOf[symbols.charCodeAt(i)] |= bit;
  };
  const indexTable = (symbols: string, offset: number): Int8Array => {
    const table = new Int8Array(128).fill(-1);
    for (let i = 0; i < symbols.length; i++) table[symbols.charCodeAt(i)] = i + offset;
    return table;
  };
  const { date } = tables;
  mark(tables.alphanumeric.symbols, ALNUM);
  mark(tables.productTypes.map((p) => p.symbol).join(''), PRODUCT);
  mark(tables.batteryTypes.map((b) => b.letter).join(''), BATTERY);
  mark(date.years.symbols, YEAR);
  mark(date.months.symbols, MONTH);
  mark(date.days.symbols, DAY);
  mark(tables.serialDigits.symbols, DIGIT);
  mark(tables.cascade.marker.symbol, MARKER);
  mark(tables.cascade.levels.symbols, LEVEL);

  const productType = new Array<ProductTypeEntry | undefined>(128).fill(undefined);
  for (const p of tables.productTypes) productType[p.symbol.charCodeAt(0)] = p;
  const batteryType = new Array<BatteryTypeEntry | undefined>(128).fill(undefined);
  for (const b of tables.batteryTypes) batteryType[b.letter.charCodeAt(0)] = b;

  const allowed: Partial<Record<Segment, string>> = {
    manufacturer: describeSymbols(tables.alphanumeric.symbols),
    productType: tables.productTypes.map((p) => `${p.symbol} (${p.name})`).join(', '),
    batteryType: describeSymbols(tables.batteryTypes.map((b) => b.letter).join('')),
    specification: describeSymbols(tables.alphanumeric.symbols),
    traceability: describeSymbols(tables.alphanumeric.symbols),
    year: describeSymbols(date.years.symbols),
    month: describeSymbols(date.months.symbols),
    day: describeSymbols(date.days.symbols),
    serial: describeSymbols(tables.serialDigits.symbols),
    cascadeMarker: tables.cascade.marker.symbol,
    cascadeLevel: describeSymbols(tables.cascade.levels.symbols),
  };
  return {
    tables,
    version: tables.version,
    classOf,
    yearIndex: indexTable(date.years.symbols, 0),
    monthValue: indexTable(date.months.symbols, 1),
    dayValue: indexTable(date.days.symbols, 1),
    productType,
    batteryType,
    firstYear: date.years.firstYear,
    cycle: date.years.symbols.length,
    original: compileForm('original'),
    cascade: compileForm('cascade'),
    allowed,
    lengthsAllowed: `${tables.lengths.original.length} characters (original code) or ` + `${tables.lengths.cascade.length} characters (cascade code)`,
  };
}

function compileForm(form: CodeForm): CompiledForm {
  const layout: Readonly<Record<string, readonly [number, number]>> = SEGMENT_LAYOUT[form];
  const length = LAYOUT_LENGTH[form];
  const mask = new Uint16Array(length);
  const segmentAt: Segment[] = new Array<Segment>(length);
  for (const [segment, [start, end]] of Object.entries(layout)) {
    for (let p = start; p <= end; p++) {
      mask[p - 1] = CLASS_OF_SEGMENT[segment as Segment] ?? 0;
      segmentAt[p - 1] = segment as Segment;
    }
  }
  return {
    form,
    length,
    mask,
    segmentAt,
    traceabilityAt: layout.traceability ? layout.traceability[0] - 1 : -1,
    yearAt: layout.year[0] - 1,
    serialAt: layout.serial[0] - 1,
    levelAt: layout.cascadeLevel ? layout.cascadeLevel[0] - 1 : -1,
    layout,
  };
}

/** "123456789ABCDEFGHJKLMNPRSTVWXY0" → "1-9, A-H, J-N, P, R-T, V-Y, 0". */
function describeSymbols(symbols: string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < symbols.length) {
    let j = i;
    while (j + 1 < symbols.length && symbols.charCodeAt(j + 1) === symbols.charCodeAt(j) + 1) j++;
    if (j - i >= 2) parts.push(`${symbols[i]}-${symbols[j]}`);
    else for (let k = i; k <= j; k++) parts.push(symbols[k]);
    i = j + 1;
  }
  return parts.join(', ');
}

const DEFAULT_COMPILED = compile(DEFAULT_TABLES);
const compiledCache = new WeakMap<CodeTables, CompiledTables>();

function compiled(tables: CodeTables | undefined): CompiledTables {
  if (tables === undefined || tables === DEFAULT_TABLES) return DEFAULT_COMPILED;
  let c = compiledCache.get(tables);
  if (c === undefined) {
    c = compile(tables);
    compiledCache.set(tables, c);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------------------
// Clock: "today" as a yyyymmdd integer, cached for the calendar day the last `now` fell in
// ---------------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const CHINA_STANDARD_TIME = BEIJING_UTC_OFFSET_MINUTES;

let clockFrom = 0; // [clockFrom, clockTo): the UTC instants of the cached calendar day
let clockTo = 0;
let clockOffset = NaN;
let clockToday = 0; // yyyymmdd
let clockYear = 0;

/** Brings the cached day up to date for the instant `ms`; a Date object is made only when the day changes. */
function setClock(ms: number, offsetMinutes: number): void {
  if (ms >= clockFrom && ms < clockTo && offsetMinutes === clockOffset) return;
  if (!Number.isFinite(ms)) throw new RangeError('battery-code: options.now is an invalid Date');
  if (!Number.isFinite(offsetMinutes)) throw new RangeError('battery-code: options.utcOffsetMinutes is not a number');
  const offsetMs = offsetMinutes * 60_000;
  const dayStart = Math.floor((ms + offsetMs) / DAY_MS) * DAY_MS;
  const local = new Date(dayStart);
  clockYear = local.getUTCFullYear();
  clockToday = clockYear * 10_000 + (local.getUTCMonth() + 1) * 100 + local.getUTCDate();
  clockFrom = dayStart - offsetMs;
  clockTo = clockFrom + DAY_MS;
  clockOffset = offsetMinutes;
  systemDayCached = false;
}

/*
 * Without `now`, "today" is the system clock's day in Beijing. Reading the clock costs about 50 ns on a
 * virtual machine, a fifth of a whole parse, so it is read once per day instead: a timer marks the cached day
 * over when it ends (unref'd, so it never keeps a process alive). A synchronous loop that runs across
 * midnight judges its codes by the day it started in, as a batch given one `now` does.
 */
let systemDayCached = false;
let systemDayTimer: ReturnType<typeof setTimeout> | undefined;

function useSystemClock(): void {
  if (systemDayCached) return;
  const ms = Date.now();
  setClock(ms, CHINA_STANDARD_TIME);
  systemDayCached = true;
  if (systemDayTimer !== undefined) clearTimeout(systemDayTimer);
  systemDayTimer = setTimeout(() => {
    systemDayCached = false;
    systemDayTimer = undefined;
  }, clockTo - ms);
  systemDayTimer.unref?.();
}

function setClockFrom(options: CodecOptions | undefined): void {
  const offset = options?.utcOffsetMinutes ?? CHINA_STANDARD_TIME;
  if (options?.now !== undefined) setClock(options.now.getTime(), offset);
  else if (offset === CHINA_STANDARD_TIME) useSystemClock();
  else setClock(Date.now(), offset);
}

// ---------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function isLeapYear(y: number): boolean {
  return (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/**
 * ISO date strings, built once per date and then shared (strings are immutable): building one on every parse
 * costs as much as validating the code. Rows are years from ISO_CACHE_FIRST_YEAR, filled on first use;
 * entries are at month * 32 + day.
 */
const ISO_CACHE_FIRST_YEAR = 2000;
const ISO_CACHE_YEARS = 400;
const isoCache: (string[] | undefined)[] = new Array<string[] | undefined>(ISO_CACHE_YEARS).fill(undefined);

function isoDate(y: number, m: number, d: number): string {
  const row = y - ISO_CACHE_FIRST_YEAR;
  if (row < 0 || row >= ISO_CACHE_YEARS) return `${y}-${pad2(m)}-${pad2(d)}`;
  let dates = isoCache[row];
  if (dates === undefined) {
    dates = new Array<string>(13 * 32).fill('');
    for (let month = 1; month <= 12; month++) {
      for (let day = 1; day <= 31; day++) dates[month * 32 + day] = `${y}-${pad2(month)}-${pad2(day)}`;
    }
    isoCache[row] = dates;
  }
  return dates[m * 32 + d];
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * The year meant by year symbol number `index`. The symbols cover firstYear … firstYear + 29 (2011–2040) and,
 * we assume (unconfirmed), repeat every 30 years after that. A code cannot come from the future, so a symbol
 * means the latest year of its residue class that is not after `nowYear`. If even the first-cycle year is
 * after `nowYear`, it is that first-cycle year (which the future-date check then rejects): years before
 * firstYear have no symbol.
 */
function resolveYear(ct: CompiledTables, index: number, nowYear: number): number {
  const first = ct.firstYear + index;
  if (first >= nowYear) return first;
  return first + ct.cycle * Math.floor((nowYear - first) / ct.cycle);
}

// ---------------------------------------------------------------------------------------------------------
// normalise
// ---------------------------------------------------------------------------------------------------------

/**
 * Turns what a person typed or a scanner read into the form `parse` checks: removes whitespace (including
 * line breaks, U+3000 ideographic space, no-break spaces, zero-width space and BOM) and hyphens/dashes
 * (ASCII, Unicode and full-width), maps full-width ASCII (U+FF01–FF5E, as typed with a Chinese IME) to ASCII,
 * and upper-cases ASCII letters. Other characters are kept as they are, so that `parse` can report them.
 *
 * The two printed fragments of a code (labels often print the design and production parts, or two halves,
 * on separate lines) are joined in the order given, whether they come as an array or as one string with a
 * line break. The order is not guessed: a swapped pair fails validation rather than being silently fixed.
 * Nothing is validated here. The output is a fixed point: normalise(normalise(x)) === normalise(x).
 */
export function normalise(input: string | readonly string[]): string {
  if (typeof input !== 'string') {
    let joined = '';
    for (const fragment of input) joined += normalise(String(fragment));
    return joined;
  }
  // Most input is already clean: return it without building a new string.
  let i = 0;
  while (i < input.length && mapChar(input.charCodeAt(i)) === input.charCodeAt(i)) i++;
  if (i === input.length) return input;
  let out = input.slice(0, i);
  for (; i < input.length; i++) {
    const c = mapChar(input.charCodeAt(i));
    if (c >= 0) out += String.fromCharCode(c);
  }
  return out;
}

/** What normalise makes of UTF-16 unit `c`: -1 to drop it, else the unit to keep. */
function mapChar(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0; // full-width ASCII → ASCII
  if (isSeparator(c)) return -1;
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c; // a-z → A-Z
}

function isSeparator(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d); // space, \t \n \v \f \r
  if (c < 0x7f) return c === 0x2d; // '-'
  switch (c) {
    case 0x85: // next line
    case 0xa0: // no-break space
    case 0xad: // soft hyphen
    case 0x1680:
    case 0x2028: // line separator
    case 0x2029: // paragraph separator
    case 0x202f: // narrow no-break space
    case 0x205f:
    case 0x2212: // minus sign
    case 0x3000: // ideographic (full-width) space
    case 0xfe63: // small hyphen-minus
    case 0xfeff: // BOM / zero-width no-break space
      return true;
    default:
      return (c >= 0x2000 && c <= 0x200b) || (c >= 0x2010 && c <= 0x2015); // spaces, zero-width space; hyphens and dashes
  }
}

// ---------------------------------------------------------------------------------------------------------
// parse
// ---------------------------------------------------------------------------------------------------------

/**
 * Decodes and validates a battery code. The input is normalised first (see `normalise`); error positions
 * refer to the normalised string. All errors are reported, not only the first; a wrong length is reported
 * alone, since positions mean nothing then.
 */
export function parse(input: string, options?: CodecOptions): ParseResult {
  if (typeof input !== 'string') return notAString(input);
  const ct = options === undefined ? DEFAULT_COMPILED : compiled(options.tables);
  const code = decodeValid(input, ct, options);
  if (code !== null) return { ok: true, code };
  return parseSlow(input, ct, options);
}

/** The fast path: the decoded code if `s` is a valid normalised code, otherwise null (without saying why). */
function decodeValid(s: string, ct: CompiledTables, options: CodecOptions | undefined): DecodedBatteryCode | null {
  const f = s.length === ct.original.length ? ct.original : s.length === ct.cascade.length ? ct.cascade : null;
  if (f === null) return null;
  const classOf = ct.classOf;
  const mask = f.mask;
  for (let i = 0; i < mask.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || (classOf[c] & mask[i]) === 0) return null;
  }
  const at = f.yearAt;
  const month = ct.monthValue[s.charCodeAt(at + 1)];
  const day = ct.dayValue[s.charCodeAt(at + 2)];
  if (day > DAYS_IN_MONTH[month] && !(month === 2 && day === 29)) return null; // 30 Feb, 31 Apr …
  setClockFrom(options);
  const year = resolveYear(ct, ct.yearIndex[s.charCodeAt(at)], clockYear);
  if (month === 2 && day === 29 && !isLeapYear(year)) return null;
  if (year * 10_000 + month * 100 + day > clockToday) return null;
  const serialAt = f.serialAt;
  return {
    code: s,
    form: f.form,
    manufacturerCode: s.slice(0, 3),
    productType: ct.productType[s.charCodeAt(3)]!,
    batteryType: ct.batteryType[s.charCodeAt(4)]!,
    specificationCode: s.slice(5, 7),
    traceabilityCode: f.traceabilityAt < 0 ? null : s.slice(f.traceabilityAt, f.traceabilityAt + 7),
    productionDate: isoDate(year, month, day),
    serial: s.slice(serialAt, serialAt + 7),
    cascadeLevel: f.levelAt < 0 ? null : s[f.levelAt],
    tablesVersion: ct.version,
  };
}

function parseSlow(input: string, ct: CompiledTables, options: CodecOptions | undefined): ParseResult {
  const normalised = normalise(input);
  if (normalised !== input) {
    const code = decodeValid(normalised, ct, options);
    if (code !== null) return { ok: true, code };
  }
  return { ok: false, input, normalised, errors: collectErrors(normalised, ct, options, null) };
}

function notAString(input: unknown): ParseResult {
  const found = String(input);
  return {
    ok: false,
    input: found,
    normalised: '',
    errors: [
      {
        code: 'INVALID_VALUE',
        segment: 'input',
        position: 1,
        positions: [],
        found,
        allowed: 'a string',
        message: `input: expected a string, got ${typeof input}`,
      },
    ],
  };
}

/**
 * Every error in normalised code `s`. `skip` (from `format`): positions whose problem is already reported,
 * where the code holds placeholders.
 */
function collectErrors(s: string, ct: CompiledTables, options: CodecOptions | undefined, skip: ReadonlySet<number> | null): CodeError[] {
  const f = s.length === ct.original.length ? ct.original : s.length === ct.cascade.length ? ct.cascade : null;
  if (f === null) return [lengthError(s, ct)];
  const errors: CodeError[] = [];
  for (let i = 0; i < f.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 127 && (ct.classOf[c] & f.mask[i]) !== 0) continue;
    if (skip?.has(i + 1)) continue;
    const segment = f.segmentAt[i];
    errors.push({
      code: 'INVALID_CHARACTER',
      segment,
      position: i + 1,
      positions: [i + 1],
      found: s[i],
      allowed: ct.allowed[segment]!,
      message: `position ${i + 1} (${segment}): ${show(s[i])} is not ${NOUN_OF_SEGMENT[segment]}`,
    });
  }
  const dateError = checkDate(s, f, ct, options);
  if (dateError !== null) errors.push(dateError);
  return errors.length > 1 ? errors.sort(byPosition) : errors;
}

function byPosition(a: CodeError, b: CodeError): number {
  return a.position - b.position;
}

function lengthError(s: string, ct: CompiledTables): CodeError {
  const longest = Math.max(ct.original.length, ct.cascade.length);
  // Too long: the surplus characters are concerned; too short: the missing positions of an original code.
  const positions: number[] = [];
  if (s.length > longest) for (let p = longest + 1; p <= s.length; p++) positions.push(p);
  else for (let p = s.length + 1; p <= longest; p++) positions.push(p);
  return {
    code: 'INVALID_LENGTH',
    segment: 'length',
    position: positions[0],
    positions,
    found: s,
    allowed: ct.lengthsAllowed,
    message: `length ${s.length}: expected ${ct.lengthsAllowed}`,
  };
}

/** The date error of a code whose length is right, if any (impossible date or future date). */
function checkDate(s: string, f: CompiledForm, ct: CompiledTables, options: CodecOptions | undefined): CodeError | null {
  const at = f.yearAt;
  const yc = s.charCodeAt(at);
  const month = s.charCodeAt(at + 1) <= 127 ? ct.monthValue[s.charCodeAt(at + 1)] : -1;
  const day = s.charCodeAt(at + 2) <= 127 ? ct.dayValue[s.charCodeAt(at + 2)] : -1;
  if (month < 0 || day < 0) return null; // already reported as characters
  const p = at + 1; // 1-based position of the year symbol
  const maxDay = month === 2 ? 29 : DAYS_IN_MONTH[month];
  if (day > maxDay) {
    // Impossible in every year: only the month and day symbols are concerned.
    return {
      code: 'IMPOSSIBLE_DATE',
      segment: 'date',
      position: p + 1,
      positions: [p + 1, p + 2],
      found: s.slice(at + 1, at + 3),
      allowed: `a day from 1 to ${maxDay} in ${MONTH_NAMES[month]}`,
      message: `positions ${p + 1}-${p + 2} (date): '${s.slice(at + 1, at + 3)}' would be ${MONTH_NAMES[month]} ${day}, which does not exist`,
    };
  }
  const index = yc <= 127 ? ct.yearIndex[yc] : -1;
  if (index < 0) return null; // bad year symbol, already reported
  setClockFrom(options);
  const year = resolveYear(ct, index, clockYear);
  const found = s.slice(at, at + 3);
  const positions = [p, p + 1, p + 2];
  if (month === 2 && day === 29 && !isLeapYear(year)) {
    return {
      code: 'IMPOSSIBLE_DATE',
      segment: 'date',
      position: p,
      positions,
      found,
      allowed: `a day from 1 to 28 in February ${year}`,
      message: `positions ${p}-${p + 2} (date): '${found}' would be ${isoDate(year, month, day)}, which does not exist (${year} is not a leap year)`,
    };
  }
  if (year * 10_000 + month * 100 + day > clockToday) return futureDateError(p, found, isoDate(year, month, day));
  return null;
}

function futureDateError(p: number, found: string, date: string): CodeError {
  const today = isoDate(Math.floor(clockToday / 10_000), Math.floor(clockToday / 100) % 100, clockToday % 100);
  return {
    code: 'FUTURE_DATE',
    segment: 'date',
    position: p,
    positions: [p, p + 1, p + 2],
    found,
    allowed: `a date on or before ${today}`,
    message: `positions ${p}-${p + 2} (date): ${found === date ? date : `'${found}' decodes to ${date}`}, which is after today (${today})`,
  };
}

/** A character for a message: 'U'; non-ASCII also with its code point: '中' (U+4E2D); controls escaped. */
function show(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c >= 0x20 && c < 0x7f) return `'${ch}'`;
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return hex;
  return `'${ch}' (${hex})`;
}

// ---------------------------------------------------------------------------------------------------------
// format
// ---------------------------------------------------------------------------------------------------------

/**
 * Builds a code from its parts and validates it as `parse` does, returning the same result shape. String
 * parts are normalised (so 'b' is accepted for 'B'). Errors of parts that cannot be placed in the code
 * (wrong length, wrong type, a year with no symbol) are reported at the positions the part would occupy,
 * together with every error `parse` finds in the rest of the code.
 */
export function format(parts: BatteryCodeParts, options?: CodecOptions): ParseResult {
  const ct = compiled(options?.tables);
  const form: unknown = typeof parts === 'object' && parts !== null ? (parts.form ?? 'original') : undefined;
  if (form !== 'original' && form !== 'cascade') {
    const found = String(form);
    const error = invalid('input', [], found, "parts with form 'original' (default) or 'cascade'", `parts: ${show(found)} is not a code form`);
    return { ok: false, input: '', normalised: '', errors: [error] };
  }
  const f = form === 'original' ? ct.original : ct.cascade;
  const errors: CodeError[] = [];
  const placeholders = new Set<number>();

  /** '?' placeholders for a part that cannot be placed, after reporting why. */
  const reject = (error: CodeError): string => {
    errors.push(error);
    for (const p of error.positions) placeholders.add(p);
    return '?'.repeat(error.positions.length);
  };
  /** The normalised part if it has the segment's width, else placeholders. */
  const place = (segment: Segment, value: unknown): string => {
    const [start, end] = f.layout[segment];
    const width = end - start + 1;
    const positions = range(start, end);
    const where = `${width === 1 ? 'position' : 'positions'} ${start}${width === 1 ? '' : `-${end}`} (${segment})`;
    if (typeof value !== 'string') {
      const got = value === null ? 'null' : typeof value;
      return reject(invalid(segment, positions, String(value), `a string of ${characters(width)}`, `${where}: expected a string, got ${got}`));
    }
    const text = normalise(value);
    if (text.length === width) return text;
    return reject({
      code: 'INVALID_LENGTH',
      segment,
      position: start,
      positions,
      found: text,
      allowed: characters(width),
      message: `${where}: '${text}' has ${characters(text.length)}, expected ${width}`,
    });
  };
  const unexpected = (segment: Segment, position: number, value: unknown, why: string): void => {
    const found = String(value);
    errors.push({ code: 'UNEXPECTED_SEGMENT', segment, position, positions: [], found, allowed: 'null or absent', message: `${segment}: ${why}` });
  };

  let code =
    place('manufacturer', parts.manufacturerCode) +
    place('productType', parts.productType) +
    place('batteryType', parts.batteryType) +
    place('specification', parts.specificationCode);
  if (form === 'original') {
    code += place('traceability', parts.traceabilityCode);
    if (parts.cascadeLevel != null) unexpected('cascadeLevel', f.length + 1, parts.cascadeLevel, 'an original code has no cascade level');
  } else if (parts.traceabilityCode != null && normalise(String(parts.traceabilityCode)) !== '') {
    unexpected('traceability', f.yearAt + 1, parts.traceabilityCode, 'a cascade code has no traceability segment (GB/T 34014-2017 clause 4.2)');
  }
  code += encodeDate(parts.productionDate, f, ct, options, errors, reject);
  const serial = parts.serial;
  if (typeof serial === 'number') {
    const [start, end] = f.layout.serial;
    code +=
      Number.isInteger(serial) && serial >= 0 && serial <= 9_999_999
        ? String(serial).padStart(7, '0')
        : reject(
            invalid(
              'serial',
              range(start, end),
              String(serial),
              'an integer from 0 to 9999999, or seven digits',
              `positions ${start}-${end} (serial): ${serial} is not an integer from 0 to 9999999`,
            ),
          );
  } else {
    code += place('serial', serial);
  }
  if (form === 'cascade') code += ct.tables.cascade.marker.symbol + place('cascadeLevel', parts.cascadeLevel);

  if (errors.length === 0) return parse(code, options);
  errors.push(...collectErrors(code, ct, options, placeholders));
  return { ok: false, input: code, normalised: code, errors: errors.sort(byPosition) };
}

function invalid(segment: Segment, positions: number[], found: string, allowed: string, message: string): CodeError {
  return { code: 'INVALID_VALUE', segment, position: positions[0] ?? 1, positions, found, allowed, message };
}

function characters(n: number): string {
  return n === 1 ? '1 character' : `${n} characters`;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let p = from; p <= to; p++) out.push(p);
  return out;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The three date symbols, or placeholders after reporting why the date cannot be encoded. */
function encodeDate(
  value: unknown,
  f: CompiledForm,
  ct: CompiledTables,
  options: CodecOptions | undefined,
  errors: CodeError[],
  reject: (error: CodeError) => string,
): string {
  const p = f.yearAt + 1;
  let y = NaN;
  let m = NaN;
  let d = NaN;
  if (value instanceof Date) {
    // The calendar date at utcOffsetMinutes (default China Standard Time) of that instant.
    const local = new Date(value.getTime() + (options?.utcOffsetMinutes ?? CHINA_STANDARD_TIME) * 60_000);
    y = local.getUTCFullYear();
    m = local.getUTCMonth() + 1;
    d = local.getUTCDate();
  } else if (typeof value === 'string') {
    const match = ISO_DATE.exec(value.trim());
    if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31 && Number.isInteger(y))) {
    const found = value instanceof Date ? 'Invalid Date' : String(value);
    const message = `positions ${p}-${p + 2} (date): '${found}' is not a date`;
    return reject(invalid('date', [p, p + 1, p + 2], found, "an ISO date 'YYYY-MM-DD' or a valid Date", message));
  }
  // Impossible dates such as 2023-02-29 are encoded as given; parse then reports them.
  const symbols = ct.tables.date;
  const monthDay = symbols.months.symbols[m - 1] + symbols.days.symbols[d - 1];
  setClockFrom(options);
  const index = y - ct.firstYear;
  // The year symbol must decode back to this year under the same clock (see resolveYear).
  if (index >= 0 && resolveYear(ct, index % ct.cycle, clockYear) === y) return symbols.years.symbols[index % ct.cycle] + monthDay;

  const last = Math.max(ct.firstYear + ct.cycle - 1, clockYear);
  reject({
    code: 'YEAR_OUT_OF_RANGE',
    segment: 'year',
    position: p,
    positions: [p],
    found: String(y),
    allowed: `a year from ${Math.max(ct.firstYear, last - ct.cycle + 1)} to ${last}`,
    message:
      `position ${p} (year): ${y} has no symbol that decodes back to it ` +
      `(${ct.firstYear}-${ct.firstYear + ct.cycle - 1}, repeating every ${ct.cycle} years, latest cycle not after today)`,
  });
  // parse cannot see that such a date is in the future, so report it here.
  if (y * 10_000 + m * 100 + d > clockToday) errors.push(futureDateError(p, isoDate(y, m, d), isoDate(y, m, d)));
  return '?' + monthDay;
}
