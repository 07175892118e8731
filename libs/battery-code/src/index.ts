/**
 * GB/T 34014-2017 traction-battery codes: pure TypeScript, no runtime dependencies.
 */
// Straight from the modules that define them (not through codec.ts): one accessor between a caller and parse.
export * from './codec-types';
export { validateTables } from './compiled-tables';
export { normalise } from './normalise';
export { parse } from './parse';
export { format } from './format';
export { BATTERY_CODE_MESSAGES_ZH } from './messages.zh';
export { DEFAULT_TABLES, GBT34014_2017, SEGMENT_LAYOUT } from './tables';
export { MAX_COMPOSITION_DEPTH, MAX_CONTAINMENT_DEPTH } from './structure';
export type { BatteryTypeEntry, CodeTables, Confidence, ProductTypeEntry, ProductTypeName, SymbolTable } from './tables';
