import type { ErrorDetail } from '#libs/common';
import type { CellKind, CellValue } from './cells';
import { convertCell, isCellError, isEmptyCell } from './cells';
import { COLUMN_NAMES_ZH } from './columns.zh';
import { UploadFailure, UploadFailureCode } from './errors';

/**
 * The columns of an upload file: the event envelope fields (every event type)
 * plus the payload fields of each event type, named exactly as in the JSON body
 * of POST /v1/events. Built from the ledger's event-type table (see ledger-catalogue.ts);
 * pure, so it is unit-tested with a table of its own.
 */
export interface ColumnSpec {
  /** Header text: the JSON field name. */
  name: string;
  /** The ledger's FieldSpec kind (shown in templates). */
  kind: string;
  /** How cells of this column are read. */
  cell: CellKind;
  required: boolean;
  description: string;
  enum?: readonly string[];
  example?: string;
}

export interface EventTypeColumns {
  type: string;
  description: string;
  /** Payload fields, in table order. */
  fields: ColumnSpec[];
}

export interface UploadCatalogue {
  /** Envelope fields, `type` first. */
  envelope: ColumnSpec[];
  types: ReadonlyMap<string, EventTypeColumns>;
  /**
   * Where payload fields go in the raw event: under this key (`{ ..., payload: { ... } }`),
   * or beside the envelope fields when null.
   */
  payloadKey: string | null;
  /** False for upload kinds other than events: no `type` column, every column is a field of the record. */
  typed?: boolean;
}

export const TYPE_COLUMN = 'type';
export const CLIENT_EVENT_ID_COLUMN = 'clientEventId';

/** What one header position stands for. */
export interface ResolvedColumn {
  index: number;
  name: string;
  envelope: ColumnSpec | null;
}

export interface ResolvedHeader {
  columns: ResolvedColumn[];
  width: number;
}

/** Every column name a file may use, envelope first, then payload fields in table order. */
export function allColumnNames(catalogue: UploadCatalogue): string[] {
  const names = catalogue.envelope.map((c) => c.name);
  const seen = new Set(names);
  for (const t of catalogue.types.values()) {
    for (const f of t.fields) {
      if (!seen.has(f.name)) {
        seen.add(f.name);
        names.push(f.name);
      }
    }
  }
  return names;
}

/** Header text is matched ignoring case and surrounding spaces, so hand-typed headers still fit. */
const headerKey = (s: string) => s.trim().toLowerCase();

/**
 * Reads the header row. Unknown, duplicated or missing required columns fail the
 * whole upload: they almost always mean a template mismatch, and guessing would
 * silently drop data from every row.
 */
export function resolveHeader(cells: CellValue[], catalogue: UploadCatalogue): ResolvedHeader {
  const known = new Map<string, string>();
  for (const name of allColumnNames(catalogue)) {
    known.set(headerKey(name), name);
    // The documented Chinese header of the column is the same column (电池编码 is batteryCodes).
    if (COLUMN_NAMES_ZH[name]) known.set(headerKey(COLUMN_NAMES_ZH[name]), name);
  }
  const envelope = new Map(catalogue.envelope.map((c) => [c.name, c]));

  const columns: ResolvedColumn[] = [];
  const unknown: ErrorDetail[] = [];
  const positions = new Map<string, number[]>();
  let width = 0;
  cells.forEach((cell, index) => {
    if (isEmptyCell(cell)) return;
    width = index + 1;
    const text = isCellError(cell) || cell instanceof Date ? '' : String(cell).trim();
    const name = known.get(headerKey(text));
    if (name === undefined) {
      unknown.push({ path: columnLetter(index), reason: `unknown column '${text}'`, column: text });
      return;
    }
    positions.set(name, [...(positions.get(name) ?? []), index]);
    columns.push({ index, name, envelope: envelope.get(name) ?? null });
  });

  if (columns.length === 0 && unknown.length === 0) {
    throw new UploadFailure(UploadFailureCode.NO_HEADER, 'The file has no header row: the first non-empty row must name the columns');
  }
  if (unknown.length > 0) {
    // A whole header in one cell: the file was saved with another separator.
    const separator = unknown.length === 1 && columns.length === 0 ? /[;\t]/.exec(String(unknown[0].column))?.[0] : undefined;
    throw new UploadFailure(
      UploadFailureCode.UNKNOWN_COLUMNS,
      `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${String(u.column)}'`).join(', ')}. ` +
        (separator ? `The file seems to separate columns with ${separator === ';' ? "';'" : 'tabs'}: CSV uploads use commas. ` : '') +
        `Allowed columns: ${allColumnNames(catalogue).join(', ')}. Download a template from GET /v1/uploads/templates/{type}.`,
      unknown,
    );
  }
  const duplicated = [...positions.entries()].filter(([, at]) => at.length > 1);
  if (duplicated.length > 0) {
    throw new UploadFailure(
      UploadFailureCode.DUPLICATE_COLUMNS,
      `Column${duplicated.length > 1 ? 's' : ''} ${duplicated.map(([n]) => `'${n}'`).join(', ')} appear more than once`,
      duplicated.map(([name, at]) => ({ path: name, reason: `in columns ${at.map(columnLetter).join(', ')}` })),
    );
  }
  const missing = catalogue.envelope.filter((c) => c.required && !positions.has(c.name));
  if (missing.length > 0) {
    throw new UploadFailure(
      UploadFailureCode.MISSING_COLUMNS,
      `Missing required column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c.name}'`).join(', ')}`,
      missing.map((c) => ({ path: c.name, reason: 'required column' })),
    );
  }
  return { columns, width };
}

