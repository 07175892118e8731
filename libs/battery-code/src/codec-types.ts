/** The codec's vocabulary: code forms and segments, errors, decoded codes, options and the parts `format` takes. */
import type { BatteryTypeEntry, CodeTables, ProductTypeEntry } from './tables';

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
