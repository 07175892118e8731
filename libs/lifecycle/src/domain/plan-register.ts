/**
 * The checks of a registration (`produced`): codes not registered yet (or registered identically: a duplicate),
 * a parent of a higher level in the reporter's stock, and the code registry's findings.
 */
import type { BatteryState } from './battery-state';
import { effectiveOf } from './battery-state';
import type { Outcome } from './plan-checks';
import type { BatchContext, ResolvedCandidate } from './plan-types';
import { nameOf } from './plan-types';
import type { RuleDetail } from './rules';
import { detail, LedgerRule, revealing } from './rules';

/** Pushes the reasons a registration breaks; returns the duplicate outcome when every code is registered identically. */
export function checkRegister(ctx: BatchContext, c: ResolvedCandidate, reasons: RuleDetail[]): Outcome | null {
  const parentCode = (c.payload.parentCode as string | undefined) ?? null;
  const existing = c.batteryCodes.filter((code) => ctx.states.has(code));
  if (existing.length > 0) {
    const same = existing.filter((code) => sameRegistration(ctx, ctx.states.get(code)!, c.payload, parentCode));
    if (same.length === c.batteryCodes.length) {
      return { status: 'duplicate', eventId: ctx.states.get(c.batteryCodes[0])!.producedEventId, by: 'registration' };
    }
    for (const code of existing) reasons.push(alreadyRegistered(ctx, c, ctx.states.get(code)!, same.includes(code), parentCode));
  }
  if (parentCode !== null) checkParent(ctx, c, parentCode, reasons);
  for (const code of c.batteryCodes) {
    const f = ctx.codeFindings.get(code);
    if (f) for (const err of f.errors) reasons.push({ ...err, path: c.codePath.get(code)!, rule: LedgerRule.CODE_REGISTRATION });
  }
  return null;
}

const sameNumber = (a: number | null, b: unknown) => (a === null ? b === undefined : a === b);

function sameRegistration(ctx: BatchContext, s: BatteryState, p: Readonly<Record<string, unknown>>, parentCode: string | null): boolean {
  return (
    s.producerId === ctx.reporter.id &&
    sameNumber(s.nominalCapacityAh, p.nominalCapacityAh) &&
    sameNumber(s.nominalVoltageV, p.nominalVoltageV) &&
    sameNumber(s.ratedEnergyKwh, p.ratedEnergyKwh) &&
    sameNumber(s.massKg, p.massKg) &&
    // The parent is compared only while the battery is as registered; it may have been taken out since.
    (parentCode === s.parentCode || s.lastEventId !== s.producedEventId)
  );
}

function alreadyRegistered(ctx: BatchContext, c: ResolvedCandidate, s: BatteryState, same: boolean, parentCode: string | null): RuleDetail {
  const code = s.code;
  const path = c.codePath.get(code)!;
  const p = c.payload;
  if (s.producerId !== ctx.reporter.id) return registeredByAnother(ctx, code, path, `battery ${code} is already registered by another enterprise`);
  // Registered by an earlier event of this batch: its id means nothing to the client if the batch is refused.
  const earlier = s.isNew ? 'earlier in this batch' : `(event ${s.producedEventId})`;
  if (same) return detail(path, LedgerRule.ALREADY_REGISTERED, `battery ${code} is already registered ${earlier}; register only new batteries together`);
  const diffs = (['nominalCapacityAh', 'nominalVoltageV', 'ratedEnergyKwh', 'massKg'] as const)
    .filter((k) => !sameNumber(s[k], p[k]))
    .map((k) => `${k} ${s[k] ?? 'none'}, not ${(p[k] as number | undefined) ?? 'none'}`);
  if (parentCode !== null && s.parentCode !== parentCode) diffs.push(`parent ${s.parentCode ?? 'none'}, not ${parentCode}`);
  return detail(path, LedgerRule.ALREADY_REGISTERED, `battery ${code} is already registered ${earlier} with ${diffs.join(', ')}`);
}

/**
 * A code another enterprise registered. When the code registry refuses the code anyway (its manufacturer code is
 * not the reporter's), a firm that may not see the battery reads only the registry's reason, as for a code nobody
 * registered: whether the battery exists does not show. Otherwise the code is in the reporter's own code space,
 * and its registration must be refused in words that say why.
 */
export function registeredByAnother(ctx: BatchContext, code: string, path: string, reason: string): RuleDetail {
  const d = detail(path, LedgerRule.ALREADY_REGISTERED, reason);
  return ctx.codeFindings.get(code)?.errors.length ? revealing(d, code, path, null) : d;
}

/** Composition order: a part goes only into a battery of a higher level (cell < module < pack). */
const LEVEL_RANK: Record<string, number> = { cell: 1, module: 2, pack: 3 };

function checkParent(ctx: BatchContext, c: ResolvedCandidate, parentCode: string, reasons: RuleDetail[]): void {
  const path = c.codePath.get(parentCode)!;
  const parent = ctx.states.get(parentCode);
  if (!parent) {
    reasons.push(unknownParent(path, parentCode));
    return;
  }
  for (const code of c.batteryCodes) {
    const level = c.decoded.get(code)!.productType.name;
    if (LEVEL_RANK[level] >= LEVEL_RANK[parent.level]) {
      reasons.push(
        detail(
          c.codePath.get(code)!,
          LedgerRule.COMPOSITION,
          `a ${level} cannot be built into a ${parent.level} (${parentCode}): cells go into modules or packs, modules into packs`,
        ),
      );
    }
  }
  const e = effectiveOf(parent, ctx.states);
  if (e.status !== 'produced' || (e.holderId !== ctx.reporter.id && e.pendingTo !== ctx.reporter.id)) {
    const where = parent === e ? `status '${e.status}'` : `inside ${e.code}, status '${e.status}'`;
    const d = detail(
      path,
      LedgerRule.COMPOSITION,
      `parent ${parentCode} must be in your stock as produced (it is in ${where}, held by ${nameOf(ctx, e.holderId)})`,
    );
    reasons.push(revealing(d, parentCode, path, unknownParent(path, parentCode)));
  }
}

/** A parent that is not registered, or that the reporter may not see (the same words). */
const unknownParent = (path: string, parentCode: string): RuleDetail =>
  detail(
    path,
    LedgerRule.UNKNOWN_BATTERY,
    `parent ${parentCode} is not registered, or not visible to you: register the pack (or module) before the parts built into it`,
  );
