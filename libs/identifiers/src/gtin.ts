/**
 * GS1 Global Trade Item Numbers (GS1 General Specifications §7.9): GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) and
 * GTIN-14, all digits, the last one a check digit over the others. From the right, the body's digits are weighted
 * 3, 1, 3, 1, …; the check digit brings the weighted sum up to a multiple of 10. It catches every single-digit error
 * and most swaps of neighbouring digits.
 */
export const GTIN_LENGTHS: readonly number[] = [8, 12, 13, 14];

/** The check digit of a GTIN body (the digits before the check digit: 7, 11, 12 or 13 of them), or null if not one. */
export function gtinCheckDigit(body: string): string | null {
  if (!GTIN_LENGTHS.includes(body.length + 1) || !/^[0-9]+$/.test(body)) return null;
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) sum += (body.charCodeAt(i) - 48) * weight;
  return String((10 - (sum % 10)) % 10);
}

export type GtinCheck = { ok: true; gtin: string } | { ok: false; reason: string };

/** Validates a GTIN-8/12/13/14 after trimming it; returns it as given (a GTIN-13 stays 13 digits, no padding to 14). */
export function checkGtin(input: string): GtinCheck {
  const gtin = input.trim();
  if (!/^[0-9]+$/.test(gtin)) return { ok: false, reason: `'${input}' is not a GTIN (digits only)` };
  if (!GTIN_LENGTHS.includes(gtin.length)) return { ok: false, reason: `must be 8, 12, 13 or 14 digits, got ${gtin.length}` };
  const expected = gtinCheckDigit(gtin.slice(0, -1));
  if (gtin[gtin.length - 1] !== expected) return { ok: false, reason: `check digit is '${gtin[gtin.length - 1]}', expected '${expected}' (GS1)` };
  return { ok: true, gtin };
}

/** Whether `code` is a GTIN-8, -12, -13 or -14 with a right check digit (exactly as given: no trimming). */
export function isValidGtin(code: string): boolean {
  return GTIN_LENGTHS.includes(code.length) && gtinCheckDigit(code.slice(0, -1)) === code[code.length - 1];
}
