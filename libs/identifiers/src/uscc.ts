/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters
 * from a 31-symbol alphabet (digits and capitals without I, O, S, V, Z); the
 * 18th is a check character computed with weights 3^(i) mod 31 over the first 17.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccCheck = { ok: true } | { ok: false; reason: string };

export function usccCheckCharacter(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

export function checkUscc(code: string): UsccCheck {
  if (code.length !== 18) return { ok: false, reason: `must be 18 characters, got ${code.length}` };
  for (let i = 0; i < 18; i++) {
    if (!ALPHABET.includes(code[i])) {
      return { ok: false, reason: `character ${i + 1} '${code[i]}' is not allowed (digits and capitals except I, O, S, V, Z)` };
    }
  }
  if (!/^[0-9]{6}$/.test(code.slice(2, 8))) {
    return { ok: false, reason: `characters 3-8 '${code.slice(2, 8)}' must be a 6-digit region code` };
  }
  const expected = usccCheckCharacter(code.slice(0, 17));
  if (expected !== code[17]) {
    return { ok: false, reason: `check character is '${code[17]}', expected '${expected}' (GB 32100)` };
  }
  return { ok: true };
}
