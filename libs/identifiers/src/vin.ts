/**
 * Vehicle identification numbers (ISO 3779; in China GB 16735). 17 characters, digits and capitals without
 * I, O and Q. Position 9 is a check digit computed from the other 16 (transliterated letters, weights
 * 8 7 6 5 4 3 2 10 · 9 8 7 6 5 4 3 2, sum mod 11, 10 written 'X').
 *
 * ISO 3779 leaves the check digit optional (European VINs often have none), but GB 16735 makes it mandatory
 * for every vehicle registered in China, imported ones included, and every VIN this ledger sees is one of
 * those. So a wrong check digit is rejected, which also catches most typing errors.
 */
// A table, laid out as one:
// prettier-ignore
const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

export type VinCheck = { ok: true; vin: string } | { ok: false; reason: string };

function valueOf(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  return TRANSLITERATION[c] ?? -1;
}

/** The check digit position 9 must hold, or null if a character cannot be transliterated. */
export function vinCheckDigit(vin: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    if (i === 8) continue;
    const v = valueOf(vin[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/** Validates a VIN after trimming and upper-casing it; returns the normalised VIN. */
export function checkVin(input: string): VinCheck {
  const vin = input.trim().toUpperCase();
  if (vin.length !== 17) return { ok: false, reason: `must be 17 characters, got ${vin.length}` };
  for (let i = 0; i < 17; i++) {
    const c = vin[i];
    if (c === 'I' || c === 'O' || c === 'Q') return { ok: false, reason: `character ${i + 1} '${c}' is not allowed (I, O and Q are never used in a VIN)` };
    if (valueOf(c) < 0) return { ok: false, reason: `character ${i + 1} '${c}' is not allowed (digits and capital letters only)` };
  }
  const expected = vinCheckDigit(vin)!;
  if (vin[8] !== expected) return { ok: false, reason: `check digit (position 9) is '${vin[8]}', expected '${expected}' (GB 16735 / ISO 3779)` };
  return { ok: true, vin };
}
