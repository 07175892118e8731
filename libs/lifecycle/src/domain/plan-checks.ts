/**
 * The checks of the state machine: pure functions over a batch context that say whether one event may be
 * recorded, and why not. They read the batteries' state and change nothing (plan-apply.ts does).
 */
import type { ErrorDetail } from '#libs/common';
import type { BatteryStatus } from '#libs/batteries';
import type { BatteryState } from './battery-state';
import { effectiveOf } from './battery-state';
import type { EventTypeRules, LedgerRuleSet } from './event-types';
import { EVENT_TYPES } from './event-types';
import type { BatchContext, ResolvedCandidate } from './plan-types';
import { nameOf } from './plan-types';
import { checkRegister, registeredByAnother } from './plan-register';
import type { RuleDetail } from './rules';
import { detail, LedgerRule, revealing, unknownBattery } from './rules';

export type Outcome =
  | { status: 'accepted'; warnings: ErrorDetail[] }
  | { status: 'duplicate'; eventId: string; by: 'registration' }
  | { status: 'claimed'; senderId: string; warnings: ErrorDetail[] }
  | { status: 'rejected'; reasons: RuleDetail[] };

function allowedNext(set: LedgerRuleSet, status: BatteryStatus): string {
  const next = EVENT_TYPES.filter((t) => set.types[t].from.includes(status));
  return next.length ? next.join(', ') : 'none (only corrections)';
}

const where = (s: BatteryState, e: BatteryState) => (s === e ? `status '${e.status}'` : `inside ${e.code}, status '${e.status}'`);

/** Decides one event: a duplicate of a registration, rejected with every reason, or accepted with the registry's warnings. */
export function evaluate(ctx: BatchContext, c: ResolvedCandidate): Outcome {
  const rules = c.rules;
  const reasons: RuleDetail[] = [];
  checkRole(ctx, c, rules, reasons);
  const claim = claimOf(ctx, c, reasons);
  if (claim) return claim;
  let warnings: ErrorDetail[] = [];
  switch (rules.special) {
    case 'register': {
      const dup = checkRegister(ctx, c, reasons);
      if (dup && reasons.length === 0) return dup;
      for (const code of c.batteryCodes)
        warnings = warnings.concat((ctx.codeFindings.get(code)?.warnings ?? []).map((w) => ({ ...w, path: c.codePath.get(code)! })));
      break;
    }
    case 'correction':
      checkCorrection(ctx, c, reasons);
      break;
    default: {
      for (const code of c.batteryCodes) checkBattery(ctx, c, rules, code, c.codePath.get(code)!, reasons, rules.from, 'named');
      if (rules.special === 'replace') checkReplacement(ctx, c, rules, reasons);
      if (rules.special === 'assemble_cascade') warnings = checkCascadeProduct(ctx, c, reasons);
    }
  }
  if (reasons.length > 0) return { status: 'rejected', reasons };
  return { status: 'accepted', warnings };
}

/**
 * A receipt takes custody only against a pending hand-over to the receiver (or from the holder confirming a claim).
 * Reported by the receiver alone, it becomes a custody claim on the sender it names, which confirms or disputes it
 * (libs/custody). The answer depends on the request only, not on the batteries: a firm that may not see them learns
 * nothing, neither whether they exist nor whether it guessed their holder.
 */
function claimOf(ctx: BatchContext, c: ResolvedCandidate, reasons: RuleDetail[]): Outcome | null {
  if (c.rules.reporter !== 'receiver') return null;
  const me = ctx.reporter.id;
  if (c.counterparty !== null && c.counterparty.id === ctx.confirmedSender) return null;
  const handedToMe = c.batteryCodes.every((code) => {
    const s = ctx.states.get(code);
    const e = s && effectiveOf(s, ctx.states);
    return e !== undefined && (e.holderId === me || e.pendingTo === me);
  });
  if (handedToMe) return null;
  const what = c.batteryCodes.length === 1 ? `battery ${c.batteryCodes[0]}` : `batteries ${c.batteryCodes[0]} … (${c.batteryCodes.length})`;
  if (c.counterparty === null) {
    reasons.push(
      detail(
        `${c.path}.counterpartyUscc`,
        LedgerRule.CUSTODY,
        `no hand-over of ${what} to you is pending: if it was handed to you, name the sender as counterpartyUscc (the receipt is then a custody claim the sender confirms)`,
      ),
    );
  } else if (c.counterparty.id === me) {
    reasons.push(
      detail(`${c.path}.counterpartyUscc`, LedgerRule.CUSTODY, 'a custody claim names the enterprise the batteries came from, not the reporter itself'),
    );
  }
  if (reasons.length > 0) return { status: 'rejected', reasons };
  const sender = c.counterparty!;
  const warning = {
    path: `${c.path}.counterpartyUscc`,
    rule: LedgerRule.CUSTODY_CLAIM,
    reason: `no hand-over to you is pending: recorded as a custody claim on ${sender.name} (${sender.uscc}); the receipt takes effect when that enterprise confirms it handed ${what} over (GET /v1/custody-claims)`,
    senderUscc: sender.uscc,
  };
  return { status: 'claimed', senderId: sender.id, warnings: [warning] };
}

