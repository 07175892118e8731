/**
 * A table set compiled for the parser: lookup arrays and per-position bit masks, built once per table set
 * (`compiled`), and the check of a table set a caller passes (`validateTables`).
 */
import type { CodeForm, Segment } from './codec-types';
import type { BatteryTypeEntry, CodeTables, ProductTypeEntry } from './tables';
import { DEFAULT_TABLES, SEGMENT_LAYOUT } from './tables';

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
export const NOUN_OF_SEGMENT: Partial<Record<Segment, string>> = {
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
export interface CompiledForm {
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

export interface CompiledTables {
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

export const DEFAULT_COMPILED = compile(DEFAULT_TABLES);
const compiledCache = new WeakMap<CodeTables, CompiledTables>();

export function compiled(tables: CodeTables | undefined): CompiledTables {
  if (tables === undefined || tables === DEFAULT_TABLES) return DEFAULT_COMPILED;
  let c = compiledCache.get(tables);
  if (c === undefined) {
    c = compile(tables);
    compiledCache.set(tables, c);
  }
  return c;
}
