/**
 * Validation of one raw event on its own (no database): the envelope, the payload of its type, battery codes,
 * VIN, region and USCC formats. Hand-written and table-driven (from the event-type table) because it runs
 * for every event of every batch; it collects every problem of an event, not only the first.
 */
import type { DecodedBatteryCode } from '#libs/battery-code';
import { parse } from '#libs/battery-code';
import { checkRegionCode, checkUscc, checkVin } from '#libs/identifiers';
import type { EventType, EventTypeRules, LedgerRuleSet } from './event-types';
import { EVENT_TYPES, MAX_CODES_PER_EVENT, PAYLOAD_KEY, ruleSetFor } from './event-types';
import type { FieldSpec } from './field-spec';
import { chinaDate, hasForbiddenCharacters, isCalendarDate, isUuid, parseDateTime } from './field-spec';
import type { RuleDetail } from './rules';
import { detail, LedgerRule } from './rules';

/** A raw event that passed validation on its own, normalised: what will be hashed and stored. */
export interface Candidate {
  index: number;
  path: string;
  type: EventType;
  rules: EventTypeRules;
  ruleSet: LedgerRuleSet;
  schemaVersion: number;
  /** Normalised, sorted, without repeats. */
  batteryCodes: string[];
  /** Every code the event names (batteryCodes and payload codes), decoded. */
  decoded: Map<string, DecodedBatteryCode>;
  /** Where each code came from in the request, for reasons. */
  codePath: Map<string, string>;
  occurredAt: number;
  clientEventId: string | null;
  counterpartyUscc: string | null;
  regionCode: string | null;
  vin: string | null;
  correctionOf: string | null;
  payload: Record<string, unknown>;
  /** Payload codes by field name (replacementCode, cascadeCode, parentCode). */
  payloadCodes: Record<string, string>;
}

export type Prevalidated = { ok: true; candidate: Candidate } | { ok: false; reasons: RuleDetail[]; clientEventId: string | null };

const ENVELOPE_KEYS = new Set([
  'type',
  'batteryCodes',
  'occurredAt',
  'clientEventId',
  'counterpartyUscc',
  'regionCode',
  'vin',
  'correctionOf',
  'schemaVersion',
  PAYLOAD_KEY,
]);
const TYPES = new Set<string>(EVENT_TYPES);
/** Business dates this far ahead of the server clock are refused (clock skew allowance). */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;

/** The last USCC found valid: a batch's hand-overs mostly name one counterparty (its check is a loop over 18 characters). */
let lastValidUscc = '';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function codeReason(input: string, result: ReturnType<typeof parse>): string {
  if (result.ok) return '';
  return `'${input}' is not a valid GB/T 34014 battery code: ${result.errors.map((e) => e.message).join('; ')}`;
}

/**
 * One field value against its spec: the normalised value, or undefined after pushing the reason.
 * Battery codes are decoded into `decoded`.
 */
