/**
 * GB/T 34014-2017 traction-battery codes: pure TypeScript, no runtime dependencies.
 */
export { CODE_ERROR_CODES, normalise, parse, format, validateTables } from './codec';
export { BATTERY_CODE_MESSAGES_ZH } from './messages.zh';
export type {
  BatteryCodeParts,
  CascadeCodeParts,
  CodeError,
  CodeErrorCode,
  CodeForm,
  CodecOptions,
  DecodedBatteryCode,
  OriginalCodeParts,
  ParseResult,
  Segment,
} from './codec';
export { DEFAULT_TABLES, GBT34014_2017, SEGMENT_LAYOUT } from './tables';
export { MAX_COMPOSITION_DEPTH, MAX_CONTAINMENT_DEPTH } from './structure';
export type { BatteryTypeEntry, CodeTables, Confidence, ProductTypeEntry, ProductTypeName, SymbolTable } from './tables';
