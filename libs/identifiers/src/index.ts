// Identifiers and the small value checks every lib shares, in pure TypeScript (no Nest, no database): see README.md.
export { checkUscc, usccCheckCharacter } from './uscc';
export type { UsccCheck } from './uscc';
export { checkVin, vinCheckDigit } from './vin';
export type { VinCheck } from './vin';
export { checkRegionCode, regionKeys } from './region';
export type { RegionCheck } from './region';
export { checkGtin, gtinCheckDigit, isValidGtin, GTIN_LENGTHS } from './gtin';
export type { GtinCheck } from './gtin';
export { BEIJING_UTC_OFFSET_MINUTES, beijingDate, isIsoDate, todayInBeijing } from './beijing-time';
export { storableJson, storableText, unstorableText } from './text';
