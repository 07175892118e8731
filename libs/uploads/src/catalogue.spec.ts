import type { LedgerTable, LedgerTypeRules } from './catalogue';
import { buildCatalogue, cellKindFor, envelopePresence, templateEnvelope } from './catalogue';

const base: Omit<LedgerTypeRules, 'type' | 'payload'> = {
  description: 'd',
  counterparty: { presence: 'forbidden' },
  vin: { presence: 'forbidden' },
  region: 'optional',
};

const OLD: LedgerTypeRules = {
  ...base,
  type: 'recycled',
  description: 'old wording',
  payload: [{ version: 1, fields: [{ name: 'legacyRef', kind: 'string', required: true, description: 'gone since' }] }],
};
const NEW: LedgerTypeRules = {
  ...base,
  type: 'recycled',
  description: 'Recycling complete',
  payload: [
    { version: 1, fields: [{ name: 'massKg', kind: 'string', required: false, description: 'v1 mass' }] },
    { version: 2, fields: [{ name: 'massKg', kind: 'number', required: true, description: 'Mass', unit: 'kg', example: 12 }] },
  ],
};
const CORRECTION: LedgerTypeRules = { ...base, type: 'correction', special: 'correction', payload: [{ version: 1, fields: [] }] };
const SOLD: LedgerTypeRules = { ...base, type: 'vehicle_sold', vin: { presence: 'required' }, region: 'required', payload: [{ version: 1, fields: [] }] };

const table: LedgerTable = {
  envelope: [
    { name: 'type', kind: 'enum', enum: ['recycled', 'correction', 'vehicle_sold'], required: true, description: 'Event type' },
    { name: 'batteryCodes', kind: 'batteryCodes', required: true, description: 'Codes', example: ['A', 'B'] },
    { name: 'vin', kind: 'vin', required: false, description: 'Vehicle' },
    { name: 'regionCode', kind: 'regionCode', required: false, description: 'Region' },
    { name: 'correctionOf', kind: 'uuid', required: false, description: 'Corrected event' },
    { name: 'payload', kind: 'object', required: false, description: 'Payload' },
  ],
  payloadKey: 'payload',
  ruleSets: [
    { id: 'old', types: { recycled: OLD } },
    { id: 'new', types: { recycled: NEW, correction: CORRECTION, vehicle_sold: SOLD } },
  ],
  current: { id: 'new', types: { recycled: NEW, correction: CORRECTION, vehicle_sold: SOLD } },
};

describe('the upload catalogue built from the ledger table', () => {
  const catalogue = buildCatalogue(table);

  it('reads each field kind with the matching cell reading, unknown kinds as text', () => {
    expect(['number', 'integer', 'datetime', 'date', 'batteryCodes', 'uscc', 'boolean', 'object', 'somethingNew'].map(cellKindFor)).toEqual([
      'number',
      'integer',
      'datetime',
      'date',
      'list',
      'text',
      'boolean',
      'json',
      'text',
    ]);
  });

  it('leaves the payload object out of the columns and the event types out of the type cell check', () => {
    expect(catalogue.envelope.map((c) => c.name)).toEqual(['type', 'batteryCodes', 'vin', 'regionCode', 'correctionOf']);
    expect(catalogue.envelope[0].enum).toBeUndefined();
    expect(catalogue.envelope[1]).toMatchObject({ cell: 'list', example: 'A;B' });
  });

  it('accepts the payload fields of every rule set and version, documented as the current latest', () => {
    const recycled = catalogue.types.get('recycled')!;
    expect(recycled.description).toBe('Recycling complete');
    expect(recycled.fields.map((f) => [f.name, f.cell, f.required, f.description])).toEqual([
      ['legacyRef', 'text', true, 'gone since'],
      ['massKg', 'number', true, 'Mass (kg)'],
    ]);
  });

  it('knows which envelope fields a type takes', () => {
    expect(envelopePresence('vin', SOLD)).toBe('required');
    expect(envelopePresence('regionCode', SOLD)).toBe('required');
    expect(envelopePresence('correctionOf', CORRECTION)).toBe('required');
    expect(envelopePresence('correctionOf', SOLD)).toBe('forbidden');
    expect(templateEnvelope(table, 'recycled')).toEqual(['type', 'batteryCodes', 'regionCode']);
    expect(templateEnvelope(table, 'vehicle_sold')).toEqual(['type', 'batteryCodes', 'vin', 'regionCode']);
  });
});
