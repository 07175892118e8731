import { format } from '#libs/battery-code';
import { prevalidate } from './prevalidate';
import { LedgerRule } from './rules';

const NOW = Date.parse('2026-11-25T12:00:00+08:00');
const code = (level: 'P' | 'M' | 'C', serial: number) => {
  const r = format({
    manufacturerCode: '001',
    productType: level,
    batteryType: 'B',
    specificationCode: '24',
    traceabilityCode: 'A000001',
    productionDate: '2026-01-15',
    serial,
  });
  if (!r.ok) throw new Error('bad test code');
  return r.code.code;
};
const PACK = code('P', 1);
const MODULE = code('M', 2);
const USCC = '91350100M000100Y43';

const reasonsOf = (raw: unknown) => {
  const r = prevalidate(raw, 0, 'events[0]', NOW);
  if (r.ok) throw new Error('expected a rejection');
  return r.reasons.map((d) => ({ path: d.path, rule: d.rule, reason: d.reason }));
};
const ok = (raw: unknown) => {
  const r = prevalidate(raw, 0, 'events[0]', NOW);
  if (!r.ok) throw new Error(JSON.stringify(r.reasons));
  return r.candidate;
};

describe('event validation on its own (envelope and payload, table-driven)', () => {
  it('normalises what it accepts: codes (case, separators), sorted without repeats; VIN upper case; Beijing time', () => {
    const c = ok({
      type: 'installed',
      batteryCodes: [PACK.toLowerCase().slice(0, 12) + '-' + PACK.slice(12).toLowerCase()],
      occurredAt: '2026-03-01 10:00',
      vin: 'lgxce4cb4n0000001',
      payload: { vehicleModel: ' BYD Seal ' },
    });
    expect(c).toMatchObject({
      type: 'installed',
      batteryCodes: [PACK],
      vin: 'LGXCE4CB4N0000001',
      payload: { vehicleModel: 'BYD Seal' },
      schemaVersion: 1,
      ruleSet: { id: 'cn-2018' },
    });
    expect(new Date(c.occurredAt).toISOString()).toBe('2026-03-01T02:00:00.000Z');
    expect(ok({ type: 'delivered', batteryCodes: [PACK, MODULE], occurredAt: '2026-05-01', counterpartyUscc: USCC.toLowerCase() })).toMatchObject({
      batteryCodes: [MODULE, PACK].sort(),
      counterpartyUscc: USCC,
      ruleSet: { id: 'cn-2026' },
    });
    // Characters outside the Basic Multilingual Plane (a surrogate pair in UTF-16) and tabs and newlines are text.
    expect(
      ok({ type: 'repaired', batteryCodes: [PACK], occurredAt: '2026-03-01', clientEventId: '维修-𠀀', payload: { description: '更换\t模组\n🔋' } }),
    ).toMatchObject({
      clientEventId: '维修-𠀀',
      payload: { description: '更换\t模组\n🔋' },
    });
  });

  it.each<[string, unknown, { path: string; rule: LedgerRule; reason?: string | RegExp }[]]>([
    ['not an object', 'produced', [{ path: 'events[0]', rule: LedgerRule.SHAPE, reason: 'an event must be a JSON object, got a string' }]],
    ['unknown type', { type: 'teleported', batteryCodes: [PACK], occurredAt: '2026-03-01' }, [{ path: 'events[0].type', rule: LedgerRule.UNKNOWN_TYPE }]],
    [
      'missing envelope fields',
      { type: 'delivered' },
      [
        { path: 'events[0].occurredAt', rule: LedgerRule.REQUIRED },
        { path: 'events[0].batteryCodes', rule: LedgerRule.REQUIRED },
        { path: 'events[0].counterpartyUscc', rule: LedgerRule.REQUIRED, reason: "is required for 'delivered' events (the receiver of the hand-over)" },
      ],
    ],
    [
      'unknown envelope field',
      { type: 'repaired', batteryCodes: [PACK], occurredAt: '2026-03-01', colour: 'red', payload: { description: 'x' } },
      [{ path: 'events[0].colour', rule: LedgerRule.UNKNOWN_FIELD }],
    ],
    [
      'field the type does not take',
      { type: 'delivered', batteryCodes: [PACK], occurredAt: '2026-03-01', counterpartyUscc: USCC, vin: 'LGXCE4CB4N0000001' },
      [{ path: 'events[0].vin', rule: LedgerRule.NOT_APPLICABLE, reason: "does not apply to 'delivered' events" }],
    ],
    [
      'bad battery code',
      { type: 'cascade_received', batteryCodes: ['001PB24A000001ZZZ0000001'], occurredAt: '2026-03-01' },
      [{ path: 'events[0].batteryCodes[0]', rule: LedgerRule.BATTERY_CODE, reason: /not a valid GB\/T 34014 battery code: position 15 \(year\)/ }],
    ],
    [
      'repeated code',
      { type: 'cascade_received', batteryCodes: [PACK, PACK.toLowerCase()], occurredAt: '2026-03-01' },
      [{ path: 'events[0].batteryCodes[1]', rule: LedgerRule.INVALID_VALUE, reason: `repeats ${PACK} (events[0].batteryCodes[0])` }],
    ],
    [
      'codes not an array',
      { type: 'cascade_received', batteryCodes: PACK, occurredAt: '2026-03-01' },
      [{ path: 'events[0].batteryCodes', rule: LedgerRule.SHAPE }],
    ],
    [
      'wrong level',
      { type: 'installed', batteryCodes: [MODULE], occurredAt: '2026-03-01', vin: 'LGXCE4CB4N0000001' },
      [{ path: 'events[0].batteryCodes[0]', rule: LedgerRule.PRODUCT_LEVEL, reason: `'installed' applies to packs; ${MODULE} is a module` }],
    ],
    [
      'bad VIN check digit',
      { type: 'installed', batteryCodes: [PACK], occurredAt: '2026-03-01', vin: 'LGXCE4CB0N0000001' },
      [{ path: 'events[0].vin', rule: LedgerRule.VIN, reason: /expected '4'/ }],
    ],
    [
      'bad USCC',
      { type: 'delivered', batteryCodes: [PACK], occurredAt: '2026-03-01', counterpartyUscc: '91350100M000100Y44' },
      [{ path: 'events[0].counterpartyUscc', rule: LedgerRule.USCC, reason: /check character/ }],
    ],
    [
      'bad region',
      { type: 'vehicle_sold', batteryCodes: [PACK], occurredAt: '2026-03-01', vin: 'LGXCE4CB4N0000001', regionCode: '990000' },
      [{ path: 'events[0].regionCode', rule: LedgerRule.REGION_CODE }],
    ],
    [
      'sale without region',
      { type: 'vehicle_sold', batteryCodes: [PACK], occurredAt: '2026-03-01', vin: 'LGXCE4CB4N0000001' },
      [{ path: 'events[0].regionCode', rule: LedgerRule.REQUIRED, reason: "is required for 'vehicle_sold' events (the region of sale)" }],
    ],
    [
      'future business time',
      { type: 'cascade_received', batteryCodes: [PACK], occurredAt: '2026-11-26T12:00:00+08:00' },
      [{ path: 'events[0].occurredAt', rule: LedgerRule.OCCURRED_AT, reason: /in the future/ }],
    ],
    [
      'before the production date in the code',
      { type: 'cascade_received', batteryCodes: [PACK], occurredAt: '2026-01-14T23:00:00+08:00' },
      [
        {
          path: 'events[0].batteryCodes[0]',
          rule: LedgerRule.OCCURRED_AT,
          reason: `occurredAt (2026-01-14, Beijing time) is before the production date 2026-01-15 encoded in ${PACK}`,
        },
      ],
    ],
    [
      'not a date-time',
      { type: 'cascade_received', batteryCodes: [PACK], occurredAt: '2026-02-30' },
      [{ path: 'events[0].occurredAt', rule: LedgerRule.INVALID_VALUE }],
    ],
    [
      'missing required payload field',
      { type: 'vehicle_certified', batteryCodes: [PACK], occurredAt: '2026-03-01', vin: 'LGXCE4CB4N0000001' },
      [{ path: 'events[0].payload.certificateNo', rule: LedgerRule.REQUIRED }],
    ],
    [
      'unknown payload field',
      { type: 'delivered', batteryCodes: [PACK], occurredAt: '2026-03-01', counterpartyUscc: USCC, payload: { deliveryNote: 'x' } },
      [{ path: 'events[0].payload.deliveryNote', rule: LedgerRule.UNKNOWN_FIELD, reason: "is not a field of 'delivered' events (fields: deliveryNoteNo)" }],
    ],
    [
      'payload not an object',
      { type: 'delivered', batteryCodes: [PACK], occurredAt: '2026-03-01', counterpartyUscc: USCC, payload: [1] },
      [{ path: 'events[0].payload', rule: LedgerRule.SHAPE }],
    ],
    [
      'payload values of the wrong kind or out of range',
      { type: 'produced', batteryCodes: [PACK], occurredAt: '2026-03-01', payload: { nominalCapacityAh: -1, nominalVoltageV: '350', massKg: 1e9 } },
      [
        { path: 'events[0].payload.nominalCapacityAh', rule: LedgerRule.INVALID_VALUE, reason: 'must be greater than 0 Ah, got -1' },
        { path: 'events[0].payload.nominalVoltageV', rule: LedgerRule.SHAPE, reason: 'must be a number, got a string' },
        { path: 'events[0].payload.massKg', rule: LedgerRule.INVALID_VALUE, reason: 'must be at most 100000 kg, got 1000000000' },
      ],
    ],
    [
      'enum value',
      { type: 'residual_tested', batteryCodes: [PACK], occurredAt: '2026-03-01', payload: { testRecordRef: 'T1', decision: 'maybe' } },
      [{ path: 'events[0].payload.decision', rule: LedgerRule.INVALID_VALUE, reason: 'must be one of vehicle_reuse, cascade, recycle' }],
    ],
    [
      'cascade code required',
      { type: 'cascade_assembled', batteryCodes: [MODULE], occurredAt: '2026-03-01', payload: { cascadeCode: PACK, nominalCapacityAh: 1, nominalVoltageV: 1 } },
      [{ path: 'events[0].payload.cascadeCode', rule: LedgerRule.BATTERY_CODE, reason: `must be a 19-character cascade code, got ${PACK}` }],
    ],
    [
      'replacement names one battery',
      { type: 'replaced', batteryCodes: [PACK, MODULE], occurredAt: '2026-03-01', payload: { replacementCode: code('P', 3) } },
      [{ path: 'events[0].batteryCodes', rule: LedgerRule.INVALID_VALUE }],
    ],
    [
      'unknown schema version',
      { type: 'delivered', batteryCodes: [PACK], occurredAt: '2026-03-01', counterpartyUscc: USCC, schemaVersion: 9 },
      [{ path: 'events[0].schemaVersion', rule: LedgerRule.SCHEMA_VERSION }],
    ],
    [
      'a schema version as text',
      { type: 'delivered', batteryCodes: [PACK], occurredAt: '2026-03-01', counterpartyUscc: USCC, schemaVersion: '1' },
      [{ path: 'events[0].schemaVersion', rule: LedgerRule.SHAPE, reason: 'must be a number, got a string' }],
    ],
    [
      'control characters',
      { type: 'repaired', batteryCodes: [PACK], occurredAt: '2026-03-01', payload: { description: 'a\u0000b' } },
      [{ path: 'events[0].payload.description', rule: LedgerRule.INVALID_VALUE, reason: 'must not contain control characters or unpaired UTF-16 surrogates' }],
    ],
    // Half a surrogate pair: jsonb refuses it, and a text column stores U+FFFD instead (the hash would no longer match).
    [
      'a lone high surrogate',
      { type: 'repaired', batteryCodes: [PACK], occurredAt: '2026-03-01', payload: { description: 'a\ud800' } },
      [{ path: 'events[0].payload.description', rule: LedgerRule.INVALID_VALUE, reason: 'must not contain control characters or unpaired UTF-16 surrogates' }],
    ],
    [
      'a lone low surrogate in a client event id',
      { type: 'repaired', batteryCodes: [PACK], occurredAt: '2026-03-01', clientEventId: '\udc00x', payload: { description: 'ok' } },
      [{ path: 'events[0].clientEventId', rule: LedgerRule.INVALID_VALUE, reason: 'must not contain control characters or unpaired UTF-16 surrogates' }],
    ],
    [
      'surrogates in the wrong order',
      { type: 'repaired', batteryCodes: [PACK], occurredAt: '2026-03-01', payload: { description: '\udc00\ud800' } },
      [{ path: 'events[0].payload.description', rule: LedgerRule.INVALID_VALUE, reason: 'must not contain control characters or unpaired UTF-16 surrogates' }],
    ],
    [
      'correction without its target',
      { type: 'correction', batteryCodes: [PACK], occurredAt: '2026-03-01', payload: { reason: 'x' } },
      [{ path: 'events[0].correctionOf', rule: LedgerRule.REQUIRED }],
    ],
  ])('rejects %s, naming the field and the rule', (_, raw, expected) => {
    const got = reasonsOf(raw);
    expect(got).toHaveLength(expected.length);
    for (const e of expected) {
      const match = got.find((g) => g.path === e.path && g.rule === e.rule);
      expect(match).toBeDefined();
      if (e.reason instanceof RegExp) expect(match!.reason).toMatch(e.reason);
      else if (e.reason !== undefined) expect(match!.reason).toBe(e.reason);
    }
  });

  it('judges each event on its own when consecutive events repeat or change a business time or a counterparty', () => {
    // The last business time and the last valid USCC are remembered between events: a remembered value must
    // never answer for a different text, and an invalid text must be refused every time.
    const delivered = (occurredAt: string, counterpartyUscc: string) => ({ type: 'delivered', batteryCodes: [PACK], occurredAt, counterpartyUscc });
    const at = (occurredAt: string) => new Date(ok(delivered(occurredAt, USCC)).occurredAt).toISOString();
    expect(at('2026-03-01T10:00:00+08:00')).toBe('2026-03-01T02:00:00.000Z');
    expect(at('2026-03-01T10:00:00+08:00')).toBe('2026-03-01T02:00:00.000Z');
    expect(at('2026-03-01T10:00:00Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(at('2026-03-01T10:00:00+08:00')).toBe('2026-03-01T02:00:00.000Z');
    for (let i = 0; i < 2; i++)
      expect(reasonsOf(delivered('2026-02-30T10:00:00Z', USCC))).toEqual([
        expect.objectContaining({ path: 'events[0].occurredAt', rule: LedgerRule.INVALID_VALUE }),
      ]);
    const badUscc = `${USCC.slice(0, 17)}0`;
    expect(ok(delivered('2026-03-01', USCC)).counterpartyUscc).toBe(USCC);
    for (let i = 0; i < 2; i++)
      expect(reasonsOf(delivered('2026-03-01', badUscc))).toEqual([expect.objectContaining({ path: 'events[0].counterpartyUscc', rule: LedgerRule.USCC })]);
    expect(ok(delivered('2026-03-01', USCC.toLowerCase())).counterpartyUscc).toBe(USCC);
  });

  it('keeps the client event id of a rejected event for the result', () => {
    const r = prevalidate({ type: 'nope', clientEventId: 'erp-7' }, 0, 'events[0]', NOW);
    expect(r).toMatchObject({ ok: false, clientEventId: 'erp-7' });
  });
});
