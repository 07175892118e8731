import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { LedgerTable } from './catalogue';
import { envelopePresence, templateEnvelope } from './catalogue';
import type { ColumnSpec, UploadCatalogue } from './columns';
import { allColumnNames } from './columns';
import type { TemplateLanguage } from './columns.zh';
import { CELL_RULES_ZH, columnHeader, TEMPLATE_LABELS } from './columns.zh';
import type { TemplateCatalogueView, TemplateColumnView } from './dto';

/** The template with every column, for files that mix event types. */
export const ALL_EVENTS_TEMPLATE = 'events';

/** How cells are read; shown in the OpenAPI description, the JSON catalogue and the XLSX template. */
export const CELL_RULES: readonly string[] = [
  'The first non-empty row is the header: column names as in the JSON body of POST /v1/events (payload fields as their own columns), matched ignoring case. Unknown or repeated column names fail the whole upload, listing the allowed names.',
  'Only the first worksheet of an XLSX workbook is read. CSV files are comma-separated, quoted as RFC 4180, and UTF-8 (with or without BOM) or GB18030/GBK (what Excel and WPS on Chinese Windows save as "CSV (逗号分隔)"): the encoding is decided from the whole file and shown in the upload as textEncoding.',
  'An empty cell means the field is absent. Rows whose cells are all empty are skipped. Row numbers in the results are those a spreadsheet shows.',
  'text: trimmed; a number cell is written as a whole number (format code columns as Text in a spreadsheet to keep leading zeros).',
  'number / integer: 150, 350.4, 1e3, or a number cell.',
  'date: YYYY-MM-DD (also YYYY/M/D and YYYYMMDD) or a date cell.',
  'datetime: ISO 8601 (2026-05-01T10:00:00+08:00); without an offset (2026-05-01 10:00) or as a date cell it is Beijing time (UTC+8); a date alone is midnight.',
  "list (batteryCodes): several values in one cell, separated by ';' or '|' (or line breaks).",
  'boolean: true/false, yes/no, 1/0, 是/否.',
  'A payload column filled on a row of an event type that does not have that field rejects the row. Everything else (required fields, codes, USCCs, the state machine) is checked by the ledger exactly as for POST /v1/events.',
];

export function templateTypes(catalogue: UploadCatalogue): string[] {
  return [ALL_EVENTS_TEMPLATE, ...catalogue.types.keys()];
}

/** The columns of a template, in order; null for an unknown template name. */
export function templateColumns(table: LedgerTable, catalogue: UploadCatalogue, type: string): ColumnSpec[] | null {
  const specs = columnSpecs(catalogue);
  if (type === ALL_EVENTS_TEMPLATE) return allColumnNames(catalogue).map((n) => specs.get(n)!);
  const t = catalogue.types.get(type);
  if (!t) return null;
  const envelope = new Map(catalogue.envelope.map((c) => [c.name, c]));
  return [
    ...templateEnvelope(table, type)
      .filter((n) => envelope.has(n))
      .map((n) => envelope.get(n)!),
    ...t.fields,
  ];
}

function columnSpecs(catalogue: UploadCatalogue): Map<string, ColumnSpec> {
  const specs = new Map<string, ColumnSpec>();
  for (const c of catalogue.envelope) specs.set(c.name, c);
  for (const t of catalogue.types.values()) for (const f of t.fields) if (!specs.has(f.name)) specs.set(f.name, f);
  return specs;
}

