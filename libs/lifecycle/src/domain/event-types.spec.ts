import { BATTERY_STATUSES } from '#libs/batteries';
import { ENTERPRISE_ROLES } from '#libs/enterprises';
import { ALL_ROLES } from './event-rules-fields';
import { ENVELOPE_FIELDS, EVENT_TYPES, latestPayload, RULE_SETS, ruleSetFor } from './event-types';

describe('event-type table', () => {
  it("knows every enterprise role (pure code keeps its own copy of the enterprises' list: the two must not drift)", () => {
    expect([...ALL_ROLES].sort()).toEqual([...ENTERPRISE_ROLES].sort());
  });

  it('chooses the rule set by business date: 2018/2021 rules before 2026-04-01, the 2026 measures from then on', () => {
    expect(ruleSetFor('2019-06-01').id).toBe('cn-2018');
    expect(ruleSetFor('2026-03-31').id).toBe('cn-2018');
    expect(ruleSetFor('2026-04-01').id).toBe('cn-2026');
    expect(ruleSetFor('2015-01-01').id).toBe('cn-2018');
  });

  it('carries the 2026 changes as data: swaps become a node, removed batteries go only to qualified firms', () => {
    const [old, current] = [ruleSetFor('2026-03-31'), ruleSetFor('2026-04-01')];
    expect(old.types.swapped.node).toBe(false);
    expect(current.types.swapped.node).toBe(true);
    expect(old.types.removed.counterparty.roles).toBeUndefined();
    expect(current.types.removed.counterparty.roles).toEqual(['cascade_utiliser', 'recycler', 'vehicle_maker', 'battery_maker']);
    expect(current.types.delivered).toEqual(old.types.delivered);
  });

  it.each(RULE_SETS.flatMap((set) => EVENT_TYPES.map((type) => [set.id, type] as const)))('%s %s is complete and consistent', (setId, type) => {
    const rules = RULE_SETS.find((s) => s.id === setId)!.types[type];
    expect(rules.type).toBe(type);
    expect(rules.roles.length).toBeGreaterThan(0);
    for (const s of rules.from) expect(BATTERY_STATUSES).toContain(s);
    if (rules.to !== null) expect(BATTERY_STATUSES).toContain(rules.to);
    expect(rules.from.length > 0 || rules.special === 'register' || rules.special === 'correction').toBe(true);
    // A hand-over names its receiver, unless the type says where the batteries go without one (removed: own stock).
    if (rules.custody === 'handover') expect(rules.counterparty.presence).toBe(rules.withoutCounterparty ? 'optional' : 'required');
    if (rules.special === 'replace') expect(latestPayload(rules).fields.find((f) => f.name === 'replacementCode')?.required).toBe(true);
    const names = latestPayload(rules).fields.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of latestPayload(rules).fields) {
      expect(f.description.length).toBeGreaterThan(0);
      if (f.kind === 'enum') expect(f.enum?.length).toBeGreaterThan(0);
    }
  });

  it('lets every status but the end be left by some event, and reaches every status', () => {
    const set = ruleSetFor('2026-05-01');
    const left = new Set(EVENT_TYPES.flatMap((t) => set.types[t].from));
    const reached = new Set(EVENT_TYPES.map((t) => set.types[t].to).filter((s) => s !== null));
    for (const s of BATTERY_STATUSES) {
      if (s !== 'recycled' && s !== 'assembled' && s !== 'in_cascade_product') expect(left).toContain(s);
      if (s !== 'assembled' && s !== 'in_cascade_product' && s !== 'produced') expect(reached).toContain(s);
    }
    expect(left).not.toContain('recycled');
  });

  it('lists the envelope fields with the payload last', () => {
    expect(ENVELOPE_FIELDS.map((f) => f.name)).toEqual([
      'type',
      'batteryCodes',
      'occurredAt',
      'clientEventId',
      'counterpartyUscc',
      'regionCode',
      'vin',
      'correctionOf',
      'schemaVersion',
      'payload',
    ]);
    expect(ENVELOPE_FIELDS.filter((f) => f.required).map((f) => f.name)).toEqual(['type', 'batteryCodes', 'occurredAt']);
  });
});
