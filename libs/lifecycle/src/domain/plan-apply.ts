/**
 * Applying an accepted event to the batteries' state (in the batch context's map, so that later events of the
 * batch see it), and collecting the rows it adds besides the event: composition starts and ends, cascade origins,
 * and the parties that may now see a battery.
 */
import type { BatteryState } from './battery-state';
import { effectiveOf, isContained } from './battery-state';
import { GENESIS_HASH } from './canonical';
import type { EventTypeRules } from './event-types';
import type { BatchContext, ComponentEnd, ComponentStart, OriginLink, PartyLink, ResolvedCandidate } from './plan-types';

/** The rows a batch's accepted events add besides the events and chain links. */
export class BatchEffects {
  readonly componentStarts: ComponentStart[] = [];
  readonly componentEnds: ComponentEnd[] = [];
  readonly origins: OriginLink[] = [];
  readonly parties: PartyLink[] = [];
  private readonly startsByChild = new Map<string, ComponentStart>();
  private readonly partyKeys = new Set<string>();

  addParty(code: string, enterpriseId: string | null, eventId: string, at: number): void {
    if (enterpriseId === null) return;
    const key = `${code}|${enterpriseId}`;
    if (this.partyKeys.has(key)) return;
    this.partyKeys.add(key);
    this.parties.push({ batteryCode: code, enterpriseId, eventId, at });
  }

  startComponent(parentCode: string, childCode: string, at: number, eventId: string): void {
    const start: ComponentStart = { parentCode, childCode, startedAt: at, startEventId: eventId, endedAt: null, endEventId: null };
    this.componentStarts.push(start);
    this.startsByChild.set(childCode, start);
  }

  /** Ends a composition: the start row of this batch when there is one, otherwise an end row for a stored one. */
  endComponent(parentCode: string, childCode: string, at: number, eventId: string): void {
    const pending = this.startsByChild.get(childCode);
    if (pending && pending.endedAt === null && pending.parentCode === parentCode) {
      pending.endedAt = at;
      pending.endEventId = eventId;
      this.startsByChild.delete(childCode);
      return;
    }
    this.componentEnds.push({ parentCode, childCode, endedAt: at, endEventId: eventId });
  }
}

/** Whether an event about a part inside another battery leaves it there (see EventTypeRules.partStaysInPlace). */
export function keepsPartInPlace(rules: EventTypeRules): boolean {
  return rules.partStaysInPlace === true;
}

/** A battery registered by event `eventId`, in the reporter's stock; added to the context's states. */
export function newBattery(ctx: BatchContext, c: ResolvedCandidate, code: string, eventId: string, attrs: Readonly<Record<string, unknown>>): BatteryState {
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
    producerId: ctx.reporter.id,
    producedEventId: eventId,
    status: 'produced',
    holderId: ctx.reporter.id,
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
  ctx.states.set(code, s);
  return s;
}

function touch(s: BatteryState, c: ResolvedCandidate, eventId: string): void {
  s.lastEventId = eventId;
  s.lastEventType = c.type;
  s.lastEventAt = c.occurredAt;
  s.changed = true;
}

/** Takes a battery out of the battery it is inside. */
export function detach(fx: BatchEffects, s: BatteryState, at: number, eventId: string): void {
  if (!isContained(s)) return;
  if (s.status === 'assembled') fx.endComponent(s.parentCode!, s.code, at, eventId);
  s.parentCode = null;
}

/** Applies accepted event `id` to the state; returns the codes whose chains get a link, in order. */
export function apply(ctx: BatchContext, fx: BatchEffects, c: ResolvedCandidate, id: string): string[] {
  switch (c.rules.special) {
    case 'register':
      return applyRegister(ctx, fx, c, id);
    case 'correction':
      return [...c.batteryCodes];
  }
  const affected: string[] = [];
  for (const code of c.batteryCodes) {
    applyToBattery(ctx, fx, c, id, ctx.states.get(code)!);
    affected.push(code);
  }
  if (c.rules.special === 'replace') affected.push(c.payloadCodes.replacementCode);
  if (c.rules.special === 'assemble_cascade') affected.push(applyCascadeAssembly(ctx, fx, c, id));
  return affected;
}

