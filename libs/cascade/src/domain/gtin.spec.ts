import { gtinProblem } from './gtin';
import { missingLabelFields } from './label';

describe('GTIN', () => {
  it('accepts real GTINs of every length and refuses a wrong check digit', () => {
    for (const ok of ['96385074', '036000291452', '6901234567892', '4006381333931', '10614141000415']) expect(gtinProblem(ok)).toBeNull();
    expect(gtinProblem('6901234567891')).toBe("check digit is '1', expected '2' (GS1)");
    expect(gtinProblem('69012345678')).toBe('must be 8, 12, 13 or 14 digits, got 11');
    expect(gtinProblem(' 6901234567892')).toBe('must not start or end with spaces');
    expect(gtinProblem('69012345678A')).toMatch(/digits only/);
  });
});

describe('label', () => {
  it('names the missing required fields in label order', () => {
    const full = {
      nominalCapacityAh: 100,
      nominalVoltageV: 48,
      firmName: 'a',
      firmAddress: 'b',
      placeOfOrigin: 'c',
      traceCode: 'd',
      originalCodes: ['x'],
      gtin: '6901234567892',
    };
    expect(missingLabelFields(full)).toEqual([]);
    expect(missingLabelFields({ ...full, firmAddress: ' ', gtin: null, originalCodes: [] })).toEqual(['firmAddress', 'originalCodes', 'gtin']);
  });
});
