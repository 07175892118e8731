import type { CellKind } from './cells';
import type { ColumnSpec, EventTypeColumns, UploadCatalogue } from './columns';

/**
 * The shape of the ledger's event-type table that uploads rely on (structural,
 * so this file stays pure and testable with a table of its own).
 */
export interface LedgerFieldSpec {
  readonly name: string;
  readonly kind: string;
  readonly required: boolean;
  readonly description: string;
  readonly enum?: readonly string[];
  readonly unit?: string;
  readonly example?: string | number | boolean | readonly string[];
}

type Presence = 'required' | 'optional' | 'forbidden';

export interface LedgerTypeRules {
  readonly type: string;
  readonly description: string;
  readonly counterparty: { readonly presence: Presence };
  readonly vin: { readonly presence: Presence };
  readonly region: Presence;
  readonly special?: string;
  readonly payload: readonly { readonly version: number; readonly fields: readonly LedgerFieldSpec[] }[];
}

export interface LedgerRuleSetLike {
  readonly id: string;
  readonly types: Readonly<Record<string, LedgerTypeRules>>;
}

export interface LedgerTable {
  /** Every rule set, oldest first: a file may hold events of any business date. */
  ruleSets: readonly LedgerRuleSetLike[];
  /** The set in force now: what templates document. */
  current: LedgerRuleSetLike;
  envelope: readonly LedgerFieldSpec[];
  payloadKey: string;
}

/**
 * How cells of each FieldSpec kind are read. A kind missing here is read as
 * trimmed text, which the ledger then validates; add a line when a kind needs
 * a spreadsheet-specific reading (numbers, dates, lists).
 */
export const CELL_KIND_BY_FIELD_KIND: Readonly<Record<string, CellKind>> = {
  string: 'text',
  enum: 'text',
  batteryCode: 'text',
  vin: 'text',
  uscc: 'text',
  regionCode: 'text',
  uuid: 'text',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  batteryCodes: 'list',
  object: 'json',
};

export const cellKindFor = (kind: string): CellKind => CELL_KIND_BY_FIELD_KIND[kind] ?? 'text';

/** Envelope fields a spreadsheet row may not set: the payload is spread over its own columns. */
const NOT_A_COLUMN = (table: LedgerTable) => new Set([table.payloadKey]);

/** Envelope fields that only some event types take, with the rule that says which. */
export function envelopePresence(field: string, rules: LedgerTypeRules): Presence {
  switch (field) {
    case 'counterpartyUscc':
      return rules.counterparty.presence;
    case 'vin':
      return rules.vin.presence;
    case 'regionCode':
      return rules.region;
    case 'correctionOf':
      return rules.special === 'correction' ? 'required' : 'forbidden';
    default:
      return 'optional';
  }
}

function column(spec: LedgerFieldSpec): ColumnSpec {
  const example = spec.example === undefined ? undefined : Array.isArray(spec.example) ? spec.example.join(';') : String(spec.example);
  return {
    name: spec.name,
    kind: spec.kind,
    cell: cellKindFor(spec.kind),
    required: spec.required,
    description: spec.unit ? `${spec.description} (${spec.unit})` : spec.description,
    ...(spec.enum ? { enum: spec.enum } : {}),
    ...(example !== undefined ? { example } : {}),
  };
}

/**
 * The upload columns of the ledger's table. A type's payload columns are the
 * union over rule sets and payload versions (the ledger picks the version each
 * row needs by its business date); descriptions and `required` come from the
 * current set's latest version.
 */
export function buildCatalogue(table: LedgerTable): UploadCatalogue {
  const skip = NOT_A_COLUMN(table);
  const envelope = table.envelope.filter((f) => !skip.has(f.name)).map(column);
  // The ledger also accepts `type` as an enum; for a file, unknown types are a row-level reason, not a cell error.
  const types = new Map<string, EventTypeColumns>();
  for (const [name, current] of Object.entries(table.current.types)) {
    const fields = new Map<string, ColumnSpec>();
    for (const set of table.ruleSets) {
      const rules = set.types[name];
      if (!rules) continue;
      for (const version of rules.payload) for (const f of version.fields) fields.set(f.name, column(f));
    }
    const latest = current.payload[current.payload.length - 1];
    for (const f of latest?.fields ?? []) fields.set(f.name, column(f));
    types.set(name, { type: name, description: current.description, fields: [...fields.values()] });
  }
  return {
    envelope: envelope.map((c) => (c.name === 'type' ? { ...c, enum: undefined } : c)),
    types,
    payloadKey: table.payloadKey,
  };
}

/** The envelope columns of one type's template: those its rules do not forbid. */
export function templateEnvelope(table: LedgerTable, type: string): string[] {
  const rules = table.current.types[type];
  const skip = NOT_A_COLUMN(table);
  return table.envelope.filter((f) => !skip.has(f.name) && (!rules || envelopePresence(f.name, rules) !== 'forbidden')).map((f) => f.name);
}
