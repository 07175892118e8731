import { forbidden, type Principal } from '#libs/common';

/**
 * The access policy: who may do what, in one place. Services ask it; they do not compare principal kinds
 * themselves. Two questions:
 *
 * - `allow(principal, action)`: may this kind of caller do this at all? (Writes and admin tasks; a "no" is 403.)
 * - `readScope(principal)`: which part of the data may it read? Each resource turns the scope into its own
 *   condition (SQL in `sql.ts`), with one meaning per resource, written in README's "Who may do what":
 *     enterprises, uploads, audit entries: by the firm (its own; a regulator: firms registered in its region now or before);
 *     events: the event's region (its own regionCode, else its reporter's registered region when it was uploaded);
 *       an enterprise: the events it reported or is named in;
 *     batteries: where the battery is or was (see batteries' visibility), an enterprise: the batteries it is party to.
 *   What is outside the scope is "not found" (404), never 403, so that an id's existence is not disclosed.
 *
 * Pure TypeScript: no Nest, no database.
 */

/** Everything a caller may be allowed to do, by kind of caller. `own`: only for itself. */
export const ACTIONS = {
  'enterprise.create': { admin: true, enterprise: false, regulator: false },
  'enterprise.update': { admin: true, enterprise: 'own', regulator: false },
  /** The registered region decides which regulator sees a firm: only an administrator moves it (issue 13, item 5). */
  'enterprise.update_admin_fields': { admin: true, enterprise: false, regulator: false },
  'api_key.manage': { admin: true, enterprise: 'own', regulator: false },
  'regulator.manage': { admin: true, enterprise: false, regulator: false },
  'manufacturer_code.assign': { admin: true, enterprise: false, regulator: false },
  'coding_rule.file': { admin: true, enterprise: 'own', regulator: false },
  'ledger.write': { admin: false, enterprise: true, regulator: false },
  'upload.create': { admin: false, enterprise: true, regulator: false },
  'checkpoint.create': { admin: true, enterprise: false, regulator: false },
  'checkpoint.read': { admin: true, enterprise: false, regulator: true },
  'ledger.verify': { admin: true, enterprise: false, regulator: true },
  'events.read': { admin: true, enterprise: true, regulator: true },
  'audit_log.read': { admin: true, enterprise: true, regulator: true },
  /** For the compliance reports and the outlet registry being built: adopt these names. */
  'report.read': { admin: true, enterprise: true, regulator: true },
  'report.generate': { admin: true, enterprise: true, regulator: true },
  'outlet.write': { admin: true, enterprise: true, regulator: false },
  'outlet.read': { admin: true, enterprise: true, regulator: true },
} as const satisfies Record<string, { admin: boolean; enterprise: boolean | 'own'; regulator: boolean }>;

export type Action = keyof typeof ACTIONS;

/** Why a kind of caller may not do an action, in words a caller can act on. */
const WHY_NOT: Partial<Record<Action, string>> = {
  'enterprise.create': 'Only an administrator may register enterprises',
  'enterprise.update': 'Only an administrator or the enterprise itself may edit its record',
  'enterprise.update_admin_fields': 'Only an administrator may change these fields',
  'api_key.manage': 'Only an administrator or the enterprise itself may manage its API keys',
  'regulator.manage': 'Only an administrator may manage regulator accounts and their keys',
  'manufacturer_code.assign': 'Only an administrator may record manufacturer-code assignments',
  'coding_rule.file': 'Only an administrator or the enterprise itself may file its coding rules',
  'ledger.write': 'Only enterprise keys report traceability data',
  'upload.create': 'Only enterprise keys upload traceability data',
  'checkpoint.create': 'Only an administrator may take a checkpoint on demand',
  'checkpoint.read': 'Ledger checkpoints are for administrators and regulators',
  'ledger.verify': 'Ledger verification is for administrators and regulators',
};

/**
 * Whether the principal may do `action`; for `own` actions, `onEnterprise` is the enterprise acted on
 * (an enterprise key may act on itself only).
 */
export function allows(principal: Principal, action: Action, onEnterprise?: string): boolean {
  const rule: boolean | 'own' = ACTIONS[action][principal.kind];
  if (rule === 'own') return principal.kind === 'enterprise' && onEnterprise !== undefined && principal.enterpriseId === onEnterprise;
  return rule;
}

/** Throws 403 FORBIDDEN unless `allows`. */
export function requireAllowed(principal: Principal, action: Action, onEnterprise?: string): void {
  if (!allows(principal, action, onEnterprise)) throw forbidden(WHY_NOT[action] ?? 'This API key may not do that');
}

/** The part of the data a principal may read. */
export type ReadScope =
  | { kind: 'all' }
  | { kind: 'region'; prefix: string }
  | { kind: 'enterprise'; enterpriseId: string };

export function readScope(principal: Principal): ReadScope {
  switch (principal.kind) {
    case 'admin':
      return { kind: 'all' };
    case 'enterprise':
      return { kind: 'enterprise', enterpriseId: principal.enterpriseId };
    case 'regulator':
      return principal.regionPrefix ? { kind: 'region', prefix: principal.regionPrefix } : { kind: 'all' };
  }
}

/** Whether a region code (or a prefix, as a `region=` filter) lies within the scope's region prefix. */
export function regionWithin(scope: ReadScope, code: string | null): boolean {
  if (scope.kind !== 'region') return true;
  return code !== null && code.startsWith(scope.prefix);
}

/**
 * The region filter a query runs with: the caller's own limit, narrowed by a `region=` filter. `null` when the
 * two do not overlap (the answer is then empty, without a query), `undefined` when there is no region filter.
 */
export function effectiveRegion(scope: ReadScope, requested: string | undefined): string | null | undefined {
  if (scope.kind !== 'region') return requested;
  if (requested === undefined || scope.prefix.startsWith(requested)) return scope.prefix;
  return requested.startsWith(scope.prefix) ? requested : null;
}
