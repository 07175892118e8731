/**
 * Spreadsheet formula injection: a CSV or XLSX cell that starts with = + - @, a tab or a carriage return may be run
 * as a formula by Excel or WPS. Such text gets a leading apostrophe (OWASP's advice).
 * LEAD: helper "security" adds a shared function for this in libs/common; replace this one with it at merge.
 */
export function neutraliseCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
