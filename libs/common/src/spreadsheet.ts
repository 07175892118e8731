/**
 * Characters that make a spreadsheet program (Excel, WPS, LibreOffice) read a cell as a formula, or that some of
 * them strip before doing so: = + - @, tab and carriage return (OWASP, "CSV Injection"), and the full-width forms of
 * the first four, which Chinese input methods type and some programs treat alike.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * Text as it may be written into a cell of a CSV or XLSX file the API produces: text that a spreadsheet would
 * run as a formula (`=HYPERLINK(…)` in a client event id, say) gets a leading apostrophe, so it is shown, never
 * evaluated, when an administrator or a regulator opens the file. Every export writes user text through this
 * (with csv-stringify: `cast: { string: spreadsheetSafe }`).
 */
export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
