import { numberOrNull, parseTextRows, textOrNull, textRowsAggregate } from './text-rows';

describe('text rows', () => {
  it('aggregates every column as text, NULL as the empty string, so that no column is skipped', () => {
    expect(textRowsAggregate(['a', "array_to_string(b, ',')"])).toBe(
      `string_agg(concat_ws(E'\\t', coalesce((a)::text, ''), coalesce((array_to_string(b, ','))::text, '')), E'\\n')`,
    );
  });

  it('splits rows and columns, keeps empty columns, and refuses a row of another width', () => {
    expect(parseTextRows(null, 3)).toEqual([]);
    expect(parseTextRows('a\t\t1.5\nb\tx\t', 3)).toEqual([
      ['a', '', '1.5'],
      ['b', 'x', ''],
    ]);
    expect(() => parseTextRows('a\tb', 3)).toThrow(/2 columns, expected 3/);
    expect([textOrNull(''), textOrNull('x'), numberOrNull(''), numberOrNull('350.4'), numberOrNull('0')]).toEqual([null, 'x', null, 350.4, 0]);
  });
});
