/**
 * Spreadsheet cells to the JSON values of the event API. Pure: no Nest, no I/O.
 *
 * A CSV cell is always text; an XLSX cell may also be a number, a boolean, a date
 * (a number formatted as a date, which the reader turns into a Date whose UTC fields
 * are the wall-clock time shown in the sheet) or an error such as #N/A.
 */
export type CellValue = string | number | boolean | Date | null | CellError;

export interface CellError {
  error: string;
}

/** How a column's cells are read; each ledger FieldSpec kind maps onto one of these. */
export type CellKind = 'text' | 'number' | 'integer' | 'boolean' | 'date' | 'datetime' | 'list' | 'json';

export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

/** Spreadsheets carry no time zone; the ledger's business times are Chinese, so a time without an offset is Beijing time. */
export const SHEET_UTC_OFFSET = '+08:00';

/** Separators accepted between several values in one cell (e.g. battery codes). */
export const LIST_SEPARATORS = /[;|\r\n]+/;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'yes', 'y', '1', '是']);
const FALSE = new Set(['false', 'no', 'n', '0', '否']);

export function isCellError(value: CellValue): value is CellError {
  return value !== null && typeof value === 'object' && !(value instanceof Date);
}

/** Empty cells (and cells of only spaces) stand for an absent field. */
export function isEmptyCell(value: CellValue): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** Writes a number as the text a person typed (integers without exponent or `.0`). */
function numberAsText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

const DATE_TEXT = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const COMPACT_DATE_TEXT = /^(\d{4})(\d{2})(\d{2})$/;
const DATETIME_TEXT = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

function dateFromText(text: string): Converted {
  const m = DATE_TEXT.exec(text) ?? COMPACT_DATE_TEXT.exec(text);
  if (!m) return { ok: false, reason: `'${text}' is not a date (write YYYY-MM-DD)` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isRealDate(y, mo, d)) return { ok: false, reason: `'${text}' is not a calendar date` };
  return { ok: true, value: `${m[1]}-${pad(mo)}-${pad(d)}` };
}

function datetimeFromText(text: string): Converted {
  const m = DATETIME_TEXT.exec(text);
  if (!m) return { ok: false, reason: `'${text}' is not a date-time (write YYYY-MM-DDTHH:MM:SS+08:00, or YYYY-MM-DD HH:MM in Beijing time)` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isRealDate(y, mo, d)) return { ok: false, reason: `'${text}' is not a calendar date` };
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return { ok: false, reason: `'${text}' is not a time of day` };
  const fraction = m[7] ?? '';
  let offset = m[8] ?? SHEET_UTC_OFFSET;
  if (/^z$/i.test(offset)) offset = 'Z';
  else if (offset.length === 5) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return { ok: true, value: `${m[1]}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction}${offset}` };
}

function sheetDateParts(date: Date) {
  return {
    y: date.getUTCFullYear(),
    mo: date.getUTCMonth() + 1,
    d: date.getUTCDate(),
    h: date.getUTCHours(),
    mi: date.getUTCMinutes(),
    s: date.getUTCSeconds(),
  };
}

function describe(value: CellValue): string {
  if (value instanceof Date) return 'a date';
  if (typeof value === 'number') return `the number ${numberAsText(value)}`;
  if (typeof value === 'boolean') return `the boolean ${String(value).toUpperCase()}`;
  return `'${String(value)}'`;
}

/**
 * Converts one non-empty cell. `enumValues` restricts text to the listed values
 * (compared after trimming, case-sensitively, as the JSON API does).
 */
export function convertCell(value: CellValue, kind: CellKind, enumValues?: readonly string[]): Converted {
  if (value === null) return { ok: true, value: undefined };
  if (isCellError(value)) return { ok: false, reason: `the cell holds the spreadsheet error ${value.error}` };
  switch (kind) {
    case 'text': {
      if (value instanceof Date) return { ok: false, reason: 'is a date; expected text (format the cell as text)' };
      const text = typeof value === 'number' ? numberAsText(value) : String(value).trim();
      if (enumValues && !enumValues.includes(text)) return { ok: false, reason: `'${text}' is not one of ${enumValues.join(', ')}` };
      return { ok: true, value: text };
    }
    case 'number':
    case 'integer': {
      let n: number;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'string' && NUMBER.test(value.trim())) n = Number(value.trim());
      else return { ok: false, reason: `${describe(value)} is not a number` };
      if (!Number.isFinite(n)) return { ok: false, reason: `${describe(value)} is not a finite number` };
      if (kind === 'integer' && !Number.isInteger(n)) return { ok: false, reason: `${describe(value)} is not a whole number` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const text = typeof value === 'number' ? numberAsText(value) : typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (TRUE.has(text)) return { ok: true, value: true };
      if (FALSE.has(text)) return { ok: true, value: false };
      return { ok: false, reason: `${describe(value)} is not a yes/no value (true/false, 1/0, 是/否)` };
    }
    case 'date': {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return { ok: false, reason: 'is not a valid date' };
        const p = sheetDateParts(value);
        return { ok: true, value: `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}` };
      }
      if (typeof value !== 'string') return { ok: false, reason: `${describe(value)} is not a date (format the cell as a date or write YYYY-MM-DD)` };
      return dateFromText(value.trim());
    }
    case 'datetime': {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return { ok: false, reason: 'is not a valid date' };
        const p = sheetDateParts(value);
        return { ok: true, value: `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${SHEET_UTC_OFFSET}` };
      }
      if (typeof value !== 'string')
        return { ok: false, reason: `${describe(value)} is not a date-time (format the cell as a date or write YYYY-MM-DDTHH:MM:SS+08:00)` };
      return datetimeFromText(value.trim());
    }
    case 'list': {
      if (value instanceof Date || typeof value === 'boolean') return { ok: false, reason: `${describe(value)} is not a list of values` };
      const text = typeof value === 'number' ? numberAsText(value) : value;
      const items = text
        .split(LIST_SEPARATORS)
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (enumValues) {
        const bad = items.filter((i) => !enumValues.includes(i));
        if (bad.length > 0) return { ok: false, reason: `'${bad.join("', '")}' not among ${enumValues.join(', ')}` };
      }
      return { ok: true, value: items };
    }
    case 'json': {
      if (typeof value !== 'string') return { ok: false, reason: `${describe(value)} is not JSON` };
      try {
        return { ok: true, value: JSON.parse(value) as unknown };
      } catch (error) {
        return { ok: false, reason: `is not valid JSON: ${(error as Error).message}` };
      }
    }
  }
}
