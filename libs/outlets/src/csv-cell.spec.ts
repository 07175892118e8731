import { neutraliseCell } from './csv-cell';

describe('CSV cells', () => {
  it('neutralises formula starters', () => {
    expect(neutraliseCell('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutraliseCell('+86 591 1234')).toBe("'+86 591 1234");
    expect(neutraliseCell('福州网点')).toBe('福州网点');
    expect(neutraliseCell(-3)).toBe('-3');
  });
});
