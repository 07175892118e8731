import { CommonErrorCode, DomainException } from './errors';
import { cursorField, decodeCursor, encodeCursor } from './pagination';

const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function refused(cursor: string, fields: Parameters<typeof decodeCursor>[1]): boolean {
  try {
    decodeCursor(cursor, fields);
    return false;
  } catch (e) {
    return e instanceof DomainException && e.code === CommonErrorCode.INVALID_CURSOR;
  }
}

describe('decodeCursor', () => {
  it('gives back what encodeCursor wrote', () => {
    const position = { at: '2026-11-26T06:51:24.123456Z', id: '0196b1a2-0000-7000-8000-000000000001', row: 12 };
    expect(decodeCursor(encodeCursor(position), { at: cursorField.instant, id: cursorField.uuid, row: cursorField.integer(0, 100) })).toEqual(position);
    expect(decodeCursor(undefined, { id: cursorField.uuid })).toBeNull();
  });

  it('refuses cursors whose values this API never writes', () => {
    const row = { row: cursorField.integer(0, 2 ** 31 - 1) };
    expect(refused(forged({ row: 3_000_000_000 }), row)).toBe(true);
    expect(refused(forged({ row: 1.5 }), row)).toBe(true);
    expect(refused(forged({ row: '7' }), row)).toBe(true);
    expect(refused(forged({ row: 7 }), row)).toBe(false);
    const at = { at: cursorField.instant };
    expect(refused(forged({ at: '2026-02-30T00:00:00.000Z' }), at)).toBe(true);
    expect(refused(forged({ at: '2026-02-28T24:00:00.000Z' }), at)).toBe(true);
    expect(refused(forged({ at: '2026-02-28T23:59:59.999Z' }), at)).toBe(false);
    expect(refused(forged({ id: 'x' }), { id: cursorField.bigintText })).toBe(true);
    expect(refused(forged({ code: '\u0000' }), { code: cursorField.matches(/^[0-9A-Z]{1,24}$/) })).toBe(true);
  });

  it('refuses arrays, missing keys, inherited keys and text that is not JSON', () => {
    const code = { code: cursorField.matches(/^[0-9A-Z]{1,24}$/) };
    expect(refused(forged(['A']), code)).toBe(true);
    expect(refused(forged({ other: 'A' }), code)).toBe(true);
    expect(refused('bm9wZQ', code)).toBe(true);
    expect(refused(forged({ constructor: 'A' }), { toString: cursorField.matches(/^A$/) })).toBe(true);
  });
});
