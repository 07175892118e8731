/**
 * The state machine over a batch: given the events of one request (validated on their own), the loaded
 * state of every battery they name, and what the database already holds (earlier events with the same
 * client ids or content hashes, the events being corrected), decides for each event in order whether it is
 * accepted, a duplicate or rejected, applies the accepted ones to the in-memory state (so later events of
 * the batch see them), and returns every row to write. Pure: no I/O, so it is unit-tested directly.
 */
import type { ErrorDetail } from '#libs/common';
import type { BatteryStatus } from '#libs/batteries';
import { BatteryState, effectiveOf, isContained } from './battery-state';
import { contentHash, EventContent, GENESIS_HASH, linkHash } from './canonical';
import { EVENT_TYPES, EventTypeRules, LedgerRuleSet } from './event-types';
import type { Candidate, Prevalidated } from './prevalidate';
import { regionKeys } from './region';
import { detail, LedgerRule, revealing, RuleDetail, unknownBattery } from './rules';

export interface KnownEnterprise {
  id: string;
  uscc: string;
  name: string;
  roles: readonly string[];
  regionCode: string | null;
}

export interface ResolvedCandidate extends Candidate {
  counterparty: KnownEnterprise | null;
  content: EventContent;
  contentHash: Buffer;
  /** contentHash as hex, for maps. */
  hashKey: string;
}

export type Resolved = { ok: true; candidate: ResolvedCandidate } | { ok: false; reasons: RuleDetail[]; clientEventId: string | null };

export type EventResultStatus = 'accepted' | 'duplicate' | 'rejected';
export type BatchStatus = 'ACCEPTED' | 'PARTIALLY_ACCEPTED' | 'REJECTED';

export interface IngestResult {
  index: number;
  status: EventResultStatus;
  /** accepted: the new event's id (absent in a dry run); duplicate: the id of the event it repeats. */
  eventId?: string;
  clientEventId?: string | null;
  /** duplicate: what matched an earlier event. */
  duplicateOf?: 'clientEventId' | 'contentHash' | 'registration';
  reasons?: ErrorDetail[];
  warnings?: ErrorDetail[];
}

export interface IngestCounts {
  total: number;
  accepted: number;
  duplicate: number;
  rejected: number;
}

/** An earlier event that a correction names. */
export interface CorrectionTarget {
  id: string;
  reporterEnterpriseId: string;
  type: string;
  affectedCodes: readonly string[];
}

/** Findings of the code registry (manufacturer code, coding-rule filing) about a code to be registered. */
export interface CodeFindings {
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
}

export interface PlanInput {
  reporter: KnownEnterprise;
  items: readonly Resolved[];
  /** Every battery the batch names, and every battery those are inside. */
  states: Map<string, BatteryState>;
  /** For messages: who holds what. */
  enterprises: ReadonlyMap<string, { uscc: string; name: string }>;
  priorByClientId: ReadonlyMap<string, { id: string; hashKey: string }>;
  priorByHash: ReadonlyMap<string, string>;
  corrections: ReadonlyMap<string, CorrectionTarget>;
  codeFindings: ReadonlyMap<string, CodeFindings>;
  mode: 'atomic' | 'partial';
  newId: () => string;
  /** How event number i is named in reasons (e.g. `events[3]`). */
  pathOf: (index: number) => string;
}

export interface PlannedEvent {
  index: number;
  id: string;
  content: EventContent;
  contentHash: Buffer;
  /** contentHash as hex. */
  hashKey: string;
}

export interface PlannedLink {
  batteryCode: string;
  seq: number;
  eventId: string;
  prevHash: Buffer;
  linkHash: Buffer;
}

export interface ComponentStart {
  parentCode: string;
  childCode: string;
  startedAt: number;
  startEventId: string;
  endedAt: number | null;
  endEventId: string | null;
}

export interface ComponentEnd {
  parentCode: string;
  childCode: string;
  endedAt: number;
  endEventId: string;
}

