import type { ErrorDetail } from '#libs/common';
import { DomainException } from '#libs/common';

export enum LedgerErrorCode {
  /** POST /v1/batteries: the registration broke a rule (details name each battery and rule). */
  REGISTRATION_REJECTED = 'REGISTRATION_REJECTED',
  /** POST /v1/batteries: a battery is already registered with different attributes or by another enterprise. */
  ALREADY_REGISTERED = 'ALREADY_REGISTERED',
  TOO_MANY_EVENTS = 'TOO_MANY_EVENTS',
}

export const LedgerErrors = {
  registrationRejected: (details: ErrorDetail[]) =>
    new DomainException(LedgerErrorCode.REGISTRATION_REJECTED, 'invalid', 'The batteries were not registered: see details for each rule broken', details),
  alreadyRegistered: (details: ErrorDetail[]) =>
    new DomainException(
      LedgerErrorCode.ALREADY_REGISTERED,
      'conflict',
      'A battery is already registered differently (another enterprise, or other attributes)',
      details,
    ),
  tooManyEvents: (count: number, max: number) =>
    new DomainException(
      LedgerErrorCode.TOO_MANY_EVENTS,
      'invalid',
      `At most ${max} events per batch; got ${count}`,
      [{ path: 'events', reason: `must contain at most ${max} events` }],
      { count, max },
    ),
  /** POST /v1/batteries: counted on the raw body, before validation, so the count stops at the limit. */
  tooManyParts: (max: number) =>
    new DomainException(LedgerErrorCode.TOO_MANY_EVENTS, 'invalid', `At most ${max} batteries and parts (components, at any depth) per registration`, [
      { path: 'batteries', reason: `must hold at most ${max} batteries and parts in all`, limit: max },
    ]),
};