function checkField(spec: FieldSpec, value: unknown, path: string, reasons: RuleDetail[], decoded: Map<string, DecodedBatteryCode>, now: number): unknown {
  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string') return void reasons.push(detail(path, LedgerRule.SHAPE, `must be a string, got ${describeType(value)}`));
      const s = value.trim();
      if (s === '') return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, 'must not be empty'));
      if (spec.max !== undefined && s.length > spec.max)
        return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, `must be at most ${spec.max} characters, got ${s.length}`));
      if (hasForbiddenCharacters(s))
        return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, 'must not contain control characters or unpaired UTF-16 surrogates'));
      return s;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return void reasons.push(detail(path, LedgerRule.SHAPE, `must be a number, got ${describeType(value)}`));
      if (spec.kind === 'integer' && !Number.isInteger(value))
        return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, `must be a whole number, got ${value}`));
      if (spec.min !== undefined && (spec.minExclusive ? value <= spec.min : value < spec.min)) {
        return void reasons.push(
          detail(
            path,
            LedgerRule.INVALID_VALUE,
            `must be ${spec.minExclusive ? 'greater than' : 'at least'} ${spec.min}${spec.unit ? ` ${spec.unit}` : ''}, got ${value}`,
          ),
        );
      }
      if (spec.max !== undefined && value > spec.max)
        return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, `must be at most ${spec.max}${spec.unit ? ` ${spec.unit}` : ''}, got ${value}`));
      // -0 would hash as 0 but is not the same JSON; normalise it.
      return value === 0 ? 0 : value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return void reasons.push(detail(path, LedgerRule.SHAPE, `must be true or false, got ${describeType(value)}`));
      return value;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value.trim()))
        return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, 'must be a date YYYY-MM-DD'));
      return value.trim();
    case 'datetime': {
      const ms = typeof value === 'string' ? parseDateTime(value.trim()) : NaN;
      if (Number.isNaN(ms))
        return void reasons.push(
          detail(path, LedgerRule.INVALID_VALUE, 'must be an ISO 8601 date-time such as 2026-05-01T10:00:00+08:00 (Beijing time when no offset is given)'),
        );
      if (ms > now + FUTURE_TOLERANCE_MS) return void reasons.push(detail(path, LedgerRule.OCCURRED_AT, `${new Date(ms).toISOString()} is in the future`));
      return ms;
    }
    case 'enum':
      if (typeof value !== 'string' || !spec.enum!.includes(value)) {
        return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, `must be one of ${spec.enum!.join(', ')}`));
      }
      return value;
    case 'uuid':
      if (typeof value !== 'string' || !isUuid(value.trim())) return void reasons.push(detail(path, LedgerRule.INVALID_VALUE, 'must be an event id (UUID)'));
      return value.trim().toLowerCase();
    case 'vin': {
      if (typeof value !== 'string') return void reasons.push(detail(path, LedgerRule.SHAPE, `must be a string, got ${describeType(value)}`));
      const r = checkVin(value);
      if (!r.ok) return void reasons.push(detail(path, LedgerRule.VIN, `'${value}' is not a valid VIN: ${r.reason}`));
      return r.vin;
    }
    case 'uscc': {
      if (typeof value !== 'string') return void reasons.push(detail(path, LedgerRule.SHAPE, `must be a string, got ${describeType(value)}`));
      const u = value.trim().toUpperCase();
      if (u === lastValidUscc) return u;
      const r = checkUscc(u);
      if (!r.ok) return void reasons.push(detail(path, LedgerRule.USCC, `'${value}' is not a valid unified social credit code: ${r.reason}`));
      lastValidUscc = u;
      return u;
    }
    case 'regionCode': {
      if (typeof value !== 'string') return void reasons.push(detail(path, LedgerRule.SHAPE, `must be a string, got ${describeType(value)}`));
      const r = checkRegionCode(value);
      if (!r.ok) return void reasons.push(detail(path, LedgerRule.REGION_CODE, r.reason));
      return r.code;
    }
    case 'batteryCode': {
      if (typeof value !== 'string') return void reasons.push(detail(path, LedgerRule.SHAPE, `must be a string, got ${describeType(value)}`));
      const r = parse(value);
      if (!r.ok) return void reasons.push(detail(path, LedgerRule.BATTERY_CODE, codeReason(value, r)));
      if (spec.form && r.code.form !== spec.form) {
        return void reasons.push(
          detail(
            path,
            LedgerRule.BATTERY_CODE,
            `must be ${spec.form === 'cascade' ? 'a 19-character cascade code' : 'a 24-character original code'}, got ${r.code.code}`,
          ),
        );
      }
      decoded.set(r.code.code, r.code);
      return r.code.code;
    }
    case 'batteryCodes':
    case 'object':
      // Envelope-only kinds, handled by the caller.
      return value;
  }
}

