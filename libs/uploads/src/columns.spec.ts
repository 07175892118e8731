import type { LedgerTable, LedgerTypeRules } from './catalogue';
import { buildCatalogue } from './catalogue';
import { allColumnNames, columnLetter, isBlankRow, mapRow, resolveHeader } from './columns';
import { UploadFailure, UploadFailureCode } from './errors';

const rules = (type: string, fields: LedgerTypeRules['payload'][number]['fields'], extra: Partial<LedgerTypeRules> = {}): LedgerTypeRules => ({
  type,
  description: `${type} events`,
  counterparty: { presence: 'forbidden' },
  vin: { presence: 'forbidden' },
  region: 'optional',
  payload: [{ version: 1, fields }],
  ...extra,
});

/** A small table shaped like the ledger's. */
const TABLE: LedgerTable = {
  envelope: [
    { name: 'type', kind: 'enum', enum: ['produced', 'delivered', 'recycled'], required: true, description: 'Event type' },
    { name: 'batteryCodes', kind: 'batteryCodes', required: true, description: 'Codes' },
    { name: 'occurredAt', kind: 'datetime', required: true, description: 'When' },
    { name: 'clientEventId', kind: 'string', required: false, description: 'Client id' },
    { name: 'counterpartyUscc', kind: 'uscc', required: false, description: 'Counterparty' },
    { name: 'payload', kind: 'object', required: false, description: 'Payload' },
  ],
  payloadKey: 'payload',
  ruleSets: [],
  current: { id: 'now', types: {} },
};
const PRODUCED = rules('produced', [
  { name: 'nominalCapacityAh', kind: 'number', required: true, description: 'Capacity', unit: 'Ah' },
  { name: 'parentCode', kind: 'batteryCode', required: false, description: 'Parent' },
]);
const DELIVERED = rules('delivered', [{ name: 'deliveryNoteNo', kind: 'string', required: false, description: 'Note' }], {
  counterparty: { presence: 'required' },
});
const RECYCLED = rules('recycled', [
  { name: 'method', kind: 'enum', enum: ['physical', 'combined'], required: false, description: 'Process' },
  { name: 'processedMassKg', kind: 'number', required: true, description: 'Mass' },
]);
const NOW = { id: 'now', types: { produced: PRODUCED, delivered: DELIVERED, recycled: RECYCLED } };
const table: LedgerTable = { ...TABLE, ruleSets: [NOW], current: NOW };
const catalogue = buildCatalogue(table);

const failure = (fn: () => unknown): UploadFailure => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UploadFailure) return error;
    throw error;
  }
  throw new Error('expected an UploadFailure');
};

