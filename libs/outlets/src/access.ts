import { likePrefix, type Param, readScope, regionWithin, requireAllowed, type ReadScope } from '#libs/access';
import type { Principal } from '#libs/common';
import { OutletsErrors } from './errors';

/**
 * Outlets under the access policy (libs/access): what an outlet means to it. Reading follows the caller's read scope
 * (an outlet's region; an enterprise: the outlets it owns or is a partner of); writing is `outlet.write` on behalf of
 * the enterprises that run the outlet, its owner and co-builders (an entrusted partner reads it and reports its
 * events); inspections are `outlet.inspect` (the same, and regulators). Outlets the caller may not read are "not
 * found" (the service's 404).
 */
export interface OutletParties {
  ownerEnterpriseId: string;
  regionCode: string;
  partners: readonly { enterpriseId: string; relation: 'co_built' | 'entrusted' }[];
}

/** The enterprises that run an outlet (may edit it): its owner and co-builders. */
function runners(o: OutletParties): string[] {
  return [o.ownerEnterpriseId, ...o.partners.filter((x) => x.relation === 'co_built').map((x) => x.enterpriseId)];
}

export function canReadOutlet(p: Principal, o: OutletParties): boolean {
  const scope = readScope(p);
  if (scope.kind === 'enterprise') return o.ownerEnterpriseId === scope.enterpriseId || o.partners.some((x) => x.enterpriseId === scope.enterpriseId);
  return regionWithin(scope, o.regionCode);
}

export function assertCanEditOutlet(p: Principal, o: OutletParties): void {
  requireAllowed(p, 'outlet.write', runners(o));
}

/** Inspections: whoever may edit, and regulators (reading was checked first: the outlet is in the regulator's region). */
export function assertCanInspectOutlet(p: Principal, o: OutletParties): void {
  requireAllowed(p, 'outlet.inspect', runners(o));
}

/** The owner a new outlet is registered for: an enterprise registers its own (by default), an admin names one. */
export function ownerForNewOutlet(p: Principal, requested: string | undefined): string {
  const scope = readScope(p);
  const owner = requested ?? (scope.kind === 'enterprise' ? scope.enterpriseId : undefined);
  if (owner === undefined) {
    // Only an administrator gets this far without an owner; it is then a missing field, not a refusal.
    requireAllowed(p, 'outlet.write', []);
    throw OutletsErrors.ownerRequired();
  }
  requireAllowed(p, 'outlet.write', owner);
  return owner;
}

/** SQL condition (over outlets `o`) for the outlets a principal may list. */
export function outletVisibilitySql(p: Principal, param: Param): string {
  return outletScopeSql(readScope(p), param);
}

function outletScopeSql(scope: ReadScope, param: Param): string {
  switch (scope.kind) {
    case 'all':
      return 'true';
    case 'region':
      return `o.region_key LIKE ${param(likePrefix(scope.prefix))}`;
    case 'enterprise': {
      const me = param(scope.enterpriseId);
      return `(o.owner_enterprise_id = ${me}::uuid OR EXISTS (SELECT 1 FROM outlet_partners op WHERE op.outlet_id = o.id AND op.enterprise_id = ${me}::uuid))`;
    }
  }
}
