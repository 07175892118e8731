import { checkVin, vinCheckDigit } from './vin';

describe('VIN (ISO 3779 / GB 16735)', () => {
  it.each([
    ['1M8GDM9AXKP042788', 'X'], // the textbook example: check digit 10 is written X
    ['11111111111111111', '1'],
    ['LFV2A21KXG4010001', 'X'],
    ['LGXCE4CB4N0000001', '4'],
  ])('computes the check digit of %s', (vin, digit) => {
    expect(vinCheckDigit(vin)).toBe(digit);
    expect(checkVin(vin)).toEqual({ ok: true, vin });
  });

  it('normalises case and surrounding spaces', () => {
    expect(checkVin(' lgxce4cb4n0000001 ')).toEqual({ ok: true, vin: 'LGXCE4CB4N0000001' });
  });

  it('names the expected check digit when position 9 is wrong', () => {
    expect(checkVin('LGXCE4CB0N0000001')).toEqual({ ok: false, reason: "check digit (position 9) is '0', expected '4' (GB 16735 / ISO 3779)" });
  });

  it('rejects every single-character change of a valid VIN that keeps it well-formed (the check digit catches them)', () => {
    const base = '1M8GDM9AXKP042788';
    let caught = 0;
    let tried = 0;
    for (let i = 0; i < 17; i++) {
      if (i === 8) continue;
      const replacement = base[i] === '3' ? '4' : '3';
      tried++;
      if (!checkVin(base.slice(0, i) + replacement + base.slice(i + 1)).ok) caught++;
    }
    expect(caught).toBe(tried);
  });

  it.each([
    ['LGXCE4CB4N000000', 'must be 17 characters, got 16'],
    ['LGXCE4CB4N00000011', 'must be 17 characters, got 18'],
    ['IGXCE4CB4N0000001', "character 1 'I' is not allowed (I, O and Q are never used in a VIN)"],
    ['LGXCE4CB4N000000O', "character 17 'O' is not allowed (I, O and Q are never used in a VIN)"],
    ['LGXCE4CB4N00000Q1', "character 16 'Q' is not allowed (I, O and Q are never used in a VIN)"],
    ['LGXCE4CB4N00000-1', "character 16 '-' is not allowed (digits and capital letters only)"],
  ])('rejects %s: %s', (vin, reason) => {
    expect(checkVin(vin)).toEqual({ ok: false, reason });
  });
});