export interface OriginLink {
  cascadeCode: string;
  originalCode: string;
  eventId: string;
  assembledAt: number;
}

export interface PartyLink {
  batteryCode: string;
  enterpriseId: string;
  eventId: string;
  at: number;
}

export interface Plan {
  status: BatchStatus;
  counts: IngestCounts;
  results: IngestResult[];
  events: PlannedEvent[];
  links: PlannedLink[];
  batteriesToInsert: BatteryState[];
  batteriesToUpdate: BatteryState[];
  componentStarts: ComponentStart[];
  componentEnds: ComponentEnd[];
  origins: OriginLink[];
  parties: PartyLink[];
}

// ---- resolving counterparties and hashing ---------------------------------------------------------------

/**
 * Names counterparties by enterprise (from their USCC) and computes each event's content hash. Unknown
 * USCCs reject the event here, before anything else is looked at.
 */
export function resolveCandidates(items: readonly Prevalidated[], reporter: KnownEnterprise, byUscc: ReadonlyMap<string, KnownEnterprise>): Resolved[] {
  return items.map((item): Resolved => {
    if (!item.ok) return item;
    const c = item.candidate;
    let counterparty: KnownEnterprise | null = null;
    if (c.counterpartyUscc !== null) {
      counterparty = byUscc.get(c.counterpartyUscc) ?? null;
      if (!counterparty) {
        return {
          ok: false,
          clientEventId: c.clientEventId,
          reasons: [detail(`${c.path}.counterpartyUscc`, LedgerRule.UNKNOWN_COUNTERPARTY, `no enterprise with USCC ${c.counterpartyUscc} is registered: the counterparty must have an account`)],
        };
      }
    }
    const content: EventContent = {
      type: c.type,
      schemaVersion: c.schemaVersion,
      batteryCodes: c.batteryCodes,
      occurredAt: c.occurredAt,
      reporterEnterpriseId: reporter.id,
      counterpartyEnterpriseId: counterparty?.id ?? null,
      regionCode: c.regionCode,
      vin: c.vin,
      payload: c.payload,
      correctionOf: c.correctionOf,
      clientEventId: c.clientEventId,
    };
    const hash = contentHash(content);
    const resolved = c as ResolvedCandidate;
    resolved.counterparty = counterparty;
    resolved.content = content;
    resolved.contentHash = hash;
    resolved.hashKey = hash.toString('hex');
    return { ok: true, candidate: resolved };
  });
}