/** Validates one raw event. `path` names it in reasons (e.g. `events[3]`). */
export function prevalidate(raw: unknown, index: number, path: string, now: number): Prevalidated {
  const reasons: RuleDetail[] = [];
  if (!isObject(raw))
    return { ok: false, clientEventId: null, reasons: [detail(path, LedgerRule.SHAPE, `an event must be a JSON object, got ${describeType(raw)}`)] };

  for (const key of Object.keys(raw)) {
    if (!ENVELOPE_KEYS.has(key))
      reasons.push(detail(`${path}.${key}`, LedgerRule.UNKNOWN_FIELD, `is not a field of an event (payload fields go under '${PAYLOAD_KEY}')`));
  }

  const decoded = new Map<string, DecodedBatteryCode>();
  const codePath = new Map<string, string>();

  let clientEventId: string | null = null;
  if (raw.clientEventId !== undefined && raw.clientEventId !== null) {
    const v = checkField(ENVELOPE.clientEventId, raw.clientEventId, `${path}.clientEventId`, reasons, decoded, now);
    if (typeof v === 'string') clientEventId = v;
  }

  // type and business date choose the rule set and the payload schema
  let rules: EventTypeRules | null = null;
  let ruleSet: LedgerRuleSet | null = null;
  let type: EventType | null = null;
  if (raw.type === undefined || raw.type === null) reasons.push(detail(`${path}.type`, LedgerRule.REQUIRED, 'is required'));
  else if (typeof raw.type !== 'string' || !TYPES.has(raw.type)) {
    reasons.push(detail(`${path}.type`, LedgerRule.UNKNOWN_TYPE, `'${String(raw.type)}' is not an event type; use one of ${EVENT_TYPES.join(', ')}`));
  } else type = raw.type as EventType;

  let occurredAt = NaN;
  if (raw.occurredAt === undefined || raw.occurredAt === null) reasons.push(detail(`${path}.occurredAt`, LedgerRule.REQUIRED, 'is required'));
  else {
    const v = checkField(ENVELOPE.occurredAt, raw.occurredAt, `${path}.occurredAt`, reasons, decoded, now);
    if (typeof v === 'number') occurredAt = v;
  }
  if (type !== null) {
    ruleSet = ruleSetFor(Number.isNaN(occurredAt) ? chinaDate(now) : chinaDate(occurredAt));
    rules = ruleSet.types[type];
  }

  // battery codes
  const codes: string[] = [];
  const bc = raw.batteryCodes;
  if (bc === undefined || bc === null)
    reasons.push(detail(`${path}.batteryCodes`, LedgerRule.REQUIRED, 'is required: the codes of the batteries the event is about'));
  else if (!Array.isArray(bc)) reasons.push(detail(`${path}.batteryCodes`, LedgerRule.SHAPE, `must be an array of battery codes, got ${describeType(bc)}`));
  else if (bc.length === 0) reasons.push(detail(`${path}.batteryCodes`, LedgerRule.REQUIRED, 'must name at least one battery'));
  else if (bc.length > MAX_CODES_PER_EVENT)
    reasons.push(detail(`${path}.batteryCodes`, LedgerRule.INVALID_VALUE, `must name at most ${MAX_CODES_PER_EVENT} batteries, got ${bc.length}`));
  else {
    for (let i = 0; i < bc.length; i++) {
      const p = `${path}.batteryCodes[${i}]`;
      const code = checkField(CODE_SPEC, bc[i], p, reasons, decoded, now);
      if (typeof code !== 'string') continue;
      if (codePath.has(code)) {
        reasons.push(detail(p, LedgerRule.INVALID_VALUE, `repeats ${code} (${codePath.get(code)})`));
        continue;
      }
      codePath.set(code, p);
      codes.push(code);
      if (rules) {
        const d = decoded.get(code)!;
        if (rules.forms && !rules.forms.includes(d.form)) {
          reasons.push(
            detail(
              p,
              LedgerRule.PRODUCT_LEVEL,
              `'${type}' applies to ${rules.forms.map((x) => (x === 'cascade' ? 'cascade products (19-character codes)' : 'original batteries (24-character codes)')).join(' and ')}; ${code} is ${d.form === 'cascade' ? 'a cascade product' : 'an original battery'}`,
            ),
          );
        }
        if (rules.levels && !rules.levels.includes(d.productType.name)) {
          reasons.push(detail(p, LedgerRule.PRODUCT_LEVEL, `'${type}' applies to ${rules.levels.join('s, ')}s; ${code} is a ${d.productType.name}`));
        }
      }
    }
    if (rules && rules.special === 'replace' && bc.length !== 1) {
      reasons.push(
        detail(
          `${path}.batteryCodes`,
          LedgerRule.INVALID_VALUE,
          `'${type}' names exactly one battery (the one taken out); the one put in is payload.replacementCode`,
        ),
      );
    }
  }
  codes.sort();

  // envelope fields whose presence depends on the type
  const optional = (
    name: 'counterpartyUscc' | 'regionCode' | 'vin' | 'correctionOf',
    presence: 'required' | 'optional' | 'forbidden',
    why: string,
  ): string | null => {
    const value = raw[name];
    const p = `${path}.${name}`;
    if (value === undefined || value === null) {
      if (presence === 'required') reasons.push(detail(p, LedgerRule.REQUIRED, `is required for '${type}' events${why}`));
      return null;
    }
    if (presence === 'forbidden') {
      reasons.push(detail(p, LedgerRule.NOT_APPLICABLE, `does not apply to '${type}' events`));
      return null;
    }
    const v = checkField(ENVELOPE[name], value, p, reasons, decoded, now);
    return typeof v === 'string' ? v : null;
  };
  let counterpartyUscc: string | null = null;
  let regionCode: string | null = null;
  let vin: string | null = null;
  let correctionOf: string | null = null;
  let schemaVersion = 1;
  const payload: Record<string, unknown> = {};
  const payloadCodes: Record<string, string> = {};

  if (rules) {
    counterpartyUscc = optional('counterpartyUscc', rules.counterparty.presence, rules.custody === 'handover' ? ' (the receiver of the hand-over)' : '');
    regionCode = optional('regionCode', rules.region, type === 'vehicle_sold' ? ' (the region of sale)' : '');
    vin = optional('vin', rules.vin.presence, ' (the vehicle)');
    correctionOf = optional('correctionOf', rules.special === 'correction' ? 'required' : 'forbidden', ' (the id of the event corrected)');

    const versions = rules.payload;
    let schema = versions[versions.length - 1];
    if (raw.schemaVersion !== undefined && raw.schemaVersion !== null) {
      const found = versions.find((v) => v.version === raw.schemaVersion);
      if (typeof raw.schemaVersion !== 'number')
        reasons.push(detail(`${path}.schemaVersion`, LedgerRule.SHAPE, `must be a number, got ${describeType(raw.schemaVersion)}`));
      else if (!found)
        reasons.push(
          detail(
            `${path}.schemaVersion`,
            LedgerRule.SCHEMA_VERSION,
            `'${type}' has payload schema versions ${versions.map((v) => v.version).join(', ')}; got ${raw.schemaVersion}`,
          ),
        );
      else schema = found;
    }
    schemaVersion = schema.version;

    const rawPayload = raw[PAYLOAD_KEY];
    if (rawPayload !== undefined && rawPayload !== null && !isObject(rawPayload)) {
      reasons.push(detail(`${path}.${PAYLOAD_KEY}`, LedgerRule.SHAPE, `must be an object, got ${describeType(rawPayload)}`));
    } else {
      const given = (rawPayload ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(given)) {
        if (!schema.fields.some((fs) => fs.name === key)) {
          const names = schema.fields.map((fs) => fs.name);
          reasons.push(
            detail(
              `${path}.${PAYLOAD_KEY}.${key}`,
              LedgerRule.UNKNOWN_FIELD,
              `is not a field of '${type}' events${names.length ? ` (fields: ${names.join(', ')})` : ' (they have no payload fields)'}`,
            ),
          );
        }
      }
      for (const fs of schema.fields) {
        const value = given[fs.name];
        const p = `${path}.${PAYLOAD_KEY}.${fs.name}`;
        if (value === undefined || value === null) {
          if (fs.required) reasons.push(detail(p, LedgerRule.REQUIRED, `is required for '${type}' events: ${fs.description}`));
          continue;
        }
        const v = checkField(fs, value, p, reasons, decoded, now);
        if (v === undefined) continue;
        payload[fs.name] = v;
        if (fs.kind === 'batteryCode') {
          payloadCodes[fs.name] = v as string;
          if (codePath.has(v as string))
            reasons.push(detail(p, LedgerRule.INVALID_VALUE, `${String(v)} is also named in batteryCodes (${codePath.get(v as string)})`));
          else codePath.set(v as string, p);
        }
      }
    }
  }

  // A battery cannot take part in anything before the date its code says it was produced.
  if (!Number.isNaN(occurredAt)) {
    const day = chinaDate(occurredAt);
    for (const [code, d] of decoded) {
      if (d.productionDate > day) {
        reasons.push(
          detail(
            codePath.get(code) ?? `${path}.batteryCodes`,
            LedgerRule.OCCURRED_AT,
            `occurredAt (${day}, Beijing time) is before the production date ${d.productionDate} encoded in ${code}`,
          ),
        );
      }
    }
  }

  if (reasons.length > 0 || rules === null || ruleSet === null || type === null) return { ok: false, reasons, clientEventId };
  return {
    ok: true,
    candidate: {
      index,
      path,
      type,
      rules,
      ruleSet,
      schemaVersion,
      batteryCodes: codes,
      decoded,
      codePath,
      occurredAt,
      clientEventId,
      counterpartyUscc,
      regionCode,
      vin,
      correctionOf,
      payload,
      payloadCodes,
    },
  };
}

const CODE_SPEC: FieldSpec = { name: 'batteryCode', kind: 'batteryCode', required: true, description: '' };
const ENVELOPE = {
  clientEventId: { name: 'clientEventId', kind: 'string', required: false, max: 100, description: '' },
  occurredAt: { name: 'occurredAt', kind: 'datetime', required: true, description: '' },
  counterpartyUscc: { name: 'counterpartyUscc', kind: 'uscc', required: false, description: '' },
  regionCode: { name: 'regionCode', kind: 'regionCode', required: false, description: '' },
  vin: { name: 'vin', kind: 'vin', required: false, description: '' },
  correctionOf: { name: 'correctionOf', kind: 'uuid', required: false, description: '' },
} satisfies Record<string, FieldSpec>;
