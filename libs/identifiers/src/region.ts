/**
 * GB/T 2260 administrative-division codes: 6 digits, the first two a province-level division. Only the
 * province is checked against the list (the full list of ~3,000 counties changes every year and belongs
 * to the outlet-registry issue); the rest must be digits.
 */
// A table, laid out as one:
// prettier-ignore
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
]);

export type RegionCheck = { ok: true; code: string } | { ok: false; reason: string };

export function checkRegionCode(input: string): RegionCheck {
  const code = input.trim();
  if (!/^[0-9]{6}$/.test(code)) return { ok: false, reason: `'${input}' is not a 6-digit GB/T 2260 region code` };
  if (!PROVINCES.has(code.slice(0, 2))) return { ok: false, reason: `'${code}' does not start with a province code of GB/T 2260 (got '${code.slice(0, 2)}')` };
  return { ok: true, code };
}

/**
 * The prefixes by which a regulator or a search may select a region: province (2 digits), prefecture (4)
 * and county (6). Stored per battery so that "within region 35" is one index lookup.
 */
export function regionKeys(code: string): string[] {
  return [code.slice(0, 2), code.slice(0, 4), code];
}