/** A, B, …, Z, AA, … as spreadsheets name columns. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export type MappedRow =
  | { ok: true; event: Record<string, unknown>; clientEventId: string | null; batteryCodes?: string[] }
  | { ok: false; reasons: ErrorDetail[]; clientEventId: string | null; batteryCodes?: string[] };

export const BATTERY_CODES_COLUMN = 'batteryCodes';

/** True when every cell of the row is empty: such rows are skipped, not reported. */
export function isBlankRow(cells: CellValue[]): boolean {
  return cells.every(isEmptyCell);
}

/**
 * One data row to a raw event as POST /v1/events takes it, or the reasons it
 * cannot be one. Reasons name the column (`path`) so a person can find the cell.
 * Rules the ledger checks (required payload fields, codes, state machine) are left
 * to it, so that a file and the JSON API reject the same things the same way.
 */
export function mapRow(cells: CellValue[], header: ResolvedHeader, catalogue: UploadCatalogue): MappedRow {
  const reasons: ErrorDetail[] = [];
  const cellAt = (c: ResolvedColumn): CellValue => cells[c.index] ?? null;

  const clientIdColumn = header.columns.find((c) => c.name === CLIENT_EVENT_ID_COLUMN);
  let clientEventId: string | null = null;
  if (clientIdColumn) {
    const raw = cellAt(clientIdColumn);
    if (!isEmptyCell(raw) && !isCellError(raw) && !(raw instanceof Date)) {
      const converted = convertCell(raw, 'text');
      if (converted.ok) clientEventId = converted.value as string;
    }
  }

  // The codes as the row names them, even when the row is rejected (results are matched by code).
  let batteryCodes: string[] = [];
  const codesColumn = header.columns.find((c) => c.name === BATTERY_CODES_COLUMN);
  if (codesColumn?.envelope) {
    const raw = cellAt(codesColumn);
    const converted = isEmptyCell(raw) ? null : convertCell(raw, codesColumn.envelope.cell);
    if (converted?.ok) batteryCodes = (Array.isArray(converted.value) ? converted.value : [converted.value]).map(String);
  }

  for (let i = header.width; i < cells.length; i++) {
    if (!isEmptyCell(cells[i])) reasons.push({ path: columnLetter(i), reason: 'has a value but no column header' });
  }

  const typed = catalogue.typed !== false;
  const typeColumn = typed ? header.columns.find((c) => c.name === TYPE_COLUMN) : undefined;
  const typeCell = typeColumn ? cellAt(typeColumn) : null;
  const typeName = typeof typeCell === 'string' ? typeCell.trim() : null;
  const type = typeName ? catalogue.types.get(typeName) : undefined;
  if (!typed) {
    // Every column is an envelope column: its own spec reads it; required ones are checked below.
  } else if (isEmptyCell(typeCell)) {
    reasons.push({ path: TYPE_COLUMN, reason: 'required' });
  } else if (!type) {
    reasons.push({
      path: TYPE_COLUMN,
      reason: `'${typeName ?? String(typeCell)}' is not an event type; use one of ${[...catalogue.types.keys()].join(', ')}`,
    });
  }

  const event: Record<string, unknown> = {};
  const payload: Record<string, unknown> = {};
  const fields = new Map((type?.fields ?? []).map((f) => [f.name, f]));
  for (const column of header.columns) {
    const value = cellAt(column);
    if (isEmptyCell(value)) continue;
    const spec = column.envelope ?? fields.get(column.name);
    if (!spec) {
      // Without a known type every payload column is unplaceable; the type reason above says why.
      if (type) reasons.push({ path: column.name, reason: `does not apply to '${type.type}' events; leave it empty` });
      continue;
    }
    const converted = convertCell(value, spec.cell, spec.enum);
    if (!converted.ok) {
      reasons.push({ path: column.name, reason: converted.reason });
      continue;
    }
    if (column.envelope || catalogue.payloadKey === null) event[column.name] = converted.value;
    else payload[column.name] = converted.value;
  }
  if (!typed) {
    for (const c of catalogue.envelope) if (c.required && event[c.name] === undefined) reasons.push({ path: c.name, reason: 'required' });
  }
  if (reasons.length > 0) return { ok: false, reasons, clientEventId, batteryCodes };
  if (catalogue.payloadKey !== null) event[catalogue.payloadKey] = payload;
  return { ok: true, event, clientEventId, batteryCodes };
}