/** The reporter's role, and the counterparty's. */
export function checkRole(ctx: BatchContext, c: ResolvedCandidate, rules: EventTypeRules, reasons: RuleDetail[]): void {
  const { reporter } = ctx;
  if (!reporter.roles.some((r) => (rules.roles as readonly string[]).includes(r))) {
    reasons.push(
      detail(`${c.path}.type`, LedgerRule.ROLE, `'${c.type}' is reported by ${rules.roles.join(', ')}; you are registered as ${reporter.roles.join(', ')}`),
    );
  }
  const cp = c.counterparty;
  if (cp) {
    if (rules.counterparty.roles && !cp.roles.some((r) => (rules.counterparty.roles as readonly string[]).includes(r))) {
      reasons.push(
        detail(
          `${c.path}.counterpartyUscc`,
          LedgerRule.COUNTERPARTY_ROLE,
          `the counterparty of '${c.type}' (rule set ${c.ruleSet.id}) must be a ${rules.counterparty.roles.join(', ')}; ${cp.name} is ${cp.roles.join(', ')}`,
        ),
      );
    }
    if (cp.id === reporter.id && rules.custody === 'handover') {
      reasons.push(
        detail(`${c.path}.counterpartyUscc`, LedgerRule.COUNTERPARTY_ROLE, 'a hand-over names another enterprise as the receiver, not the reporter itself'),
      );
    }
  }
}

/** Checks common to every event that changes a battery: status, custody, vehicle, order. Pushes reasons. */
export function checkBattery(
  ctx: BatchContext,
  c: ResolvedCandidate,
  rules: EventTypeRules,
  code: string,
  path: string,
  reasons: RuleDetail[],
  allowed: readonly BatteryStatus[],
  role: 'named' | 'replacement',
): void {
  const s = ctx.states.get(code);
  if (!s) {
    reasons.push(unknownBattery(path, code));
    return;
  }
  const e = effectiveOf(s, ctx.states);
  // What follows tells about the battery. A firm that may not see it reads none of it (concealUnseen), unless
  // the event is one any firm with the role reports and names the vehicle the battery is in: it has the
  // vehicle in hand (a dealer selling it, a dismantler scrapping it).
  const inHand = role === 'named' && rules.reporter === 'any' && c.vin !== null && e.vin === c.vin;
  const push = (d: RuleDetail) => reasons.push(inHand ? d : revealing(d, code, path));
  if (!allowed.includes(e.status)) {
    push(
      detail(
        path,
        LedgerRule.STATE_TRANSITION,
        role === 'named'
          ? `'${c.type}' is not allowed after '${e.lastEventType}' (battery ${code}, ${where(s, e)}); allowed next: ${allowedNext(c.ruleSet, e.status)}`
          : `battery ${code} cannot be put in: it must be in status ${allowed.join(' or ')}, it is in ${where(s, e)} (last event '${e.lastEventType}')`,
        { batteryCode: code, status: e.status, lastEventType: e.lastEventType },
      ),
    );
  }
  checkCustody(ctx, c, rules, code, path, e, role, push);
  if (role === 'named' && c.vin !== null && (rules.vin.effect === 'match' || rules.vin.effect === 'clear') && e.vin !== c.vin) {
    push(detail(`${c.path}.vin`, LedgerRule.VIN_MISMATCH, `battery ${code} is ${e.vin ? `in vehicle ${e.vin}` : 'not in a vehicle'}, not in ${c.vin}`));
  }
  const last = Math.max(s.lastEventAt, e.lastEventAt);
  if (c.occurredAt < last) {
    push(
      detail(
        `${c.path}.occurredAt`,
        LedgerRule.EVENT_ORDER,
        `${new Date(c.occurredAt).toISOString()} is before the last event of battery ${code} ('${e === s ? s.lastEventType : e.lastEventType}' at ${new Date(last).toISOString()})`,
      ),
    );
  }
}

