import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsBatteryCode, NormaliseBatteryCode } from './is-battery-code.validator';

const CATL = '001CB240000003B3C0221953';
const CASCADE = '001CB24B3C0221953RC';

class OneCode {
  @NormaliseBatteryCode()
  @IsBatteryCode()
  code: unknown;
}

class OriginalOnly {
  @IsBatteryCode({ form: 'original' })
  code: unknown;
}

class CascadeOnly {
  @NormaliseBatteryCode()
  @IsBatteryCode({ form: 'cascade' })
  code: unknown;
}

class ValidatedOnly {
  @IsBatteryCode()
  code: unknown;
}

class ManyCodes {
  @NormaliseBatteryCode({ each: true })
  @IsBatteryCode({}, { each: true })
  codes: unknown;
}

function check<T extends object>(cls: new () => T, plain: Record<string, unknown>) {
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance);
  return { instance, messages: errors.flatMap((e) => Object.values(e.constraints ?? {})) };
}

describe('@NormaliseBatteryCode + @IsBatteryCode', () => {
  it('accepts a valid code and leaves it as is', () => {
    const { instance, messages } = check(OneCode, { code: CATL });
    expect(messages).toEqual([]);
    expect(instance.code).toBe(CATL);
  });

  it('normalises what scanners and people send: lower case, spaces, hyphens, full-width, two fragments', () => {
    for (const input of [
      '001cb240000003b3c0221953',
      ' 001-CB24-0000003-B3C-0221953 ',
      '００１CB240000003B3C0221953',
      '001CB2400000\n03B3C0221953',
      ['001cb2400000', '03b3c0221953'],
    ]) {
      const { instance, messages } = check(OneCode, { code: input });
      expect(messages).toEqual([]);
      expect(instance.code).toBe(CATL);
    }
  });

  it('puts every position error of the codec into one message, prefixed with the property', () => {
    const { messages } = check(OneCode, { code: '001CB240000003B3U022195X' });
    expect(messages).toEqual(["code: position 17 (day): 'U' is not a day symbol; position 24 (serial): 'X' is not a serial-number digit"]);
  });

  it('reports a wrong length alone', () => {
    const { messages } = check(OneCode, { code: 'BAD' });
    expect(messages).toEqual(['code: length 3: expected 24 characters (original code) or 19 characters (cascade code)']);
  });

  it('rejects impossible and future production dates', () => {
    // Month 2, day Y (30): 30 February.
    expect(check(OneCode, { code: '001CB240000003B2Y0221953' }).messages[0]).toMatch(/^code: positions 16-17 \(date\): .*February 30, which does not exist/);
    // X = 2039.
    expect(check(OneCode, { code: 'X12MCPM27KLPCLX2M2382320' }).messages[0]).toMatch(/^code: positions 15-17 \(date\): .*after today/);
  });

  it('rejects values that are not strings without throwing', () => {
    for (const code of [null, 42, { a: 1 }, ['only one fragment'], undefined]) {
      const { messages } = check(OneCode, { code });
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/^code: /);
    }
    expect(check(OneCode, { code: 42 }).messages).toEqual(['code: expected a string, got number']);
  });

  it('restricts the form when asked', () => {
    expect(check(OriginalOnly, { code: CATL }).messages).toEqual([]);
    expect(check(OriginalOnly, { code: CASCADE }).messages).toEqual(['code: a cascade code (19 characters) where an original code is required']);
    expect(check(CascadeOnly, { code: CASCADE.toLowerCase() }).messages).toEqual([]);
    expect(check(CascadeOnly, { code: CATL }).messages).toEqual(['code: an original code (24 characters) where a cascade code is required']);
  });

  it('without the transform, validation passes on a normalisable code but the value is unchanged', () => {
    const { instance, messages } = check(ValidatedOnly, { code: '001cb240000003b3c0221953' });
    expect(messages).toEqual([]);
    expect(instance.code).toBe('001cb240000003b3c0221953');
  });

  it('works on arrays with { each: true }', () => {
    const ok = check(ManyCodes, { codes: ['001cb240000003b3c0221953', ['04QCB7683630', '0JBC40000903']] });
    expect(ok.messages).toEqual([]);
    expect(ok.instance.codes).toEqual([CATL, '04QCB76836300JBC40000903']);
    const bad = check(ManyCodes, { codes: [CATL, '001CB240000003B3U0221953'] });
    expect(bad.messages).toEqual(["codes[1]: position 17 (day): 'U' is not a day symbol"]);
  });
});
