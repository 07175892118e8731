import { convertCell, isEmptyCell } from './cells';

describe('spreadsheet cells to event values', () => {
  it('treats empty and blank cells as absent', () => {
    expect(isEmptyCell(null)).toBe(true);
    expect(isEmptyCell('')).toBe(true);
    expect(isEmptyCell('   ')).toBe(true);
    expect(isEmptyCell(0)).toBe(false);
    expect(isEmptyCell(false)).toBe(false);
  });

  describe('text', () => {
    it('trims, and writes number cells as a person typed them', () => {
      expect(convertCell('  erp-1  ', 'text')).toEqual({ ok: true, value: 'erp-1' });
      expect(convertCell(350102, 'text')).toEqual({ ok: true, value: '350102' });
      expect(convertCell(91350100000000000000, 'text')).toEqual({ ok: true, value: '91350100000000000000' });
      expect(convertCell(1.5, 'text')).toEqual({ ok: true, value: '1.5' });
      expect(convertCell(true, 'text')).toEqual({ ok: true, value: 'true' });
    });

    it('refuses a date cell and a value outside an enum', () => {
      expect(convertCell(new Date(Date.UTC(2026, 0, 1)), 'text')).toMatchObject({ ok: false, reason: expect.stringContaining('is a date') });
      expect(convertCell('pyro', 'text', ['hydrometallurgical', 'pyrometallurgical'])).toEqual({
        ok: false,
        reason: "'pyro' is not one of hydrometallurgical, pyrometallurgical",
      });
      expect(convertCell(' physical ', 'text', ['physical'])).toEqual({ ok: true, value: 'physical' });
    });

    it('names spreadsheet errors', () => {
      expect(convertCell({ error: '#N/A' }, 'text')).toEqual({ ok: false, reason: 'the cell holds the spreadsheet error #N/A' });
    });
  });

  describe('numbers', () => {
    it.each([
      ['150', 150],
      [' 350.4 ', 350.4],
      ['-2', -2],
      ['.5', 0.5],
      ['1e3', 1000],
    ])('reads %j', (text, value) => {
      expect(convertCell(text, 'number')).toEqual({ ok: true, value });
    });

    it('keeps number cells and refuses text that is not a number', () => {
      expect(convertCell(52.6, 'number')).toEqual({ ok: true, value: 52.6 });
      expect(convertCell('150 Ah', 'number')).toEqual({ ok: false, reason: "'150 Ah' is not a number" });
      expect(convertCell('1,5', 'number')).toMatchObject({ ok: false });
      expect(convertCell(new Date(0), 'number')).toEqual({ ok: false, reason: 'a date is not a number' });
    });

    it('integers must be whole', () => {
      expect(convertCell('2', 'integer')).toEqual({ ok: true, value: 2 });
      expect(convertCell(2.5, 'integer')).toEqual({ ok: false, reason: 'the number 2.5 is not a whole number' });
    });
  });

  describe('dates', () => {
    it('normalises the common ways of writing a date', () => {
      expect(convertCell('2026-05-01', 'date')).toEqual({ ok: true, value: '2026-05-01' });
      expect(convertCell('2026/5/1', 'date')).toEqual({ ok: true, value: '2026-05-01' });
      expect(convertCell('20260501', 'date')).toEqual({ ok: true, value: '2026-05-01' });
    });

    it('takes the wall-clock date of a date cell', () => {
      // A date cell is a Date whose UTC fields are what the sheet shows.
      expect(convertCell(new Date(Date.UTC(2026, 4, 1, 23, 30)), 'date')).toEqual({ ok: true, value: '2026-05-01' });
    });

    it('refuses impossible dates and numbers', () => {
      expect(convertCell('2026-02-30', 'date')).toEqual({ ok: false, reason: "'2026-02-30' is not a calendar date" });
      expect(convertCell('1 May 2026', 'date')).toMatchObject({ ok: false, reason: expect.stringContaining('YYYY-MM-DD') });
      expect(convertCell(46143, 'date')).toMatchObject({ ok: false, reason: expect.stringContaining('the number 46143 is not a date') });
    });
  });

  describe('date-times', () => {
    it('keeps an explicit offset and reads a time without one as Beijing time', () => {
      expect(convertCell('2026-05-01T10:00:00Z', 'datetime')).toEqual({ ok: true, value: '2026-05-01T10:00:00Z' });
      expect(convertCell('2026-05-01T10:00:00.250+0800', 'datetime')).toEqual({ ok: true, value: '2026-05-01T10:00:00.250+08:00' });
      expect(convertCell('2026/5/1 9:05', 'datetime')).toEqual({ ok: true, value: '2026-05-01T09:05:00+08:00' });
      expect(convertCell('2026-05-01', 'datetime')).toEqual({ ok: true, value: '2026-05-01T00:00:00+08:00' });
    });

    it('writes a date cell as Beijing wall-clock time', () => {
      expect(convertCell(new Date(Date.UTC(2026, 4, 1, 10, 15, 30)), 'datetime')).toEqual({ ok: true, value: '2026-05-01T10:15:30+08:00' });
    });

    it('refuses what is not a date-time', () => {
      expect(convertCell('2026-05-01 25:00', 'datetime')).toEqual({ ok: false, reason: "'2026-05-01 25:00' is not a time of day" });
      expect(convertCell('yesterday', 'datetime')).toMatchObject({ ok: false, reason: expect.stringContaining("'yesterday' is not a date-time") });
      expect(convertCell(true, 'datetime')).toMatchObject({ ok: false });
    });
  });

  describe('lists', () => {
    it("splits on ';', '|' and line breaks, dropping empty items", () => {
      expect(convertCell('A; B|C\nD;;', 'list')).toEqual({ ok: true, value: ['A', 'B', 'C', 'D'] });
      expect(convertCell('  only  ', 'list')).toEqual({ ok: true, value: ['only'] });
      expect(convertCell(12345, 'list')).toEqual({ ok: true, value: ['12345'] });
    });
  });

  describe('booleans and JSON', () => {
    it('reads yes/no words in English and Chinese', () => {
      expect(convertCell('是', 'boolean')).toEqual({ ok: true, value: true });
      expect(convertCell('No', 'boolean')).toEqual({ ok: true, value: false });
      expect(convertCell(1, 'boolean')).toEqual({ ok: true, value: true });
      expect(convertCell(false, 'boolean')).toEqual({ ok: true, value: false });
      expect(convertCell('maybe', 'boolean')).toMatchObject({ ok: false });
    });

    it('parses JSON cells', () => {
      expect(convertCell('{"a":1}', 'json')).toEqual({ ok: true, value: { a: 1 } });
      expect(convertCell('{a:1}', 'json')).toMatchObject({ ok: false, reason: expect.stringContaining('not valid JSON') });
    });
  });
});
