import { ValidateBy, type ValidationOptions } from 'class-validator';
import { validateRegionCode } from '#libs/regions';

/** A GB/T 2260 code of the maintained dataset (libs/regions): the same check as the outlet registry's and the ledger's. */
export function IsRegionCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRegionCode',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && validateRegionCode(value).ok,
        defaultMessage: (args) => {
          const r = typeof args?.value === 'string' ? validateRegionCode(args.value) : null;
          return r && !r.ok ? r.reason : `${args?.property ?? 'regionCode'} must be a GB/T 2260 region code`;
        },
      },
    },
    options,
  );
}

export interface RegionProblem {
  enterpriseId: string;
  uscc: string;
  name: string;
  regionCode: string;
  reason: string;
  /** The successor code when the stored one was retired (the record should be updated to it). */
  currentCode: string | null;
}

/**
 * Registered regions that are not codes of the dataset (written before it was checked), or retired codes with a
 * successor: reported by `npm run cli -- check-regions` for an administrator to correct, never changed silently.
 */
export function regionProblems(rows: readonly { id: string; uscc: string; name: string; region_code: string | null }[]): RegionProblem[] {
  const problems: RegionProblem[] = [];
  for (const r of rows) {
    if (r.region_code === null) continue;
    const code = r.region_code.trim();
    const v = validateRegionCode(code);
    if (!v.ok) problems.push({ enterpriseId: r.id, uscc: r.uscc, name: r.name, regionCode: code, reason: v.reason, currentCode: null });
    else if (v.info.code !== code) {
      problems.push({
        enterpriseId: r.id,
        uscc: r.uscc,
        name: r.name,
        regionCode: code,
        reason: `retired code; now ${v.info.code} (${v.info.fullName})`,
        currentCode: v.info.code,
      });
    }
  }
  return problems;
}