/** Whether the reporter may report the event about a battery it does not hold (`e`: the battery whose custody counts). */
function checkCustody(
  ctx: BatchContext,
  c: ResolvedCandidate,
  rules: EventTypeRules,
  code: string,
  path: string,
  e: BatteryState,
  role: 'named' | 'replacement',
  push: (d: RuleDetail) => void,
): void {
  const me = ctx.reporter.id;
  const holds = e.holderId === me || e.pendingTo === me;
  if (holds) return;
  const reporterRule = role === 'replacement' ? 'holder' : rules.reporter;
  if (reporterRule === 'any') {
    // Any firm with the role may report it because the battery is in a vehicle in its owner's hands; naming that
    // vehicle is what shows the firm has it. Without it, a firm could take custody of any battery it knows a code of.
    if (role === 'named' && c.vin === null) {
      push(
        detail(
          `${c.path}.vin`,
          LedgerRule.CUSTODY,
          `'${c.type}' reported by an enterprise other than the holder of battery ${code} must name the vehicle it is in (vin)`,
        ),
      );
    }
    return;
  }
  const pending = e.pendingTo !== null ? `, hand-over pending to ${nameOf(ctx, e.pendingTo)}` : '';
  if (reporterRule === 'holder') {
    push(
      detail(
        path,
        LedgerRule.CUSTODY,
        `battery ${code} is held by ${nameOf(ctx, e.holderId)}${pending}: only its holder or the receiver of a pending hand-over may report '${c.type}'`,
      ),
    );
  } else if (e.pendingTo !== null) {
    push(detail(path, LedgerRule.CUSTODY, `battery ${code} is being handed over to ${nameOf(ctx, e.pendingTo)}: only that enterprise may receive it`));
  } else if (c.counterparty === null || c.counterparty.id !== e.holderId) {
    push(
      detail(
        path,
        LedgerRule.CUSTODY,
        `battery ${code} is held by ${nameOf(ctx, e.holderId)}, and no hand-over to you is pending: if it handed the battery to you, name it as counterpartyUscc`,
      ),
    );
  }
}

/** `replace`: the incoming battery must be in the reporter's stock, of the level of the one it replaces. */
function checkReplacement(ctx: BatchContext, c: ResolvedCandidate, rules: EventTypeRules, reasons: RuleDetail[]): void {
  const out = c.batteryCodes[0];
  const inCode = c.payloadCodes.replacementCode;
  const path = c.codePath.get(inCode)!;
  checkBattery(ctx, c, rules, inCode, path, reasons, rules.replacementFrom ?? [], 'replacement');
  const sOut = ctx.states.get(out);
  const sIn = ctx.states.get(inCode);
  if (sOut && sIn && sOut.level !== sIn.level) {
    reasons.push(detail(path, LedgerRule.COMPOSITION, `a ${sOut.level} is replaced by a ${sOut.level}; ${inCode} is a ${sIn.level}`));
  }
}

/** `assemble_cascade`: the new product's code must be free and the registrant's; returns the registry's warnings. */
function checkCascadeProduct(ctx: BatchContext, c: ResolvedCandidate, reasons: RuleDetail[]): ErrorDetail[] {
  const product = c.payloadCodes.cascadeCode;
  const path = c.codePath.get(product)!;
  const registered = ctx.states.get(product);
  if (registered && registered.producerId === ctx.reporter.id) {
    reasons.push(detail(path, LedgerRule.ALREADY_REGISTERED, `cascade product ${product} is already registered (event ${registered.producedEventId})`));
  } else if (registered) {
    reasons.push(registeredByAnother(ctx, product, path, `cascade product ${product} is already registered by another enterprise`));
  }
  const f = ctx.codeFindings.get(product);
  if (!f) return [];
  for (const err of f.errors) reasons.push({ ...err, path, rule: LedgerRule.CODE_REGISTRATION });
  return f.warnings.map((w) => ({ ...w, path }));
}

/** A correction names an event of the reporter's own, about the batteries it names. */
export function checkCorrection(ctx: BatchContext, c: ResolvedCandidate, reasons: RuleDetail[]): void {
  const target = ctx.corrections.get(c.correctionOf!);
  if (!target || target.reporterEnterpriseId !== ctx.reporter.id) {
    reasons.push(
      detail(`${c.path}.correctionOf`, LedgerRule.CORRECTION_TARGET, `you reported no event ${c.correctionOf}: an enterprise corrects only its own events`),
    );
    return;
  }
  for (const code of c.batteryCodes) {
    if (!ctx.states.has(code)) {
      reasons.push(unknownBattery(c.codePath.get(code)!, code));
    } else if (!target.affectedCodes.includes(code)) {
      reasons.push(
        detail(
          c.codePath.get(code)!,
          LedgerRule.CORRECTION_TARGET,
          `event ${target.id} ('${target.type}') is not about battery ${code}; it is about ${target.affectedCodes.join(', ')}`,
        ),
      );
    }
  }
}
