/**
 * `parse`: the hot path (one charCodeAt loop against the compiled masks, the date checked arithmetically against a
 * "today" cached per calendar day) and, apart, the slow path that says what is wrong. The clock and the date
 * helpers live here with it, so that the hot path reads them as local bindings.
 */
import { BEIJING_UTC_OFFSET_MINUTES } from '#libs/identifiers';
import type { CodeError, CodecOptions, DecodedBatteryCode, ParseResult } from './codec-types';
import type { CompiledForm, CompiledTables } from './compiled-tables';
import { compiled, DEFAULT_COMPILED, NOUN_OF_SEGMENT } from './compiled-tables';
import { normalise } from './normalise';

/** The default tables, compiled: held in a binding of this module, read on every parse without options. */
const DEFAULT_TABLES_COMPILED = DEFAULT_COMPILED;

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

/** The cached clock's year and day (yyyymmdd), as `setClockFrom` last set them (for `format`). */
export const clockYearNow = (): number => clockYear;
export const clockTodayNow = (): number => clockToday;

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

export function setClockFrom(options: CodecOptions | undefined): void {
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

export function isoDate(y: number, m: number, d: number): string {
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
export function resolveYear(ct: CompiledTables, index: number, nowYear: number): number {
  const first = ct.firstYear + index;
  if (first >= nowYear) return first;
  return first + ct.cycle * Math.floor((nowYear - first) / ct.cycle);
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
  const ct = options === undefined ? DEFAULT_TABLES_COMPILED : compiled(options.tables);
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
export function collectErrors(s: string, ct: CompiledTables, options: CodecOptions | undefined, skip: ReadonlySet<number> | null): CodeError[] {
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

export function byPosition(a: CodeError, b: CodeError): number {
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

export function futureDateError(p: number, found: string, date: string): CodeError {
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
export function show(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c >= 0x20 && c < 0x7f) return `'${ch}'`;
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return hex;
  return `'${ch}' (${hex})`;
}
