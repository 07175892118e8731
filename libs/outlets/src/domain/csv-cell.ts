/**
 * A text cell made safe for spreadsheets (CSV injection, OWASP): a cell that starts with =, +, -, @, a tab or a
 * carriage return is read as a formula by Excel and WPS, so it gets a leading apostrophe (shown, never evaluated).
 */
export function neutraliseCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (typeof value === 'number') return text;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
