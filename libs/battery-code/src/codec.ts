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
 *
 * This file is the codec's entry point: the code lives in codec-types, compiled-tables, normalise, parse and format.
 */
export * from './codec-types';
export { validateTables } from './compiled-tables';
export { normalise } from './normalise';
export { parse } from './parse';
export { format } from './format';
