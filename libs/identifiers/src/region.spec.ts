import { checkRegionCode, regionKeys } from './region';

describe('GB/T 2260 region codes', () => {
  it('accepts six digits under a province-level division and gives its three prefixes', () => {
    expect(checkRegionCode('350102')).toEqual({ ok: true, code: '350102' });
    expect(checkRegionCode(' 440305 ')).toEqual({ ok: true, code: '440305' });
    expect(regionKeys('350102')).toEqual(['35', '3501', '350102']);
  });

  it.each([
    ['35010', "'35010' is not a 6-digit GB/T 2260 region code"],
    ['35010A', "'35010A' is not a 6-digit GB/T 2260 region code"],
    ['990102', "'990102' does not start with a province code of GB/T 2260 (got '99')"],
    ['100000', "'100000' does not start with a province code of GB/T 2260 (got '10')"],
  ])('rejects %s', (code, reason) => {
    expect(checkRegionCode(code)).toEqual({ ok: false, reason });
  });
});
