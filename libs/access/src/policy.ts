import { CommonErrorCode, DomainException, type Principal } from '#libs/common';

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

/**
 * Throws 403 FORBIDDEN unless `allows`. The detail names the action (`{ reason, action }`), so that a translation can
 * pick ACCESS_MESSAGES_ZH[action].
 */
export function requireAllowed(principal: Principal, action: Action, onEnterprise?: string): void {
  if (allows(principal, action, onEnterprise)) return;
  const reason = WHY_NOT[action] ?? 'This API key may not do that';
  throw new DomainException(CommonErrorCode.FORBIDDEN, 'forbidden', reason, [{ reason, action }]);
}

/** The reasons of requireAllowed in Chinese, by action (the lead wires them into Accept-Language: zh-CN). */
export const ACCESS_MESSAGES_ZH: Record<Action, string> = {
  'enterprise.create': '只有管理员可以登记企业',
  'enterprise.update': '只有管理员或企业本身可以修改企业信息',
  'enterprise.update_admin_fields': '只有管理员可以修改这些字段',
  'api_key.manage': '只有管理员或企业本身可以管理其 API 密钥',
  'regulator.manage': '只有管理员可以管理监管账户及其密钥',
  'manufacturer_code.assign': '只有管理员可以登记厂商代码分配',
  'coding_rule.file': '只有管理员或企业本身可以备案其编码规则',
  'ledger.write': '只有企业密钥可以上报溯源数据',
  'upload.create': '只有企业密钥可以上传溯源数据',
  'checkpoint.create': '只有管理员可以立即生成检查点',
  'checkpoint.read': '账本检查点仅供管理员和监管部门使用',
  'ledger.verify': '账本校验仅供管理员和监管部门使用',
  'events.read': '此 API 密钥不能查询事件',
  'audit_log.read': '此 API 密钥不能查询审计日志',
  'report.read': '此 API 密钥不能查看报告',
  'report.generate': '此 API 密钥不能生成报告',
  'outlet.write': '此 API 密钥不能修改回收网点',
  'outlet.read': '此 API 密钥不能查看回收网点',
};

/** The part of the data a principal may read. */
export type ReadScope = { kind: 'all' } | { kind: 'region'; prefix: string } | { kind: 'enterprise'; enterpriseId: string };

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
