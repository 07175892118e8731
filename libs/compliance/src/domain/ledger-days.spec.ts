import { chinaDate, RULE_SETS, ruleSetFor } from '#libs/lifecycle';
import { beijingDateOf, ledgerRuleSetChooser } from './ledger-days';

// The chooser runs in report threads that cannot load #libs/lifecycle: it must answer as the ledger does.
describe('ledger days (pure, for report threads)', () => {
  const choose = ledgerRuleSetChooser(RULE_SETS);

  it('gives the Beijing date and the ledger rule set of every hour from 2017 to 2031, as #libs/lifecycle does', () => {
    let checked = 0;
    let changes = 0;
    let previous = '';
    for (let t = Date.parse('2017-01-01T00:30:00Z'); t < Date.parse('2031-01-01T00:00:00Z'); t += 3_600_000) {
      const at = new Date(t);
      expect(beijingDateOf(at)).toBe(chinaDate(t));
      const id = choose(at);
      expect(id).toBe(ruleSetFor(chinaDate(t)).id);
      if (id !== previous) changes += 1;
      previous = id;
      checked += 1;
    }
    expect(checked).toBeGreaterThan(120_000);
    // cn-2018, then cn-2026 from 2026-04-01 (Beijing): the comparison saw both and the switch.
    expect(changes).toBe(2);
  });

  it('switches at midnight Beijing time of 2026-04-01, not UTC', () => {
    expect(choose(new Date('2026-03-31T23:59:59.999+08:00'))).toBe('cn-2018');
    expect(choose(new Date('2026-04-01T00:00:00+08:00'))).toBe('cn-2026');
    expect(choose(new Date('2026-03-31T16:00:00Z'))).toBe('cn-2026');
  });

  it('takes the last set when no window holds the date, and refuses an empty list', () => {
    const gap = ledgerRuleSetChooser([
      { id: 'a', validFrom: '2020-01-01', validUntil: '2021-01-01' },
      { id: 'b', validFrom: '2022-01-01', validUntil: null },
    ]);
    expect(gap(new Date('2021-06-01T12:00:00+08:00'))).toBe('b');
    expect(gap(new Date('2020-06-01T12:00:00+08:00'))).toBe('a');
    expect(() => ledgerRuleSetChooser([])).toThrow('no ledger rule sets');
  });
});
