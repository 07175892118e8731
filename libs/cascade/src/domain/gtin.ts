import { checkGtin } from '#libs/identifiers';

/**
 * GTIN (商品条码, GS1): 梯次利用管理办法 art. 15 requires one on every cascade product. The check itself is
 * libs/identifiers' (GS1 check digit; 8, 12, 13 or 14 digits); this names what is wrong, or null for a GTIN. A GTIN is
 * taken exactly as given (no trimming), as it is stored and printed.
 */
export function gtinProblem(value: string): string | null {
  if (value !== value.trim()) return 'must not start or end with spaces';
  const r = checkGtin(value);
  return r.ok ? null : r.reason;
}