describe('upload columns', () => {
  it('lists envelope columns (without the payload object) then payload fields, once each', () => {
    expect(allColumnNames(catalogue)).toEqual([
      'type',
      'batteryCodes',
      'occurredAt',
      'clientEventId',
      'counterpartyUscc',
      'nominalCapacityAh',
      'parentCode',
      'deliveryNoteNo',
      'method',
      'processedMassKg',
    ]);
  });

  it('names spreadsheet columns like spreadsheets do', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

  describe('the header row', () => {
    it('matches names ignoring case and spaces, and remembers positions', () => {
      const header = resolveHeader([' Type ', 'batterycodes', null, 'occurredAt', 'method'], catalogue);
      expect(header.columns.map((c) => [c.index, c.name])).toEqual([
        [0, 'type'],
        [1, 'batteryCodes'],
        [3, 'occurredAt'],
        [4, 'method'],
      ]);
      expect(header.width).toBe(5);
    });

    it('fails the upload on unknown columns, listing them and the allowed names', () => {
      const f = failure(() => resolveHeader(['type', 'batteryCodes', 'occuredAt', 'occurredAt', 'colour'], catalogue));
      expect(f.code).toBe(UploadFailureCode.UNKNOWN_COLUMNS);
      expect(f.message).toContain("Unknown columns 'occuredAt', 'colour'");
      expect(f.message).toContain('Allowed columns: type, batteryCodes, occurredAt');
      expect(f.details).toEqual([
        { path: 'C', reason: "unknown column 'occuredAt'", column: 'occuredAt' },
        { path: 'E', reason: "unknown column 'colour'", column: 'colour' },
      ]);
    });

    it('says so when the header looks written with another separator', () => {
      const f = failure(() => resolveHeader(['type;batteryCodes;occurredAt'], catalogue));
      expect(f.message).toContain("The file seems to separate columns with ';': CSV uploads use commas.");
    });

    it('fails on a repeated column and on a missing required envelope column', () => {
      const dup = failure(() => resolveHeader(['type', 'batteryCodes', 'occurredAt', 'TYPE'], catalogue));
      expect(dup.code).toBe(UploadFailureCode.DUPLICATE_COLUMNS);
      expect(dup.details).toEqual([{ path: 'type', reason: 'in columns A, D' }]);
      const missing = failure(() => resolveHeader(['type', 'occurredAt'], catalogue));
      expect(missing.code).toBe(UploadFailureCode.MISSING_COLUMNS);
      expect(missing.message).toBe("Missing required column 'batteryCodes'");
    });

    it('refuses a row of nothing as a header', () => {
      expect(failure(() => resolveHeader([null, ''], catalogue)).code).toBe(UploadFailureCode.NO_HEADER);
    });
  });

  describe('a data row', () => {
    const header = resolveHeader(
      ['type', 'batteryCodes', 'occurredAt', 'clientEventId', 'counterpartyUscc', 'nominalCapacityAh', 'method', 'processedMassKg'],
      catalogue,
    );

    it('becomes the raw event of POST /v1/events, payload fields under payload, empty cells absent', () => {
      const row = mapRow(['produced', 'C1;C2', '2026/5/1 10:00', 'erp-1', '', '150', null, ''], header, catalogue);
      expect(row).toEqual({
        ok: true,
        clientEventId: 'erp-1',
        batteryCodes: ['C1', 'C2'],
        event: {
          type: 'produced',
          batteryCodes: ['C1', 'C2'],
          occurredAt: '2026-05-01T10:00:00+08:00',
          clientEventId: 'erp-1',
          payload: { nominalCapacityAh: 150 },
        },
      });
    });

    it('takes XLSX cell types (numbers, dates) as they come', () => {
      const row = mapRow(['recycled', 'C1', new Date(Date.UTC(2026, 4, 2, 8, 0)), 7, null, null, 'physical', 420.5], header, catalogue);
      expect(row).toMatchObject({
        ok: true,
        clientEventId: '7',
        event: { occurredAt: '2026-05-02T08:00:00+08:00', clientEventId: '7', payload: { method: 'physical', processedMassKg: 420.5 } },
      });
    });

    it('rejects with every reason, each naming its column', () => {
      const row = mapRow(['recycled', 'C1', 'soon', 'erp-9', '', '150', 'burnt', 'heavy'], header, catalogue);
      expect(row).toEqual({
        ok: false,
        clientEventId: 'erp-9',
        batteryCodes: ['C1'],
        reasons: [
          { path: 'occurredAt', reason: expect.stringContaining("'soon' is not a date-time") },
          { path: 'nominalCapacityAh', reason: "does not apply to 'recycled' events; leave it empty" },
          { path: 'method', reason: "'burnt' is not one of physical, combined" },
          { path: 'processedMassKg', reason: "'heavy' is not a number" },
        ],
      });
    });

    it('rejects a missing or unknown type without blaming the payload columns', () => {
      expect(mapRow(['', 'C1', '2026-05-01', null, null, '150'], header, catalogue)).toEqual({
        ok: false,
        clientEventId: null,
        batteryCodes: ['C1'],
        reasons: [{ path: 'type', reason: 'required' }],
      });
      expect(mapRow(['scrapped', 'C1', '2026-05-01', null, null, '150'], header, catalogue)).toEqual({
        ok: false,
        clientEventId: null,
        batteryCodes: ['C1'],
        reasons: [{ path: 'type', reason: "'scrapped' is not an event type; use one of produced, delivered, recycled" }],
      });
    });

    it('rejects values beyond the last header column', () => {
      const narrow = resolveHeader(['type', 'batteryCodes', 'occurredAt'], catalogue);
      expect(mapRow(['delivered', 'C1', '2026-05-01', '', 'stray'], narrow, catalogue)).toEqual({
        ok: false,
        clientEventId: null,
        batteryCodes: ['C1'],
        reasons: [{ path: 'E', reason: 'has a value but no column header' }],
      });
    });

    it('reads Chinese headers as the English columns', () => {
      const zh = resolveHeader(['类型', '电池编码', ' 发生时间 ', 'clientEventId'], catalogue);
      expect(zh.columns.map((c) => c.name)).toEqual(['type', 'batteryCodes', 'occurredAt', 'clientEventId']);
      expect(() => resolveHeader(['类型', 'type', '电池编码', '发生时间'], catalogue)).toThrow(/more than once/);
    });

    it('knows a blank row', () => {
      expect(isBlankRow(['', null, '  '])).toBe(true);
      expect(isBlankRow(['', 0])).toBe(false);
    });
  });

  it('places payload fields beside the envelope when the ledger takes flat events', () => {
    const flat = { ...catalogue, payloadKey: null };
    const header = resolveHeader(['type', 'batteryCodes', 'occurredAt', 'deliveryNoteNo'], flat);
    expect(mapRow(['delivered', 'C1', '2026-05-01', 'DN-1'], header, flat)).toMatchObject({
      ok: true,
      event: { type: 'delivered', batteryCodes: ['C1'], occurredAt: '2026-05-01T00:00:00+08:00', deliveryNoteNo: 'DN-1' },
    });
  });
});
