import type { CodeError } from '#libs/battery-code';
import { DomainException } from '#libs/common';

export enum BatteryErrorCode {
  /** No such battery, or one the caller may not see (the two are not told apart). */
  BATTERY_NOT_FOUND = 'BATTERY_NOT_FOUND',
  /** A path or query parameter that is not a GB/T 34014 code. */
  INVALID_BATTERY_CODE = 'INVALID_BATTERY_CODE',
  /** A `holder` filter that names no enterprise. */
  UNKNOWN_HOLDER = 'UNKNOWN_HOLDER',
}

export const BatteryErrors = {
  notFound: (code: string) => new DomainException(BatteryErrorCode.BATTERY_NOT_FOUND, 'not_found', `No battery ${code}`, [], { code }),
  invalidCode: (input: string, errors: readonly CodeError[], path = 'code') =>
    new DomainException(
      BatteryErrorCode.INVALID_BATTERY_CODE,
      'invalid',
      `'${input}' is not a valid GB/T 34014 battery code`,
      errors.map((e) => ({ path, reason: e.message, code: e.code, segment: e.segment, position: e.position, found: e.found })),
      { input },
    ),
  unknownHolder: (holder: string) =>
    new DomainException(
      BatteryErrorCode.UNKNOWN_HOLDER,
      'invalid',
      `No enterprise ${holder}`,
      [{ path: 'holder', reason: 'names no enterprise (give its id or USCC)' }],
      { holder },
    ),
};
