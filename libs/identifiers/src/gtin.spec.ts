import { checkGtin, gtinCheckDigit, isValidGtin } from './gtin';

describe('GTIN check digits (GS1)', () => {
  // Check digits worked by hand from the GS1 rule (weights 3, 1, 3, … from the right), on published example numbers.
  it.each([
    ['9638507', '4', 'GTIN-8'], // 7·3+0+5·3+8+3·3+6+9·3 = 86 → 4
    ['03600029145', '2', 'GTIN-12 (UPC-A)'], // 036000291452
    ['400638133393', '1', 'GTIN-13 (EAN-13)'], // 4006381333931
    ['690123456789', '2', 'GTIN-13 with a Chinese (690) prefix'], // 6901234567892
    ['1540014128876', '3', 'GTIN-14'], // 15400141288763, GS1's own example
  ])('computes the check digit of %s as %s (%s)', (body, digit) => {
    expect(gtinCheckDigit(body)).toBe(digit);
    expect(isValidGtin(body + digit)).toBe(true);
    expect(checkGtin(` ${body}${digit} `)).toEqual({ ok: true, gtin: body + digit });
  });

  it('rejects every wrong check digit, and a swap of two neighbouring digits', () => {
    for (let d = 0; d <= 9; d++) if (String(d) !== '1') expect(isValidGtin(`400638133393${d}`)).toBe(false);
    expect(isValidGtin('4006381333391')).toBe(false); // …93 → …39
  });

  it.each([
    ['40063813339', 'must be 8, 12, 13 or 14 digits, got 11'],
    ['4006381333932', "check digit is '2', expected '1' (GS1)"],
    ['40063813339A1', "'40063813339A1' is not a GTIN (digits only)"],
    ['', "'' is not a GTIN (digits only)"],
  ])('explains why %j is refused', (input, reason) => {
    expect(checkGtin(input)).toEqual({ ok: false, reason });
    expect(isValidGtin(input)).toBe(false);
  });

  it('gives no check digit for a body of the wrong length or with a non-digit', () => {
    expect(gtinCheckDigit('123456')).toBeNull();
    expect(gtinCheckDigit('123456789012345')).toBeNull();
    expect(gtinCheckDigit('12345a7')).toBeNull();
  });
});
