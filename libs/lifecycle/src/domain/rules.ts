import type { ErrorDetail } from '#libs/common';

/**
 * The rule an event broke, carried as `rule` in each rejection reason so that clients can act on it
 * without parsing the text.
 */
export enum LedgerRule {
  /** The event is not a JSON object, or a field has the wrong JSON type. */
  SHAPE = 'SHAPE',
  UNKNOWN_FIELD = 'UNKNOWN_FIELD',
  REQUIRED = 'REQUIRED',
  /** A field this event type does not take (e.g. a VIN on a delivery). */
  NOT_APPLICABLE = 'NOT_APPLICABLE',
  INVALID_VALUE = 'INVALID_VALUE',
  UNKNOWN_TYPE = 'UNKNOWN_TYPE',
  SCHEMA_VERSION = 'SCHEMA_VERSION',
  /** Not a valid GB/T 34014 code (the codec's reason follows). */
  BATTERY_CODE = 'BATTERY_CODE',
  VIN = 'VIN',
  REGION_CODE = 'REGION_CODE',
  USCC = 'USCC',
  /** occurredAt in the future, or before the production date in a code. */
  OCCURRED_AT = 'OCCURRED_AT',
  UNKNOWN_COUNTERPARTY = 'UNKNOWN_COUNTERPARTY',
  COUNTERPARTY_ROLE = 'COUNTERPARTY_ROLE',
  /** The reporting enterprise does not have a role that reports this event type. */
  ROLE = 'ROLE',
  /** The reporter neither holds the battery nor is the receiver of a pending hand-over. */
  CUSTODY = 'CUSTODY',
  /** A warning: the receipt was recorded as a custody claim on the sender it names, not yet as an event. */
  CUSTODY_CLAIM = 'CUSTODY_CLAIM',
  /** The event may not follow the battery's current status. */
  STATE_TRANSITION = 'STATE_TRANSITION',
  UNKNOWN_BATTERY = 'UNKNOWN_BATTERY',
  /** A product level or code form the event type does not apply to. */
  PRODUCT_LEVEL = 'PRODUCT_LEVEL',
  ALREADY_REGISTERED = 'ALREADY_REGISTERED',
  /** Cells into modules or packs, modules into packs; the parent in the reporter's stock. */
  COMPOSITION = 'COMPOSITION',
  VIN_MISMATCH = 'VIN_MISMATCH',
  /** occurredAt before the battery's previous event. */
  EVENT_ORDER = 'EVENT_ORDER',
  /** The clientEventId was already used by this reporter for a different event. */
  CLIENT_EVENT_ID_REUSED = 'CLIENT_EVENT_ID_REUSED',
  CORRECTION_TARGET = 'CORRECTION_TARGET',
  /** Manufacturer code or coding-rule filing (from the code registry). */
  CODE_REGISTRATION = 'CODE_REGISTRATION',
  /** Valid on its own, but not written because the atomic batch had rejected events. */
  ATOMIC = 'ATOMIC',
}

export interface RuleDetail extends ErrorDetail {
  rule: LedgerRule;
}

export const detail = (path: string, rule: LedgerRule, reason: string, extra?: Record<string, unknown>): RuleDetail => ({ path, reason, rule, ...extra });

const REVEALS = Symbol('reveals');

/** The registered battery a reason tells about (its holder, status, vehicle or last event). */
export interface Revealed {
  batteryCode: string;
  /**
   * What the reporter reads instead when it may not see the battery: what it would read if it were not registered.
   * Null: nothing (the event has another reason that a code not registered gets too, e.g. the code registry's).
   */
  concealedAs: RuleDetail | null;
}

/**
 * Marks a reason as telling something about a registered battery that only those who may see it should read
 * (see concealUnseen). The mark is a symbol: it is not part of the reason as sent.
 */
export function revealing(
  d: RuleDetail,
  batteryCode: string,
  codePath: string,
  concealedAs: RuleDetail | null = unknownBattery(codePath, batteryCode),
): RuleDetail {
  Object.defineProperty(d, REVEALS, { value: { batteryCode, concealedAs } satisfies Revealed, enumerable: false });
  return d;
}

export function revealedBy(d: RuleDetail): Revealed | undefined {
  return (d as unknown as Record<symbol, Revealed | undefined>)[REVEALS];
}

/** The reason given for a battery that is not registered, and for one the reporter may not see: the same words. */
export const unknownBattery = (path: string, code: string): RuleDetail =>
  detail(
    path,
    LedgerRule.UNKNOWN_BATTERY,
    `battery ${code} is not registered, or not visible to you (an enterprise sees the batteries it produced, holds or held, and those being handed over to it)`,
  );
