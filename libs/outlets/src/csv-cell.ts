import { spreadsheetSafe } from '#libs/common';

/**
 * A cell of the public outlet list as CSV: text through spreadsheetSafe (libs/common: a cell starting with = + - @,
 * a tab or a CR is shown, never run, as a formula by Excel and WPS), numbers as they are.
 */
export function neutraliseCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? String(value) : spreadsheetSafe(value);
}
