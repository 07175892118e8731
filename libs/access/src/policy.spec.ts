import type { Principal } from '#libs/common';
import {
  ACCESS_MESSAGES_ZH,
  AccessRule,
  ACTIONS,
  actingEnterprise,
  allows,
  effectiveRegion,
  isAction,
  readScope,
  refusal,
  requireActingEnterprise,
  requireAllowed,
  requireKindAllowed,
  scopeCovers,
} from './policy';
import { batteryInRegionSql, enterpriseInRegionSql, likePrefix } from './sql';

const admin: Principal = { kind: 'admin', keyId: 'k0' };
const firm: Principal = { kind: 'enterprise', keyId: 'k1', enterpriseId: 'e1' };
const fujian: Principal = { kind: 'regulator', keyId: 'k2', regulatorId: 'r1', regionPrefix: '35' };
const national: Principal = { kind: 'regulator', keyId: 'k3', regulatorId: 'r2', regionPrefix: null };

describe('access policy', () => {
  it('gives each kind of caller its actions; own actions only on itself', () => {
    expect(allows(admin, 'checkpoint.create')).toBe(true);
    expect(allows(fujian, 'checkpoint.create')).toBe(false);
    expect(allows(firm, 'api_key.manage', 'e1')).toBe(true);
    expect(allows(firm, 'api_key.manage', 'e2')).toBe(false);
    expect(allows(firm, 'api_key.manage')).toBe(false);
    expect(allows(admin, 'ledger.write')).toBe(false);
    expect(() => requireAllowed(firm, 'enterprise.update_admin_fields')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', kind: 'forbidden' }));
    // Every action says something for every kind of caller.
    for (const rule of Object.values(ACTIONS)) expect(Object.keys(rule).sort()).toEqual(['admin', 'enterprise', 'regulator']);
  });

  it('reads: admins and national regulators all, a regional regulator its prefix, an enterprise itself', () => {
    expect(readScope(admin)).toEqual({ kind: 'all' });
    expect(readScope(national)).toEqual({ kind: 'all' });
    expect(readScope(fujian)).toEqual({ kind: 'region', prefix: '35' });
    expect(readScope(firm)).toEqual({ kind: 'enterprise', enterpriseId: 'e1' });
  });

  it("narrows a region filter within the caller's region and never widens it", () => {
    expect(effectiveRegion(readScope(fujian), undefined)).toBe('35');
    expect(effectiveRegion(readScope(fujian), '3501')).toBe('3501');
    expect(effectiveRegion(readScope(fujian), '3')).toBe('35');
    expect(effectiveRegion(readScope(fujian), '44')).toBeNull();
    expect(effectiveRegion(readScope(admin), '44')).toBe('44');
    expect(effectiveRegion(readScope(admin), undefined)).toBeUndefined();
  });

  it('puts a region into SQL only as a parameter, and only digits', () => {
    const params: unknown[] = [];
    const sql = enterpriseInRegionSql('e.id', '3501', (v) => `$${params.push(v)}`, 'e.uploaded_at');
    expect(sql).not.toContain('3501');
    expect(params).toEqual(['3501%']);
    expect(() => likePrefix("35' OR true --")).toThrow();
  });

  it("acts for one of several enterprises: an outlet's owner and co-builders edit it, nobody else", () => {
    expect(allows(firm, 'outlet.write', ['e0', 'e1'])).toBe(true);
    expect(allows(firm, 'outlet.write', ['e0', 'e2'])).toBe(false);
    expect(allows(firm, 'outlet.write', [])).toBe(false);
    expect(allows(admin, 'outlet.write', [])).toBe(true);
    expect(allows(fujian, 'outlet.write', ['e1'])).toBe(false);
    // Inspections: regulators too (the outlet must be readable to them first), an enterprise only where it edits.
    expect(allows(fujian, 'outlet.inspect')).toBe(true);
    expect(allows(firm, 'outlet.inspect', ['e2'])).toBe(false);
  });

  it('admin-only tasks refuse enterprises and regulators; enterprise-only writes refuse admins and regulators', () => {
    for (const action of ['calendar.write', 'grading_rules.write', 'operations.read', 'audit_checkpoint.create', 'checkpoint.create'] as const) {
      expect([allows(admin, action), allows(firm, action), allows(fujian, action), allows(national, action)]).toEqual([true, false, false, false]);
    }
    for (const action of ['ledger.write', 'upload.create', 'residual_test.record', 'cascade_product.assemble', 'custody_claim.decide'] as const) {
      expect([allows(admin, action), allows(firm, action), allows(fujian, action)]).toEqual([false, true, false]);
      expect(actingEnterprise(firm, action)).toBe(firm);
      expect(actingEnterprise(national, action)).toBeNull();
      expect(() => requireActingEnterprise(admin, action)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    }
    expect([allows(admin, 'report_schedule.read'), allows(firm, 'report_schedule.read'), allows(fujian, 'report_schedule.read')]).toEqual([true, false, true]);
    expect([allows(admin, 'audit_log.verify'), allows(firm, 'audit_log.verify'), allows(fujian, 'audit_log.verify')]).toEqual([true, false, true]);
  });

  it('a kind may or may not do an action at all, before anything is looked up', () => {
    expect(() => requireKindAllowed(firm, 'api_key.manage')).not.toThrow();
    expect(() => requireKindAllowed(admin, 'api_key.manage')).not.toThrow();
    expect(() => requireKindAllowed(fujian, 'api_key.manage')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    // Manufacturer codes: regulators read all (national allocations), an enterprise its own only.
    expect(allows(fujian, 'manufacturer_code.read', 'e2')).toBe(true);
    expect(allows(firm, 'manufacturer_code.read', 'e2')).toBe(false);
  });

  it('names the refused action as the rule of its detail, with a Chinese text for every action', () => {
    try {
      requireAllowed(fujian, 'calendar.write');
      throw new Error('not refused');
    } catch (error) {
      expect(error).toMatchObject({ code: 'FORBIDDEN', kind: 'forbidden', details: [{ action: 'calendar.write', rule: 'calendar.write' }] });
    }
    // A reason of a service's own carries no rule: its Chinese would be the action's, which says something else.
    expect(refusal('outlet.write', 'An administrator must name the owner').details).toEqual([
      { reason: 'An administrator must name the owner', action: 'outlet.write' },
    ]);
    expect(Object.keys(ACCESS_MESSAGES_ZH).sort()).toEqual(Object.keys(ACTIONS).sort());
    expect(Object.entries(AccessRule).every(([k, v]) => k === v && isAction(v))).toBe(true);
    expect(isAction('toString')).toBe(false);
  });

  it('a report scope is covered by the scope that contains it', () => {
    const firmA = { kind: 'enterprise', enterpriseId: 'e1' } as const;
    const firmB = { kind: 'enterprise', enterpriseId: 'e2' } as const;
    expect(scopeCovers(readScope(admin), firmB)).toBe(true);
    expect(scopeCovers(readScope(firm), firmA)).toBe(true);
    expect(scopeCovers(readScope(firm), firmB)).toBe(false);
    expect(scopeCovers(readScope(firm), { kind: 'region', prefix: '35' })).toBe(false);
    expect(scopeCovers(readScope(fujian), { kind: 'region', prefix: '3501' })).toBe(true);
    expect(scopeCovers(readScope(fujian), { kind: 'region', prefix: '3' })).toBe(false);
    expect(scopeCovers(readScope(fujian), { kind: 'region', prefix: '44' })).toBe(false);
    expect(scopeCovers(readScope(fujian), { kind: 'all' })).toBe(false);
    expect(scopeCovers(readScope(fujian), firmB)).toBe(false);
    expect(scopeCovers(readScope(fujian), firmB, true)).toBe(true);
  });

  it('puts a battery region into SQL as a parameter', () => {
    const params: unknown[] = [];
    expect(batteryInRegionSql('b', '35', (v) => `$${params.push(v)}`)).toBe('b.region_keys @> ARRAY[$1]::text[]');
    expect(params).toEqual(['35']);
    expect(() => batteryInRegionSql('b', '35%', (v) => `$${params.push(v)}`)).toThrow();
  });
});