function applyRegister(ctx: BatchContext, fx: BatchEffects, c: ResolvedCandidate, id: string): string[] {
  const parentCode = (c.payload.parentCode as string | undefined) ?? null;
  const at = c.occurredAt;
  for (const code of c.batteryCodes) {
    const s = newBattery(ctx, c, code, id, c.payload);
    if (parentCode !== null) {
      s.status = 'assembled';
      s.holderId = null;
      s.parentCode = parentCode;
      fx.startComponent(parentCode, code, at, id);
    }
    fx.addParty(code, ctx.reporter.id, id, at);
  }
  return [...c.batteryCodes];
}

/** One battery named by an event: its status, custody and vehicle after it (and, for a replacement, the incoming one's). */
function applyToBattery(ctx: BatchContext, fx: BatchEffects, c: ResolvedCandidate, id: string, s: BatteryState): void {
  const rules = c.rules;
  const me = ctx.reporter.id;
  const at = c.occurredAt;
  const e = effectiveOf(s, ctx.states);
  const before = { status: e.status, holderId: e.pendingTo === me ? me : e.holderId, vin: e.vin, parentCode: s.parentCode, contained: isContained(s) };
  // Its producer and holder are parties already (each was recorded when it became one). A pending receiver
  // is not made a party: it sees the battery through the pending_handover_to column until it receives it.
  const known = [s.producerId, s.holderId];
  if (before.contained && keepsPartInPlace(rules)) {
    // A repair of a module in the vehicle's pack is a repair in place: the module stays in its pack.
    touch(s, c, id);
    if (!known.includes(me)) fx.addParty(s.code, me, id, at);
    return;
  }
  detach(fx, s, at, id);
  // A hand-over that names no receiver books the batteries into the reporter's own stock (EventTypeRules.withoutCounterparty).
  const handover = rules.custody === 'handover' && c.counterparty !== null;
  s.status = rules.custody === 'handover' && !handover ? rules.withoutCounterparty!.to : rules.to!;
  s.holderId = rules.custody === 'take' ? me : before.holderId;
  s.pendingTo = handover ? c.counterparty!.id : null;
  s.vin = rules.vin.effect === 'set' ? c.vin : rules.vin.effect === 'clear' || before.contained ? null : before.vin;
  touch(s, c, id);
  if (!known.includes(me)) fx.addParty(s.code, me, id, at);
  if (s.holderId !== null && !known.includes(s.holderId)) fx.addParty(s.code, s.holderId, id, at);
  if (rules.special === 'replace') {
    s.vin = null;
    putReplacementIn(ctx, fx, c, id, before);
  }
}

/** `replace`: the incoming battery takes the place of the one taken out (in its parent, or in its vehicle and custody). */
function putReplacementIn(
  ctx: BatchContext,
  fx: BatchEffects,
  c: ResolvedCandidate,
  id: string,
  before: { status: BatteryState['status']; holderId: string | null; vin: string | null; parentCode: string | null; contained: boolean },
): void {
  const at = c.occurredAt;
  const sIn = ctx.states.get(c.payloadCodes.replacementCode)!;
  detach(fx, sIn, at, id);
  if (before.contained && before.parentCode !== null) {
    sIn.status = 'assembled';
    sIn.holderId = null;
    sIn.vin = null;
    sIn.parentCode = before.parentCode;
    fx.startComponent(before.parentCode, sIn.code, at, id);
  } else {
    sIn.status = before.status;
    sIn.holderId = before.holderId;
    sIn.vin = before.vin;
  }
  sIn.pendingTo = null;
  touch(sIn, c, id);
  fx.addParty(sIn.code, ctx.reporter.id, id, at);
  fx.addParty(sIn.code, sIn.holderId, id, at);
}

/** `assemble_cascade`: registers the product and puts the originals in it; returns the product's code. */
function applyCascadeAssembly(ctx: BatchContext, fx: BatchEffects, c: ResolvedCandidate, id: string): string {
  const productCode = c.payloadCodes.cascadeCode;
  const product = newBattery(ctx, c, productCode, id, c.payload);
  product.status = 'cascade_stock';
  for (const code of c.batteryCodes) {
    const s = ctx.states.get(code)!;
    s.status = 'in_cascade_product';
    s.holderId = null;
    s.pendingTo = null;
    s.vin = null;
    s.parentCode = productCode;
    fx.origins.push({ cascadeCode: productCode, originalCode: code, eventId: id, assembledAt: c.occurredAt });
  }
  fx.addParty(productCode, ctx.reporter.id, id, c.occurredAt);
  return productCode;
}
