import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CN_2018, CN_2026, DEADLINE_RULE_SETS } from './deadline-rules';

/**
 * The tables as data: `deadline-rules.expanded.json` holds both tables as they were written out row by row before
 * the row builders, so a change to a builder cannot change a deadline, a responsible role or a basis text unseen.
 * A deliberate change to the data edits that file in the same commit (and bumps the table's `version`).
 */
describe('deadline rule sets (expanded data)', () => {
  const expanded = JSON.parse(readFileSync(join(__dirname, 'deadline-rules.expanded.json'), 'utf8')) as Record<string, unknown>;

  it.each([
    ['cn-2018', CN_2018],
    ['cn-2026', CN_2026],
  ])('%s expands to the recorded rows, in the recorded order', (id, set) => {
    // Compared as text: key order is part of it (reports list the nodes in the table's order).
    expect(JSON.stringify(set, null, 2)).toBe(JSON.stringify(expanded[id], null, 2));
  });

  it('keeps every table frozen', () => {
    for (const set of DEADLINE_RULE_SETS) {
      expect([Object.isFrozen(set), Object.isFrozen(set.rules), Object.isFrozen(set.expectations)]).toEqual([true, true, true]);
    }
  });
});
