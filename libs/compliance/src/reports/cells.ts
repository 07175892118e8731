import { spreadsheetSafe } from '#libs/common';

/**
 * A value as a CSV or XLSX cell of a report: text through spreadsheetSafe (libs/common: a cell starting with
 * = + - @, a tab or a CR, or their full-width forms, gets a leading apostrophe, so Excel and WPS show it, never run
 * it), numbers as they are, objects as JSON.
 */
export function neutraliseCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return spreadsheetSafe(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
}