/** Every code an event is about: its batteryCodes and the codes its payload names. */
export function affectedCodesOf(batteryCodes: readonly string[], payload: Readonly<Record<string, unknown>>, type: string): string[] {
  const out = [...batteryCodes];
  for (const key of PAYLOAD_CODE_FIELDS[type] ?? []) {
    const v = payload[key];
    if (typeof v === 'string' && !out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * Payload fields that name batteries which get a link in their chain. `parentCode` of `produced` does not:
 * the parent's own history does not change when a part is registered into it.
 */
const PAYLOAD_CODE_FIELDS: Partial<Record<string, readonly string[]>> = {
  replaced: ['replacementCode'],
  swapped: ['replacementCode'],
  cascade_assembled: ['cascadeCode'],
};

// ---- the batch ---------------------------------------------------------------------------------------

type Outcome = { status: 'accepted'; warnings: ErrorDetail[] } | { status: 'duplicate'; eventId: string; by: 'registration' } | { status: 'rejected'; reasons: RuleDetail[] };

export function planBatch(input: PlanInput): Plan {
  const { reporter, states, mode } = input;
  const results: IngestResult[] = [];
  const events: PlannedEvent[] = [];
  const links: PlannedLink[] = [];
  const componentStarts: ComponentStart[] = [];
  const componentEnds: ComponentEnd[] = [];
  const startsByChild = new Map<string, ComponentStart>();
  const origins: OriginLink[] = [];
  const parties: PartyLink[] = [];
  const partyKeys = new Set<string>();
  const batchByClientId = new Map<string, { id: string; hashKey: string }>();
  const batchByHash = new Map<string, string>();

  const nameOf = (id: string | null): string => {
    if (id === null) return 'nobody';
    if (id === reporter.id) return `you (${reporter.uscc})`;
    const e = input.enterprises.get(id);
    return e ? `${e.name} (${e.uscc})` : `enterprise ${id}`;
  };

  const addParty = (code: string, enterpriseId: string | null, eventId: string, at: number) => {
    if (enterpriseId === null) return;
    const key = `${code}|${enterpriseId}`;
    if (partyKeys.has(key)) return;
    partyKeys.add(key);
    parties.push({ batteryCode: code, enterpriseId, eventId, at });
  };

  const startComponent = (parentCode: string, childCode: string, at: number, eventId: string) => {
    const start: ComponentStart = { parentCode, childCode, startedAt: at, startEventId: eventId, endedAt: null, endEventId: null };
    componentStarts.push(start);
    startsByChild.set(childCode, start);
  };
  const endComponent = (parentCode: string, childCode: string, at: number, eventId: string) => {
    const pending = startsByChild.get(childCode);
    if (pending && pending.endedAt === null && pending.parentCode === parentCode) {
      pending.endedAt = at;
      pending.endEventId = eventId;
      startsByChild.delete(childCode);
      return;
    }
    componentEnds.push({ parentCode, childCode, endedAt: at, endEventId: eventId });
  };

  // ---- the rules -------------------------------------------------------------------------------------

  const allowedNext = (set: LedgerRuleSet, status: BatteryStatus): string => {
    const next = EVENT_TYPES.filter((t) => set.types[t].from.includes(status));
    return next.length ? next.join(', ') : 'none (only corrections)';
  };

  const where = (s: BatteryState, e: BatteryState) => (s === e ? `status '${e.status}'` : `inside ${e.code}, status '${e.status}'`);

  /** Checks common to every event that changes a battery; pushes reasons. */
  const checkBattery = (c: ResolvedCandidate, rules: EventTypeRules, code: string, path: string, reasons: RuleDetail[], allowed: readonly BatteryStatus[], role: 'named' | 'replacement') => {
    const s = states.get(code);
    if (!s) {
      reasons.push(unknownBattery(path, code));
      return;
    }
    const e = effectiveOf(s, states);
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
    const me = reporter.id;
    const holds = e.holderId === me || e.pendingTo === me;
    const reporterRule = role === 'replacement' ? 'holder' : rules.reporter;
    if (!holds && reporterRule === 'any' && role === 'named' && c.vin === null) {
      // Any firm with the role may report it because the battery is in a vehicle in its owner's hands; naming that
      // vehicle is what shows the firm has it. Without it, a firm could take custody of any battery it knows a code of.
      push(detail(`${c.path}.vin`, LedgerRule.CUSTODY, `'${c.type}' reported by an enterprise other than the holder of battery ${code} must name the vehicle it is in (vin)`));
    }
    if (!holds && reporterRule !== 'any') {
      const pending = e.pendingTo !== null ? `, hand-over pending to ${nameOf(e.pendingTo)}` : '';
      if (reporterRule === 'holder') {
        push(detail(path, LedgerRule.CUSTODY, `battery ${code} is held by ${nameOf(e.holderId)}${pending}: only its holder or the receiver of a pending hand-over may report '${c.type}'`));
      } else if (e.pendingTo !== null) {
        push(detail(path, LedgerRule.CUSTODY, `battery ${code} is being handed over to ${nameOf(e.pendingTo)}: only that enterprise may receive it`));
      } else if (c.counterparty === null || c.counterparty.id !== e.holderId) {
        push(detail(path, LedgerRule.CUSTODY, `battery ${code} is held by ${nameOf(e.holderId)}, and no hand-over to you is pending: if it handed the battery to you, name it as counterpartyUscc`));
      }
    }
    if (role === 'named' && c.vin !== null && (rules.vin.effect === 'match' || rules.vin.effect === 'clear') && e.vin !== c.vin) {
      push(detail(`${c.path}.vin`, LedgerRule.VIN_MISMATCH, `battery ${code} is ${e.vin ? `in vehicle ${e.vin}` : 'not in a vehicle'}, not in ${c.vin}`));
    }
    const last = Math.max(s.lastEventAt, e.lastEventAt);
    if (c.occurredAt < last) {
      push(
        detail(`${c.path}.occurredAt`, LedgerRule.EVENT_ORDER, `${new Date(c.occurredAt).toISOString()} is before the last event of battery ${code} ('${e === s ? s.lastEventType : e.lastEventType}' at ${new Date(last).toISOString()})`),
      );
    }
  };

  const checkRole = (c: ResolvedCandidate, rules: EventTypeRules, reasons: RuleDetail[]) => {
    if (!reporter.roles.some((r) => (rules.roles as readonly string[]).includes(r))) {
      reasons.push(detail(`${c.path}.type`, LedgerRule.ROLE, `'${c.type}' is reported by ${rules.roles.join(', ')}; you are registered as ${reporter.roles.join(', ')}`));
    }
    const cp = c.counterparty;
    if (cp) {
      if (rules.counterparty.roles && !cp.roles.some((r) => (rules.counterparty.roles as readonly string[]).includes(r))) {
        reasons.push(
          detail(`${c.path}.counterpartyUscc`, LedgerRule.COUNTERPARTY_ROLE, `the counterparty of '${c.type}' (rule set ${c.ruleSet.id}) must be a ${rules.counterparty.roles.join(', ')}; ${cp.name} is ${cp.roles.join(', ')}`),
        );
      }
      if (cp.id === reporter.id && rules.custody === 'handover') {
        reasons.push(detail(`${c.path}.counterpartyUscc`, LedgerRule.COUNTERPARTY_ROLE, 'a hand-over names another enterprise as the receiver, not the reporter itself'));
      }
    }
  };

  const sameNumber = (a: number | null, b: unknown) => (a === null ? b === undefined : a === b);

  const evaluateRegister = (c: ResolvedCandidate, reasons: RuleDetail[]): Outcome | null => {
    const p = c.payload;
    const parentCode = (p.parentCode as string | undefined) ?? null;
    const existing = c.batteryCodes.filter((code) => states.has(code));
    if (existing.length > 0) {
      const same = existing.filter((code) => {
        const s = states.get(code)!;
        return (
          s.producerId === reporter.id &&
          sameNumber(s.nominalCapacityAh, p.nominalCapacityAh) &&
          sameNumber(s.nominalVoltageV, p.nominalVoltageV) &&
          sameNumber(s.ratedEnergyKwh, p.ratedEnergyKwh) &&
          sameNumber(s.massKg, p.massKg) &&
          // The parent is compared only while the battery is as registered; it may have been taken out since.
          (parentCode === s.parentCode || s.lastEventId !== s.producedEventId)
        );
      });
      if (same.length === c.batteryCodes.length) {
        return { status: 'duplicate', eventId: states.get(c.batteryCodes[0])!.producedEventId, by: 'registration' };
      }
      for (const code of existing) {
        const s = states.get(code)!;
        const path = c.codePath.get(code)!;
        if (s.producerId !== reporter.id) {
          reasons.push(detail(path, LedgerRule.ALREADY_REGISTERED, `battery ${code} is already registered by another enterprise`));
        } else if (!same.includes(code)) {
          const diffs = (['nominalCapacityAh', 'nominalVoltageV', 'ratedEnergyKwh', 'massKg'] as const)
            .filter((k) => !sameNumber(s[k], p[k]))
            .map((k) => `${k} ${s[k] ?? 'none'}, not ${(p[k] as number | undefined) ?? 'none'}`);
          if (parentCode !== null && s.parentCode !== parentCode) diffs.push(`parent ${s.parentCode ?? 'none'}, not ${parentCode}`);
          // Registered by an earlier event of this batch: its id means nothing to the client if the batch is refused.
          const earlier = s.isNew ? 'earlier in this batch' : `(event ${s.producedEventId})`;
          reasons.push(detail(path, LedgerRule.ALREADY_REGISTERED, `battery ${code} is already registered ${earlier} with ${diffs.join(', ')}`));
        } else {
          reasons.push(detail(path, LedgerRule.ALREADY_REGISTERED, `battery ${code} is already registered ${s.isNew ? 'earlier in this batch' : `(event ${s.producedEventId})`}; register only new batteries together`));
        }
      }
    }
    if (parentCode !== null) {
      const path = c.codePath.get(parentCode)!;
      const parent = states.get(parentCode);
      if (!parent) {
        reasons.push(unknownParent(path, parentCode));
      } else {
        for (const code of c.batteryCodes) {
          const level = c.decoded.get(code)!.productType.name;
          if (LEVEL_RANK[level] >= LEVEL_RANK[parent.level]) {
            reasons.push(detail(c.codePath.get(code)!, LedgerRule.COMPOSITION, `a ${level} cannot be built into a ${parent.level} (${parentCode}): cells go into modules or packs, modules into packs`));
          }
        }
        const e = effectiveOf(parent, states);
        if (e.status !== 'produced' || (e.holderId !== reporter.id && e.pendingTo !== reporter.id)) {
          const d = detail(path, LedgerRule.COMPOSITION, `parent ${parentCode} must be in your stock as produced (it is in ${where(parent, e)}, held by ${nameOf(e.holderId)})`);
          reasons.push(revealing(d, parentCode, path, unknownParent(path, parentCode)));
        }
      }
    }
    for (const code of c.batteryCodes) {
      const f = input.codeFindings.get(code);
      if (f) for (const err of f.errors) reasons.push({ ...err, path: c.codePath.get(code)!, rule: LedgerRule.CODE_REGISTRATION });
    }
    return null;
  };

  const evaluateCorrection = (c: ResolvedCandidate, reasons: RuleDetail[]) => {
    const target = input.corrections.get(c.correctionOf!);
    if (!target || target.reporterEnterpriseId !== reporter.id) {
      reasons.push(detail(`${c.path}.correctionOf`, LedgerRule.CORRECTION_TARGET, `you reported no event ${c.correctionOf}: an enterprise corrects only its own events`));
      return;
    }
    for (const code of c.batteryCodes) {
      if (!states.has(code)) {
        reasons.push(unknownBattery(c.codePath.get(code)!, code));
      } else if (!target.affectedCodes.includes(code)) {
        reasons.push(detail(c.codePath.get(code)!, LedgerRule.CORRECTION_TARGET, `event ${target.id} ('${target.type}') is not about battery ${code}; it is about ${target.affectedCodes.join(', ')}`));
      }
    }
  };

  const evaluate = (c: ResolvedCandidate): Outcome => {
    const rules = c.rules;
    const reasons: RuleDetail[] = [];
    checkRole(c, rules, reasons);
    let warnings: ErrorDetail[] = [];
    switch (rules.special) {
      case 'register': {
        const dup = evaluateRegister(c, reasons);
        if (dup && reasons.length === 0) return dup;
        for (const code of c.batteryCodes) warnings = warnings.concat((input.codeFindings.get(code)?.warnings ?? []).map((w) => ({ ...w, path: c.codePath.get(code)! })));
        break;
      }
      case 'correction':
        evaluateCorrection(c, reasons);
        break;
      default: {
        for (const code of c.batteryCodes) checkBattery(c, rules, code, c.codePath.get(code)!, reasons, rules.from, 'named');
        if (rules.special === 'replace') {
          const out = c.batteryCodes[0];
          const inCode = c.payloadCodes.replacementCode;
          const path = c.codePath.get(inCode)!;
          checkBattery(c, rules, inCode, path, reasons, rules.replacementFrom ?? [], 'replacement');
          const sOut = states.get(out);
          const sIn = states.get(inCode);
          if (sOut && sIn && sOut.level !== sIn.level) {
            reasons.push(detail(path, LedgerRule.COMPOSITION, `a ${sOut.level} is replaced by a ${sOut.level}; ${inCode} is a ${sIn.level}`));
          }
        }
        if (rules.special === 'assemble_cascade') {
          const product = c.payloadCodes.cascadeCode;
          const path = c.codePath.get(product)!;
          if (states.has(product)) reasons.push(detail(path, LedgerRule.ALREADY_REGISTERED, `cascade product ${product} is already registered (event ${states.get(product)!.producedEventId})`));
          const f = input.codeFindings.get(product);
          if (f) {
            for (const err of f.errors) reasons.push({ ...err, path, rule: LedgerRule.CODE_REGISTRATION });
            warnings = f.warnings.map((w) => ({ ...w, path }));
          }
        }
      }
    }
    if (reasons.length > 0) return { status: 'rejected', reasons };
    return { status: 'accepted', warnings };
  };

  // ---- applying an accepted event -----------------------------------------------------------------

  const newBattery = (c: ResolvedCandidate, code: string, eventId: string, attrs: Readonly<Record<string, unknown>>): BatteryState => {
    const d = c.decoded.get(code)!;
    const s: BatteryState = {
      code,
      form: d.form,
      level: d.productType.name,
      decoded: d,
      nominalCapacityAh: (attrs.nominalCapacityAh as number | undefined) ?? null,
      nominalVoltageV: (attrs.nominalVoltageV as number | undefined) ?? null,
      ratedEnergyKwh: (attrs.ratedEnergyKwh as number | undefined) ?? null,
      massKg: (attrs.massKg as number | undefined) ?? null,
      producerId: reporter.id,
      producedEventId: eventId,
      status: 'produced',
      holderId: reporter.id,
      pendingTo: null,
      vin: null,
      parentCode: null,
      regionKeys: [],
      lastEventId: eventId,
      lastEventType: c.type,
      lastEventAt: c.occurredAt,
      chainSeq: 0,
      chainHead: GENESIS_HASH,
      isNew: true,
      changed: true,
    };
    states.set(code, s);
    return s;
  };

  const touch = (s: BatteryState, c: ResolvedCandidate, eventId: string) => {
    s.lastEventId = eventId;
    s.lastEventType = c.type;
    s.lastEventAt = c.occurredAt;
    s.changed = true;
  };

  /** Takes a battery out of the battery it is inside. */
  const detach = (s: BatteryState, at: number, eventId: string) => {
    if (!isContained(s)) return;
    if (s.status === 'assembled') endComponent(s.parentCode!, s.code, at, eventId);
    s.parentCode = null;
  };

  const apply = (c: ResolvedCandidate, id: string): string[] => {
    const rules = c.rules;
    const me = reporter.id;
    const at = c.occurredAt;
    const affected: string[] = [];
    switch (rules.special) {
      case 'register': {
        const parentCode = (c.payload.parentCode as string | undefined) ?? null;
        for (const code of c.batteryCodes) {
          const s = newBattery(c, code, id, c.payload);
          if (parentCode !== null) {
            s.status = 'assembled';
            s.holderId = null;
            s.parentCode = parentCode;
            startComponent(parentCode, code, at, id);
          }
          addParty(code, me, id, at);
          affected.push(code);
        }
        return affected;
      }
      case 'correction':
        return [...c.batteryCodes];
    }
    for (const code of c.batteryCodes) {
      const s = states.get(code)!;
      const e = effectiveOf(s, states);
      const before = { status: e.status, holderId: e.pendingTo === me ? me : e.holderId, vin: e.vin, parentCode: s.parentCode, contained: isContained(s) };
      // Its producer and holder are parties already (each was recorded when it became one). A pending receiver
      // is not made a party: it sees the battery through the pending_handover_to column until it receives it.
      const known = [s.producerId, s.holderId];
      if (before.contained && keepsPartInPlace(rules)) {
        // A repair of a module in the vehicle's pack is a repair in place: the module stays in its pack.
        touch(s, c, id);
        if (!known.includes(me)) addParty(code, me, id, at);
        affected.push(code);
        continue;
      }
      detach(s, at, id);
      s.status = rules.to!;
      s.holderId = rules.custody === 'take' ? me : before.holderId;
      s.pendingTo = rules.custody === 'handover' ? c.counterparty!.id : null;
      s.vin = rules.vin.effect === 'set' ? c.vin : rules.vin.effect === 'clear' || before.contained ? null : before.vin;
      touch(s, c, id);
      if (!known.includes(me)) addParty(code, me, id, at);
      if (s.holderId !== null && !known.includes(s.holderId)) addParty(code, s.holderId, id, at);
      affected.push(code);

      if (rules.special === 'replace') {
        s.vin = null;
        const sIn = states.get(c.payloadCodes.replacementCode)!;
        detach(sIn, at, id);
        if (before.contained && before.parentCode !== null) {
          sIn.status = 'assembled';
          sIn.holderId = null;
          sIn.vin = null;
          sIn.parentCode = before.parentCode;
          startComponent(before.parentCode, sIn.code, at, id);
        } else {
          sIn.status = before.status;
          sIn.holderId = before.holderId;
          sIn.vin = before.vin;
        }
        sIn.pendingTo = null;
        touch(sIn, c, id);
        addParty(sIn.code, me, id, at);
        addParty(sIn.code, sIn.holderId, id, at);
      }
    }
    if (rules.special === 'replace') affected.push(c.payloadCodes.replacementCode);
    if (rules.special === 'assemble_cascade') {
      const productCode = c.payloadCodes.cascadeCode;
      const product = newBattery(c, productCode, id, c.payload);
      product.status = 'cascade_stock';
      for (const code of c.batteryCodes) {
        const s = states.get(code)!;
        s.status = 'in_cascade_product';
        s.holderId = null;
        s.pendingTo = null;
        s.vin = null;
        s.parentCode = productCode;
        origins.push({ cascadeCode: productCode, originalCode: code, eventId: id, assembledAt: at });
      }
      addParty(productCode, me, id, at);
      affected.push(productCode);
    }
    return affected;
  };

  // ---- the loop ------------------------------------------------------------------------------------

  for (let i = 0; i < input.items.length; i++) {
    const item = input.items[i];
    if (!item.ok) {
      results.push({ index: i, status: 'rejected', clientEventId: item.clientEventId, reasons: item.reasons });
      continue;
    }
    const c = item.candidate;
    const base = { index: i, clientEventId: c.clientEventId };

    if (c.clientEventId !== null) {
      const prior = batchByClientId.get(c.clientEventId) ?? input.priorByClientId.get(c.clientEventId);
      if (prior) {
        if (prior.hashKey === c.hashKey) results.push({ ...base, status: 'duplicate', eventId: prior.id, duplicateOf: 'clientEventId' });
        else {
          results.push({
            ...base,
            status: 'rejected',
            reasons: [detail(`${c.path}.clientEventId`, LedgerRule.CLIENT_EVENT_ID_REUSED, `clientEventId '${c.clientEventId}' was already used by you for a different event (${prior.id})`)],
          });
        }
        continue;
      }
    }
    const priorId = batchByHash.get(c.hashKey) ?? input.priorByHash.get(c.hashKey);
    if (priorId !== undefined) {
      results.push({ ...base, status: 'duplicate', eventId: priorId, duplicateOf: 'contentHash' });
      continue;
    }

    const outcome = evaluate(c);
    if (outcome.status === 'duplicate') {
      results.push({ ...base, status: 'duplicate', eventId: outcome.eventId, duplicateOf: outcome.by });
      continue;
    }
    if (outcome.status === 'rejected') {
      results.push({ ...base, status: 'rejected', reasons: outcome.reasons });
      continue;
    }

    const id = input.newId();
    const affected = apply(c, id);
    const region = c.regionCode ?? reporter.regionCode;
    for (const code of affected) {
      const s = states.get(code)!;
      const seq = s.chainSeq + 1;
      const link = linkHash(s.chainHead, c.contentHash, code, seq);
      links.push({ batteryCode: code, seq, eventId: id, prevHash: s.chainHead, linkHash: link });
      s.chainSeq = seq;
      s.chainHead = link;
      s.changed = true;
      if (region !== null) {
        for (const k of regionKeys(region)) if (!s.regionKeys.includes(k)) s.regionKeys.push(k);
      }
    }
    events.push({ index: i, id, content: c.content, contentHash: c.contentHash, hashKey: c.hashKey });
    if (c.clientEventId !== null) batchByClientId.set(c.clientEventId, { id, hashKey: c.hashKey });
    batchByHash.set(c.hashKey, id);
    const accepted: IngestResult = { index: i, clientEventId: c.clientEventId, status: 'accepted', eventId: id };
    if (outcome.warnings.length) accepted.warnings = outcome.warnings;
    results.push(accepted);
  }

  const counts: IngestCounts = { total: results.length, accepted: 0, duplicate: 0, rejected: 0 };
  for (const r of results) counts[r.status]++;

  const empty = (): Plan => ({
    status: 'REJECTED',
    counts: { ...counts, accepted: 0, rejected: counts.rejected + counts.accepted },
    results: results.map((r) =>
      r.status === 'accepted'
        ? {
            index: r.index,
            status: 'rejected',
            clientEventId: r.clientEventId,
            reasons: [detail(input.pathOf(r.index), LedgerRule.ATOMIC, 'valid, but not recorded: the batch is atomic and other events in it were rejected')],
          }
        : r,
    ),
    events: [],
    links: [],
    batteriesToInsert: [],
    batteriesToUpdate: [],
    componentStarts: [],
    componentEnds: [],
    origins: [],
    parties: [],
  });
  if (mode === 'atomic' && counts.rejected > 0) return empty();

  const batteriesToInsert: BatteryState[] = [];
  const batteriesToUpdate: BatteryState[] = [];
  for (const s of states.values()) {
    if (s.isNew) batteriesToInsert.push(s);
    else if (s.changed) batteriesToUpdate.push(s);
  }
  const status: BatchStatus = counts.rejected === 0 ? 'ACCEPTED' : counts.accepted + counts.duplicate === 0 ? 'REJECTED' : 'PARTIALLY_ACCEPTED';
  return { status, counts, results, events, links, batteriesToInsert, batteriesToUpdate, componentStarts, componentEnds, origins, parties };
}

/** Composition order: a part goes only into a battery of a higher level (cell < module < pack). */
const LEVEL_RANK: Record<string, number> = { cell: 1, module: 2, pack: 3 };

/** Whether an event about a part inside another battery leaves it there (see EventTypeRules.partStaysInPlace). */
export function keepsPartInPlace(rules: EventTypeRules): boolean {
  return rules.partStaysInPlace === true;
}

/** A parent that is not registered, or that the reporter may not see (the same words). */
const unknownParent = (path: string, parentCode: string): RuleDetail =>
  detail(path, LedgerRule.UNKNOWN_BATTERY, `parent ${parentCode} is not registered, or not visible to you: register the pack (or module) before the parts built into it`);
