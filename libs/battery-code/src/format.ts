/** `format`: a code built from its parts and checked as `parse` checks it. */
import { BEIJING_UTC_OFFSET_MINUTES } from '#libs/identifiers';
import type { BatteryCodeParts, CodeError, CodecOptions, ParseResult, Segment } from './codec-types';
import type { CompiledForm, CompiledTables } from './compiled-tables';
import { compiled } from './compiled-tables';
import { normalise } from './normalise';
import { byPosition, clockTodayNow, clockYearNow, collectErrors, futureDateError, isoDate, parse, resolveYear, setClockFrom, show } from './parse';

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
    const local = new Date(value.getTime() + (options?.utcOffsetMinutes ?? BEIJING_UTC_OFFSET_MINUTES) * 60_000);
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
  if (index >= 0 && resolveYear(ct, index % ct.cycle, clockYearNow()) === y) return symbols.years.symbols[index % ct.cycle] + monthDay;

  const last = Math.max(ct.firstYear + ct.cycle - 1, clockYearNow());
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
  if (y * 10_000 + m * 100 + d > clockTodayNow()) errors.push(futureDateError(p, isoDate(y, m, d), isoDate(y, m, d)));
  return '?' + monthDay;
}
