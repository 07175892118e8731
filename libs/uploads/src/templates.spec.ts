import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { LedgerTable, LedgerTypeRules } from './catalogue';
import { buildCatalogue } from './catalogue';
import { resolveHeader } from './columns';
import { readSheet } from './sheet-reader';
import { ALL_EVENTS_TEMPLATE, csvTemplate, describeCatalogue, templateColumns, templateTypes, xlsxTemplate } from './templates';

const base: Omit<LedgerTypeRules, 'type' | 'payload' | 'description'> = {
  counterparty: { presence: 'forbidden' },
  vin: { presence: 'forbidden' },
  region: 'optional',
};
const DELIVERED: LedgerTypeRules = {
  ...base,
  type: 'delivered',
  description: 'Handed to a vehicle maker',
  counterparty: { presence: 'required' },
  payload: [{ version: 1, fields: [{ name: 'deliveryNoteNo', kind: 'string', required: false, description: 'Delivery note' }] }],
};
const RECYCLED: LedgerTypeRules = {
  ...base,
  type: 'recycled',
  description: 'Recycled',
  payload: [
    {
      version: 1,
      fields: [
        { name: 'method', kind: 'enum', enum: ['physical', 'combined'], required: false, description: 'Process' },
        { name: 'processedMassKg', kind: 'number', required: true, description: 'Mass', unit: 'kg' },
      ],
    },
  ],
};
const SET = { id: 'now', types: { delivered: DELIVERED, recycled: RECYCLED } };
const table: LedgerTable = {
  envelope: [
    { name: 'type', kind: 'enum', enum: ['delivered', 'recycled'], required: true, description: 'Event type' },
    { name: 'batteryCodes', kind: 'batteryCodes', required: true, description: 'Codes' },
    { name: 'occurredAt', kind: 'datetime', required: true, description: 'When' },
    { name: 'counterpartyUscc', kind: 'uscc', required: false, description: 'Counterparty' },
    { name: 'payload', kind: 'object', required: false, description: 'Payload' },
  ],
  payloadKey: 'payload',
  ruleSets: [SET],
  current: SET,
};
const catalogue = buildCatalogue(table);

describe('upload templates', () => {
  it("offers 'events' and one template per event type", () => {
    expect(templateTypes(catalogue)).toEqual([ALL_EVENTS_TEMPLATE, 'delivered', 'recycled']);
    expect(templateColumns(table, catalogue, 'nope')).toBeNull();
  });

  it("gives a type's template the envelope columns its rules allow and its payload fields", () => {
    expect(templateColumns(table, catalogue, 'delivered')!.map((c) => c.name)).toEqual([
      'type',
      'batteryCodes',
      'occurredAt',
      'counterpartyUscc',
      'deliveryNoteNo',
    ]);
    expect(templateColumns(table, catalogue, 'recycled')!.map((c) => c.name)).toEqual(['type', 'batteryCodes', 'occurredAt', 'method', 'processedMassKg']);
    expect(templateColumns(table, catalogue, ALL_EVENTS_TEMPLATE)!.map((c) => c.name)).toEqual([
      'type',
      'batteryCodes',
      'occurredAt',
      'counterpartyUscc',
      'deliveryNoteNo',
      'method',
      'processedMassKg',
    ]);
  });

  it('documents for each column the types using it and those requiring it', () => {
    const docs = describeCatalogue(table, catalogue);
    const col = (name: string) => docs.columns.find((c) => c.name === name);
    expect(col('type')).toMatchObject({ required: true, types: [], requiredFor: [] });
    expect(col('counterpartyUscc')).toMatchObject({ required: false, types: ['delivered'], requiredFor: ['delivered'] });
    expect(col('processedMassKg')).toMatchObject({
      kind: 'number',
      cell: 'number',
      required: false,
      types: ['recycled'],
      requiredFor: ['recycled'],
      description: 'Mass (kg)',
    });
    expect(col('method')).toMatchObject({ enum: ['physical', 'combined'], requiredFor: [] });
    expect(docs.types).toEqual([
      { type: 'delivered', description: 'Handed to a vehicle maker', columns: ['type', 'batteryCodes', 'occurredAt', 'counterpartyUscc', 'deliveryNoteNo'] },
      { type: 'recycled', description: 'Recycled', columns: ['type', 'batteryCodes', 'occurredAt', 'method', 'processedMassKg'] },
    ]);
    expect(docs.rules.length).toBeGreaterThan(5);
  });

  it('a CSV template is a BOM and the header row only', () => {
    expect(csvTemplate(templateColumns(table, catalogue, 'recycled')!)).toBe('\uFEFFtype,batteryCodes,occurredAt,method,processedMassKg\r\n');
  });

  it('an XLSX template reads back as its header, with documentation sheets beside it', async () => {
    const columns = templateColumns(table, catalogue, 'delivered')!;
    const file = await xlsxTemplate(table, catalogue, 'delivered', columns);
    const rows = [];
    for await (const row of readSheet(() => Readable.from([file]), 'xlsx')) rows.push(row);
    expect(rows).toHaveLength(1);
    expect(resolveHeader(rows[0].cells, catalogue).columns.map((c) => c.name)).toEqual(columns.map((c) => c.name));

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['events', 'columns', 'types']);
    expect(wb.getWorksheet('events')!.getCell('D1').note).toEqual(expect.stringContaining('Required. Counterparty [uscc]'));
    const docRows = wb
      .getWorksheet('columns')!
      .getSheetValues()
      .slice(2, 7)
      .map((r) => (r as unknown[]).slice(1, 3));
    expect(docRows).toEqual([
      ['type', 'every type'],
      ['batteryCodes', 'every type'],
      ['occurredAt', 'every type'],
      ['counterpartyUscc', 'delivered'],
      ['deliveryNoteNo', ''],
    ]);
    expect(wb.getWorksheet('types')!.getCell('A3').value).toBe('recycled');
  });
});
