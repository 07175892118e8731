/**
 * Building a code from its fields: shared by `POST /v1/codes/encode` and the CLI's `encode` command. Pure (no Nest,
 * no database). The codec's `format` checks every part as `parse` checks a code, so the errors are the same
 * position-level errors as decoding, each also naming the request field that holds the part.
 */
import type { BatteryCodeParts, CodeError, DecodedBatteryCode, Segment } from '#libs/battery-code';
import { format } from '#libs/battery-code';

/** The fields of a code as a request or the command line gives them (any JSON value: the codec says what is wrong). */
export interface EncodeFields {
  form?: unknown;
  manufacturerCode?: unknown;
  productType?: unknown;
  batteryType?: unknown;
  specificationCode?: unknown;
  traceabilityCode?: unknown;
  productionDate?: unknown;
  serial?: unknown;
  cascadeLevel?: unknown;
}

/** The request field that holds each segment of the code. */
export const FIELD_OF_SEGMENT: Record<Segment, keyof EncodeFields> = {
  input: 'form',
  length: 'form',
  manufacturer: 'manufacturerCode',
  productType: 'productType',
  batteryType: 'batteryType',
  specification: 'specificationCode',
  traceability: 'traceabilityCode',
  year: 'productionDate',
  month: 'productionDate',
  day: 'productionDate',
  date: 'productionDate',
  serial: 'serial',
  cascadeMarker: 'cascadeLevel',
  cascadeLevel: 'cascadeLevel',
};

/** On failure, `normalised` is the code as far as it could be built ('?' where a part could not be placed). */
export type EncodeResult = { ok: true; code: DecodedBatteryCode } | { ok: false; normalised: string; errors: CodeError[] };

/** Builds the code (`now` is today, for the future-date check). */
export function encodeFields(fields: EncodeFields, now: Date = new Date()): EncodeResult {
  const result = format({ ...fields, form: fields.form ?? 'original' } as unknown as BatteryCodeParts, { now });
  return result.ok ? { ok: true, code: result.code } : { ok: false, normalised: result.normalised, errors: [...result.errors] };
}