/** Documentation of every column: which types use it, for which it is required, how it is read. */
export function describeCatalogue(table: LedgerTable, catalogue: UploadCatalogue): Omit<TemplateCatalogueView, 'kinds'> {
  const envelopeNames = new Set(catalogue.envelope.map((c) => c.name));
  const specs = columnSpecs(catalogue);
  const columns: TemplateColumnView[] = allColumnNames(catalogue).map((name) => {
    const spec = specs.get(name)!;
    const types: string[] = [];
    const requiredFor: string[] = [];
    // A payload field that several types share may mean something else in each ('reason': why it was replaced, why
    // it was scrapped, what was wrong): each type's own words, when they differ.
    const descriptions = new Map<string, string[]>();
    for (const t of catalogue.types.values()) {
      const rules = table.current.types[t.type];
      if (envelopeNames.has(name)) {
        const presence = spec.required ? 'required' : rules ? envelopePresence(name, rules) : 'optional';
        if (presence !== 'forbidden') types.push(t.type);
        if (presence === 'required') requiredFor.push(t.type);
      } else {
        const field = t.fields.find((f) => f.name === name);
        if (field) {
          descriptions.set(field.description, [...(descriptions.get(field.description) ?? []), t.type]);
          types.push(t.type);
          if (field.required) requiredFor.push(t.type);
        }
      }
    }
    const requiredAlways = requiredFor.length === catalogue.types.size;
    return {
      name,
      kind: spec.kind,
      cell: spec.cell,
      required: requiredAlways,
      types: types.length === catalogue.types.size ? [] : types,
      requiredFor: requiredAlways ? [] : requiredFor,
      description: descriptions.size > 1 ? [...descriptions].map(([text, ts]) => `${ts.join(', ')}: ${text}`).join('; ') : spec.description,
      ...(spec.enum ? { enum: [...spec.enum] } : {}),
    };
  });
  return {
    columns,
    types: [...catalogue.types.values()].map((t) => ({
      type: t.type,
      description: t.description,
      columns: (templateColumns(table, catalogue, t.type) ?? []).map((c) => c.name),
    })),
    rules: [...CELL_RULES],
  };
}

/**
 * A CSV template is the header row alone: any example row would be read back
 * as data if left in. The columns are documented by GET /v1/uploads/templates
 * and in the XLSX template. A BOM makes spreadsheet programs read it as UTF-8.
 */
export function csvTemplate(columns: ColumnSpec[], lang: TemplateLanguage = 'en'): string {
  return '\uFEFF' + stringify([columns.map((c) => columnHeader(c.name, lang))], { record_delimiter: '\r\n' });
}

const NUM_FMT: Partial<Record<ColumnSpec['cell'], string>> = {
  text: '@',
  list: '@',
  json: '@',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm:ss',
};

/**
 * An XLSX template: the first sheet has the header row (a note on each header
 * cell says what it holds; a drop-down offers the event types), the second
 * documents every column and the third lists the event types. Only the first
 * sheet is read back.
 */
