import { coverageRuleSetOn, regionKey } from './coverage-rules';
import { activeOn, chinaDate } from './dates';
import { boundingBox, greatCircleKm } from './geo';
import { checkOutlet, outletRuleSetOn, stockLimitT } from './rules';

describe('outlet rules', () => {
  const set = outletRuleSetOn('2025-06-01');
  it('chooses the rule set by date', () => {
    expect(set.id).toBe('cn-2019-outlets');
    expect(outletRuleSetOn('2026-04-01').id).toBe('cn-2026-outlets');
  });
  it('collection: area ≥ 10 m², at most 5 t; each violation names its source', () => {
    expect(checkOutlet({ type: 'collection', storageAreaM2: 10, capacityT: 5 }, set)).toEqual([]);
    const v = checkOutlet({ type: 'collection', storageAreaM2: 9.5, capacityT: 6 }, set);
    expect(v.map((x) => [x.rule, x.path])).toEqual([
      ['OUTLET_COLLECTION_MIN_AREA', 'storageAreaM2'],
      ['OUTLET_COLLECTION_MAX_STOCK', 'capacityT'],
    ]);
    expect(v[0].source).toContain('2019年第46号');
  });
  it('centralised storage: capacity ≥ 30 t', () => {
    expect(checkOutlet({ type: 'centralised_storage', storageAreaM2: 5, capacityT: 30 }, set)).toEqual([]);
    expect(checkOutlet({ type: 'centralised_storage', storageAreaM2: 500, capacityT: 29.9 }, set).map((x) => x.rule)).toEqual(['OUTLET_STORAGE_MIN_CAPACITY']);
  });
  it('stock limit: 5 t for collection, the capacity for storage', () => {
    expect(stockLimitT({ type: 'collection', storageAreaM2: 20, capacityT: 3 }, set).limitT).toBe(3);
    expect(stockLimitT({ type: 'centralised_storage', storageAreaM2: 20, capacityT: 40 }, set).limitT).toBe(40);
  });
});

describe('coverage rules', () => {
  it('battery makers have a province duty only from 2026-04-01', () => {
    expect(coverageRuleSetOn('2026-03-31').duties.battery_maker.level).toBeNull();
    expect(coverageRuleSetOn('2026-04-01').duties.battery_maker.level).toBe('province');
    expect(coverageRuleSetOn('2026-03-31').duties.vehicle_maker.level).toBe('prefecture');
    expect(regionKey('350102', 'prefecture')).toBe('3501');
  });
});

describe('geo', () => {
  it('great-circle distance Beijing–Shanghai ≈ 1067 km', () => {
    expect(greatCircleKm(39.9042, 116.4074, 31.2304, 121.4737)).toBeGreaterThan(1060);
    expect(greatCircleKm(39.9042, 116.4074, 31.2304, 121.4737)).toBeLessThan(1075);
  });
  it('the bounding box contains the points at that distance in every direction', () => {
    const box = boundingBox(26.07, 119.3, 50);
    for (let bearing = 0; bearing < 360; bearing += 15) {
      const b = (bearing * Math.PI) / 180;
      const d = 50 / 6371.0088;
      const lat1 = (26.07 * Math.PI) / 180;
      const lng1 = (119.3 * Math.PI) / 180;
      const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
      const lng2 = lng1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
      const [la, ln] = [(lat2 * 180) / Math.PI, (lng2 * 180) / Math.PI];
      expect(la).toBeGreaterThanOrEqual(box.minLat - 1e-9);
      expect(la).toBeLessThanOrEqual(box.maxLat + 1e-9);
      expect(ln).toBeGreaterThanOrEqual(box.minLng - 1e-9);
      expect(ln).toBeLessThanOrEqual(box.maxLng + 1e-9);
    }
  });
});

describe('status on a date', () => {
  it('is active from the opening date until a change makes it otherwise', () => {
    const o = {
      opened_on: '2026-01-01',
      changes: [
        { on: '2026-01-01', to: 'active' },
        { on: '2026-02-01', to: 'suspended' },
        { on: '2026-02-10', to: 'active' },
        { on: '2026-03-01', to: 'closed' },
      ],
    };
    expect(['2025-12-31', '2026-01-01', '2026-02-01', '2026-02-09', '2026-02-10', '2026-02-28', '2026-03-01'].map((d) => activeOn(o, d))).toEqual([
      false,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(chinaDate(new Date('2026-02-28T16:00:00Z'))).toBe('2026-03-01');
  });
});
