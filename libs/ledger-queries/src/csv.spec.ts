import { neutraliseCell, parseInstant } from './csv';

describe('neutraliseCell', () => {
  it.each(['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx'])('prefixes %j', (v) => expect(neutraliseCell(v)).toBe(`'${v}`));
  it.each(['abc', '350102', '宁德', ''])('leaves %j', (v) => expect(neutraliseCell(v)).toBe(v));
});

describe('parseInstant', () => {
  it('reads a date as Beijing midnight', () => expect(parseInstant('2026-03-01')).toBe('2026-02-28T16:00:00.000Z'));
  it('reads an offset', () => expect(parseInstant('2026-03-01T08:00:00+08:00')).toBe('2026-03-01T00:00:00.000Z'));
  it('refuses a day that does not exist', () => {
    expect(parseInstant('2026-02-30')).toBeNull();
    expect(parseInstant('2026-02-30T10:00:00Z')).toBeNull();
  });
});