export async function xlsxTemplate(
  table: LedgerTable,
  catalogue: UploadCatalogue,
  type: string,
  columns: ColumnSpec[],
  lang: TemplateLanguage = 'en',
): Promise<Buffer> {
  const docs = describeCatalogue(table, catalogue);
  const label = TEMPLATE_LABELS[lang];
  const byName = new Map(docs.columns.map((c) => [c.name, c]));
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Echelon';

  const sheet = wb.addWorksheet('events', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: columnHeader(c.name, lang),
    key: c.name,
    width: Math.max(14, columnHeader(c.name, lang).length * (lang === 'zh-CN' ? 2 : 1) + 4, c.cell === 'datetime' ? 20 : 0, c.name === 'batteryCodes' ? 28 : 0),
    ...(NUM_FMT[c.cell] ? { style: { numFmt: NUM_FMT[c.cell] } } : {}),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  columns.forEach((c, i) => {
    const doc = byName.get(c.name);
    const required = doc !== undefined && (doc.required || doc.requiredFor.includes(type));
    header.getCell(i + 1).note =
      `${required ? label.required : ''}${lang === 'zh-CN' ? `${c.name}: ` : ''}${type === ALL_EVENTS_TEMPLATE ? (doc?.description ?? c.description) : c.description} [${c.kind}${c.enum ? `: ${c.enum.join(' | ')}` : ''}]`;
  });
  const typeIndex = columns.findIndex((c) => c.name === 'type');
  const typeNames = [...catalogue.types.keys()];
  if (typeIndex >= 0) {
    const letter = String.fromCharCode(65 + typeIndex);
    (sheet as unknown as { dataValidations: { add(range: string, v: object): void } }).dataValidations.add(`${letter}2:${letter}100000`, {
      type: 'list',
      allowBlank: true,
      formulae: [`types!$A$2:$A$${typeNames.length + 1}`],
      showErrorMessage: true,
      errorTitle: label.eventType,
      error: label.chooseType,
    });
  }

  const columnsSheet = wb.addWorksheet('columns', { views: [{ state: 'frozen', ySplit: 1 }] });
  columnsSheet.columns = [
    { header: label.column, key: 'header', width: 24 },
    ...(lang === 'zh-CN' ? [{ header: label.field, key: 'name', width: 24 }] : []),
    { header: label.requiredFor, key: 'requiredFor', width: 30 },
    { header: label.kind, key: 'kind', width: 14 },
    { header: label.types, key: 'types', width: 40 },
    { header: label.description, key: 'description', width: 80 },
    { header: label.enum, key: 'enum', width: 40 },
  ];
  columnsSheet.getRow(1).font = { bold: true };
  for (const c of columns) {
    const doc = byName.get(c.name);
    columnsSheet.addRow({
      header: columnHeader(c.name, lang),
      name: c.name,
      requiredFor: doc?.required ? label.everyType : (doc?.requiredFor.join(', ') ?? ''),
      kind: c.kind,
      types: doc && doc.types.length > 0 ? doc.types.join(', ') : label.everyType,
      // One type's template: its own field's words; the all-types template: each type's.
      description: type === ALL_EVENTS_TEMPLATE ? (doc?.description ?? c.description) : c.description,
      enum: c.enum ? c.enum.join(', ') : '',
    });
  }
  columnsSheet.addRow({});
  for (const rule of lang === 'zh-CN' ? CELL_RULES_ZH : CELL_RULES) columnsSheet.addRow({ header: label.rule, description: rule });

  const typesSheet = wb.addWorksheet('types');
  typesSheet.columns = [
    { header: label.type, key: 'type', width: 22 },
    { header: label.typeDescription, key: 'description', width: 100 },
  ];
  typesSheet.getRow(1).font = { bold: true };
  for (const t of catalogue.types.values()) typesSheet.addRow({ type: t.type, description: t.description });

  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The XLSX template of an upload kind other than events: the header row (a note on each header cell says what
 * it holds) and a sheet documenting the columns. Only the first sheet is read back.
 */
export async function kindXlsxTemplate(kind: string, columns: ColumnSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Echelon';
  const sheet = wb.addWorksheet(kind, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.name,
    key: c.name,
    width: Math.max(14, c.name.length + 4),
    ...(NUM_FMT[c.cell] ? { style: { numFmt: NUM_FMT[c.cell] } } : {}),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  columns.forEach((c, i) => {
    header.getCell(i + 1).note = `${c.required ? 'Required. ' : ''}${c.description} [${c.kind}${c.enum ? `: ${c.enum.join(' | ')}` : ''}]`;
  });
  const doc = wb.addWorksheet('columns', { views: [{ state: 'frozen', ySplit: 1 }] });
  doc.columns = [
    { header: 'column', key: 'name', width: 24 },
    { header: 'required', key: 'required', width: 10 },
    { header: 'kind', key: 'kind', width: 14 },
    { header: 'description', key: 'description', width: 80 },
    { header: 'allowed values', key: 'enum', width: 40 },
  ];
  doc.getRow(1).font = { bold: true };
  for (const c of columns)
    doc.addRow({ name: c.name, required: c.required ? 'yes' : '', kind: c.kind, description: c.description, enum: c.enum ? c.enum.join(', ') : '' });
  doc.addRow({});
  for (const rule of CELL_RULES) doc.addRow({ name: 'rule', description: rule });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
