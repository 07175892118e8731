import type { CodeError, CodeErrorCode, Segment } from '#libs/battery-code';
import type { ErrorDetail } from '#libs/common';
import { DomainException } from '#libs/common';

export enum CodesErrorCode {
  /** A battery code that does not decode: `details` has one entry per position error. */
  INVALID_BATTERY_CODE = 'INVALID_BATTERY_CODE',
  MANUFACTURER_CODE_TAKEN = 'MANUFACTURER_CODE_TAKEN',
  /** A body field names an enterprise that does not exist. */
  UNKNOWN_ENTERPRISE = 'UNKNOWN_ENTERPRISE',
  /** Manufacturer codes go only to battery makers and cascade utilisers. */
  ENTERPRISE_NOT_ELIGIBLE = 'ENTERPRISE_NOT_ELIGIBLE',
  /** A coding rule was filed under a manufacturer code the enterprise does not hold. */
  MANUFACTURER_CODE_NOT_HELD = 'MANUFACTURER_CODE_NOT_HELD',
  /** The barcode library could not encode the code in the requested symbology. */
  BARCODE_FAILED = 'BARCODE_FAILED',
}

/**
 * Codes of the findings of CodesService.checkBatteryRegistration (they appear as `code` in its
 * error and warning details, so that the registry can report them per battery).
 */
export enum RegistrationIssueCode {
  /** The manufacturer code (positions 1–3) is assigned to another enterprise: always an error. */
  MANUFACTURER_CODE_OF_ANOTHER_ENTERPRISE = 'MANUFACTURER_CODE_OF_ANOTHER_ENTERPRISE',
  /** The manufacturer code is assigned to nobody in this system: a warning (assignments may lag behind). */
  MANUFACTURER_CODE_UNASSIGNED = 'MANUFACTURER_CODE_UNASSIGNED',
  /** No coding rule for the specification code is in force on the production date: warning or error by config. */
  SPECIFICATION_CODE_UNFILED = 'SPECIFICATION_CODE_UNFILED',
  /** The code contradicts the filed rule (battery type, product type or form): a warning. */
  CODING_RULE_MISMATCH = 'CODING_RULE_MISMATCH',
}

/** A position error of the codec in an error envelope or a per-item result. */
export interface CodeErrorDetail extends ErrorDetail {
  path: string;
  code: CodeErrorCode;
  segment: Segment;
  position: number;
  positions: number[];
  found: string;
  allowed: string;
}

/** One position error of the codec as an error detail (`path` names the field that held the code). */
export function codeErrorDetail(path: string, e: CodeError): CodeErrorDetail {
  return {
    path,
    reason: e.message,
    code: e.code,
    segment: e.segment,
    position: e.position,
    positions: [...e.positions],
    found: e.found,
    allowed: e.allowed,
  };
}

export const CodesErrors = {
  invalidCode: (input: string, errors: readonly CodeError[], path = 'code') =>
    new DomainException(
      CodesErrorCode.INVALID_BATTERY_CODE,
      'invalid',
      `'${input}' is not a valid GB/T 34014 battery code: ${errors.map((e) => e.message).join('; ')}`,
      errors.map((e) => codeErrorDetail(path, e)),
      { input },
    ),
  manufacturerCodeTaken: (code: string, holder: { id: string; name: string }) =>
    new DomainException(
      CodesErrorCode.MANUFACTURER_CODE_TAKEN,
      'conflict',
      `Manufacturer code ${code} is already assigned to ${holder.name} (${holder.id})`,
      [{ path: 'code', reason: `already assigned to ${holder.name}`, holderEnterpriseId: holder.id, holderName: holder.name }],
      { code },
    ),
  unknownEnterprise: (id: string, path = 'enterpriseId') =>
    new DomainException(CodesErrorCode.UNKNOWN_ENTERPRISE, 'invalid', `No enterprise ${id}`, [{ path, reason: 'no such enterprise' }], { id }),
  notEligible: (id: string, roles: string[]) =>
    new DomainException(
      CodesErrorCode.ENTERPRISE_NOT_ELIGIBLE,
      'invalid',
      `Enterprise ${id} has roles [${roles.join(', ')}]: manufacturer codes are assigned only to battery makers and cascade utilisers`,
      [{ path: 'enterpriseId', reason: 'the enterprise needs the role battery_maker, cascade_utiliser or importer' }],
    ),
  manufacturerCodeNotHeld: (code: string, enterpriseId: string) =>
    new DomainException(
      CodesErrorCode.MANUFACTURER_CODE_NOT_HELD,
      'invalid',
      `Manufacturer code ${code} is not assigned to enterprise ${enterpriseId}`,
      [{ path: 'manufacturerCode', reason: 'not a manufacturer code of this enterprise' }],
      { code, enterpriseId },
    ),
  barcodeFailed: (symbology: string, reason: string) =>
    new DomainException(CodesErrorCode.BARCODE_FAILED, 'invalid', `The code cannot be rendered as ${symbology}: ${reason}`, [{ path: 'symbology', reason }], {
      symbology,
    }),
};
