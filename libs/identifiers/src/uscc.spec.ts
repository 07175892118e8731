import { checkUscc, usccCheckCharacter } from './uscc';

describe('unified social credit code (GB 32100)', () => {
  // Published codes of real organisations (public registers).
  const valid = ['91350100M000100Y43', '914403001922038216', '911100001000079554', '91110000802100433B', '91440300708461136T'];

  it.each(valid)('accepts %s', (code) => {
    expect(checkUscc(code)).toEqual({ ok: true });
  });

  it('computes the check character of a known code', () => {
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(usccCheckCharacter('91440300708461136')).toBe('T');
  });

  it('rejects a wrong check character and names the expected one', () => {
    const result = checkUscc('91350100M000100Y44');
    expect(result).toEqual({ ok: false, reason: "check character is '4', expected '3' (GB 32100)" });
  });

  it('rejects every single-character change of a valid code', () => {
    const base = '91350100M000100Y43';
    for (let i = 0; i < 18; i++) {
      const replacement = base[i] === '1' ? '2' : '1';
      const mutated = base.slice(0, i) + replacement + base.slice(i + 1);
      expect(checkUscc(mutated).ok).toBe(false);
    }
  });

  it('rejects wrong length, forbidden letters and a non-numeric region', () => {
    expect(checkUscc('91350100M000100Y4')).toMatchObject({ ok: false, reason: 'must be 18 characters, got 17' });
    expect(checkUscc('91350100M000100I43')).toMatchObject({ ok: false, reason: expect.stringContaining("character 16 'I'") });
    expect(checkUscc('91A50100M000100Y43')).toMatchObject({ ok: false, reason: expect.stringContaining('region code') });
  });
});
