import type { Principal } from '#libs/common';
import { ACTIONS, allows, effectiveRegion, readScope, requireAllowed } from './policy';
import { enterpriseInRegionSql, likePrefix } from './sql';

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
});
