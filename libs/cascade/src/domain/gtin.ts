/**
 * GTIN (商品条码, GS1): 8, 12, 13 or 14 digits whose last digit is the GS1 mod-10 check digit. 梯次利用管理办法
 * art. 15 requires one on every cascade product. (Helper "gate" is adding `libs/identifiers` with GTIN checks;
 * once it lands this should use that one.)
 */
export const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/** The GS1 check digit of the digits before it (weights 3, 1, 3, … from the right). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Why `value` is not a GTIN, or null when it is one. */
export function gtinProblem(value: string): string | null {
  if (!/^\d+$/.test(value)) return 'must be digits only';
  if (!(GTIN_LENGTHS as readonly number[]).includes(value.length)) return `must have 8, 12, 13 or 14 digits, got ${value.length}`;
  const expected = gs1CheckDigit(value.slice(0, -1));
  if (Number(value[value.length - 1]) !== expected) return `the GS1 check digit is ${value[value.length - 1]}, should be ${expected}`;
  return null;
}
