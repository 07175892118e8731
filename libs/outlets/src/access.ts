import type { Principal } from '#libs/common';
import { forbidden } from '#libs/common';

/**
 * Who may do what with an outlet, in one place (to move onto the shared access-policy lib when it lands):
 * - admin: everything;
 * - enterprise: reads and edits outlets it owns or co-builds; reads (not edits) outlets it is entrusted with;
 *   registers outlets only for itself;
 * - regulator: reads outlets in its region (all, without a region prefix) and records inspections there; never edits.
 * Outlets the caller may not read are reported as not found.
 */
export interface OutletParties {
  ownerEnterpriseId: string;
  regionCode: string;
  partners: readonly { enterpriseId: string; relation: 'co_built' | 'entrusted' }[];
}

export function canReadOutlet(p: Principal, o: OutletParties): boolean {
  if (p.kind === 'admin') return true;
  if (p.kind === 'regulator') return !p.regionPrefix || o.regionCode.startsWith(p.regionPrefix);
  return o.ownerEnterpriseId === p.enterpriseId || o.partners.some((x) => x.enterpriseId === p.enterpriseId);
}

export function assertCanEditOutlet(p: Principal, o: OutletParties): void {
  if (p.kind === 'admin') return;
  if (p.kind === 'regulator') throw forbidden('Regulators read outlets and record inspections; they do not edit them');
  if (o.ownerEnterpriseId === p.enterpriseId) return;
  if (o.partners.some((x) => x.enterpriseId === p.enterpriseId && x.relation === 'co_built')) return;
  throw forbidden('Only the owner and co-builders of an outlet edit it (an entrusted partner reads it and reports its events)');
}

/** Inspections: whoever may edit, and regulators of the outlet's region. */
export function assertCanInspectOutlet(p: Principal, o: OutletParties): void {
  if (p.kind === 'regulator') return; // reading was checked first: the outlet is in its region
  assertCanEditOutlet(p, o);
}

/** The owner a new outlet is registered for: an enterprise registers its own, an admin names one. */
export function ownerForNewOutlet(p: Principal, requested: string | undefined): string {
  if (p.kind === 'enterprise') {
    if (requested !== undefined && requested !== p.enterpriseId) throw forbidden('An enterprise key registers outlets only for its own enterprise');
    return p.enterpriseId;
  }
  if (p.kind === 'regulator') throw forbidden('Regulators do not register outlets');
  if (requested === undefined) throw forbidden('An administrator must name the owner (ownerEnterpriseId)');
  return requested;
}

/** SQL condition (over outlets `o`) for the outlets a principal may list; `param` adds a query parameter. */
export function outletVisibilitySql(p: Principal, param: (v: unknown) => string): string {
  if (p.kind === 'admin') return 'true';
  if (p.kind === 'regulator') return p.regionPrefix ? `o.region_key LIKE ${param(`${p.regionPrefix}%`)}` : 'true';
  const me = param(p.enterpriseId);
  return `(o.owner_enterprise_id = ${me}::uuid OR EXISTS (SELECT 1 FROM outlet_partners op WHERE op.outlet_id = o.id AND op.enterprise_id = ${me}::uuid))`;
}

/** Coverage: the enterprise itself, regulators for enterprises in their region, admins. */
export function canReadCoverage(p: Principal, enterprise: { id: string; regionCode: string | null }): boolean {
  if (p.kind === 'admin') return true;
  if (p.kind === 'enterprise') return p.enterpriseId === enterprise.id;
  return !p.regionPrefix || (enterprise.regionCode ?? '').startsWith(p.regionPrefix);
}
