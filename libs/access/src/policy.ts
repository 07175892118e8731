import { CommonErrorCode, DomainException, type Principal } from '#libs/common';

/**
 * The access policy: who may do what, in one place. Services ask it; they do not compare principal kinds
 * themselves. Two questions:
 *
 * - `allow(principal, action)`: may this kind of caller do this at all? (Writes and admin tasks; a "no" is 403.)
 * - `readScope(principal)`: which part of the data may it read? Each resource turns the scope into its own
 *   condition (SQL in `sql.ts`), with one meaning per resource, written in README's "Who may do what":
 *     enterprises, uploads, audit entries, custody claims, an enterprise's outlet coverage and unregistered outlet
 *       ids: by the firm (its own; a regulator: firms registered in its region now or before; a claim: either party);
 *     events: the event's region (its own regionCode, else its reporter's registered region when it was uploaded);
 *       an enterprise: the events it reported or is named in;
 *     batteries (and their traces, passports, cascade products, residual tests): where the battery is or was (see
 *       batteries' visibility); an enterprise: the batteries it is party to (residual tests: those it made);
 *     outlets: the outlet's region; an enterprise: those it owns or is a partner of;
 *     reports: by their scope (scopeCovers): a firm's by the firm, a region's by the region.
 *   What is outside the scope is "not found" (404), never 403, so that an id's existence is not disclosed.
 *
 * Pure TypeScript: no Nest, no database.
 */

/**
 * Everything a caller may be allowed to do, by kind of caller. `own`: only for its own enterprise (or, for an outlet,
 * one of the enterprises that run it: its owner and co-builders).
 */
// prettier-ignore
export const ACTIONS = {
  'enterprise.create':              { admin: true,  enterprise: false, regulator: false },
  'enterprise.update':              { admin: true,  enterprise: 'own', regulator: false },
  /** The registered region decides which regulator sees a firm: only an administrator moves it (issue 13, item 5). */
  'enterprise.update_admin_fields': { admin: true,  enterprise: false, regulator: false },
  'api_key.manage':                 { admin: true,  enterprise: 'own', regulator: false },
  'regulator.manage':               { admin: true,  enterprise: false, regulator: false },
  'manufacturer_code.assign':       { admin: true,  enterprise: false, regulator: false },
  /** Allocations are national: regulators read them all; an enterprise its own. */
  'manufacturer_code.read':         { admin: true,  enterprise: 'own', regulator: true },
  'coding_rule.file':               { admin: true,  enterprise: 'own', regulator: false },
  /** Reporting events and registering batteries (POST /v1/events, /v1/batteries, event uploads). */
  'ledger.write':                   { admin: false, enterprise: true,  regulator: false },
  'upload.create':                  { admin: false, enterprise: true,  regulator: false },
  'checkpoint.create':              { admin: true,  enterprise: false, regulator: false },
  'checkpoint.read':                { admin: true,  enterprise: false, regulator: true },
  'ledger.verify':                  { admin: true,  enterprise: false, regulator: true },
  'events.read':                    { admin: true,  enterprise: true,  regulator: true },
  'audit_log.read':                 { admin: true,  enterprise: true,  regulator: true },
  /** Recomputing the audit log's checkpoints (GET /v1/audit/verify) and taking one on demand. */
  'audit_log.verify':               { admin: true,  enterprise: false, regulator: true },
  'audit_checkpoint.create':        { admin: true,  enterprise: false, regulator: false },
  'report.read':                    { admin: true,  enterprise: true,  regulator: true },
  /** Which scopes: scopeCovers (an enterprise about itself, a regulator within its region). */
  'report.generate':                { admin: true,  enterprise: true,  regulator: true },
  'report_schedule.read':           { admin: true,  enterprise: false, regulator: true },
  /** The working-day calendar's official years (PUT /v1/calendar/years/:year); any key reads the coverage. */
  'calendar.write':                 { admin: true,  enterprise: false, regulator: false },
  /** Registering an outlet, editing it, changing its status: an enterprise for the outlets it owns or co-builds. */
  'outlet.write':                   { admin: true,  enterprise: 'own', regulator: false },
  /** Recording an inspection: whoever may edit, and regulators (of the outlet's region: it must be readable first). */
  'outlet.inspect':                 { admin: true,  enterprise: 'own', regulator: true },
  'outlet.read':                    { admin: true,  enterprise: true,  regulator: true },
  'residual_test.record':           { admin: false, enterprise: true,  regulator: false },
  'grading_rules.write':            { admin: true,  enterprise: false, regulator: false },
  'cascade_product.assemble':       { admin: false, enterprise: true,  regulator: false },
  /** Confirming or disputing a custody claim: the enterprise the claim names as the sender (the service checks which). */
  'custody_claim.decide':           { admin: false, enterprise: true,  regulator: false },
  /** Prometheus metrics (/metrics) and the queue board (/admin/queues). */
  'operations.read':                { admin: true,  enterprise: false, regulator: false },
} as const satisfies Record<string, { admin: boolean; enterprise: boolean | 'own'; regulator: boolean }>;

export type Action = keyof typeof ACTIONS;

/**
 * The actions as a `*Rule` enum (each the same string): a refusal names its action as the `rule` of its detail, so
 * that the detail's reason is said in Chinese from ACCESS_MESSAGES_ZH, and test/i18n.e2e-spec.ts finds an action
 * without a Chinese text.
 */
export const AccessRule = Object.fromEntries(Object.keys(ACTIONS).map((a) => [a, a])) as { readonly [A in Action]: A };

export function isAction(name: string): name is Action {
  return Object.prototype.hasOwnProperty.call(ACTIONS, name);
}

/** Actions only enterprise keys take: their principal names the enterprise acting (see actingEnterprise). */
export type EnterpriseAction = {
  [A in Action]: (typeof ACTIONS)[A] extends { admin: false; regulator: false; enterprise: true } ? A : never;
}[Action];

export type EnterprisePrincipal = Extract<Principal, { kind: 'enterprise' }>;

/** Why a kind of caller may not do an action, in words a caller can act on. */
const WHY_NOT: Record<Action, string> = {
  'enterprise.create': 'Only an administrator may register enterprises',
  'enterprise.update': 'Only an administrator or the enterprise itself may edit its record',
  'enterprise.update_admin_fields': 'Only an administrator may change these fields',
  'api_key.manage': 'Only an administrator or the enterprise itself may manage its API keys',
  'regulator.manage': 'Only an administrator may manage regulator accounts and their keys',
  'manufacturer_code.assign': 'Only an administrator may record manufacturer-code assignments',
  'manufacturer_code.read': "An enterprise key reads only its own enterprise's manufacturer codes",
  'coding_rule.file': 'Only an administrator or the enterprise itself may file its coding rules',
  'ledger.write': 'Only enterprise keys report traceability data; administrators and regulators read it',
  'upload.create': 'Only enterprise keys upload traceability data',
  'checkpoint.create': 'Only an administrator may take a checkpoint on demand',
  'checkpoint.read': 'Ledger checkpoints are for administrators and regulators',
  'ledger.verify': 'Ledger verification is for administrators and regulators',
  'events.read': 'This API key may not query events',
  'audit_log.read': 'This API key may not read the audit log',
  'audit_log.verify': 'The audit log is checked by administrators and regulators',
  'audit_checkpoint.create': 'Only an administrator may take an audit checkpoint on demand',
  'report.read': 'This API key may not read reports',
  'report.generate': 'This API key may not request reports',
  'report_schedule.read': 'Report schedules are for administrators and regulators',
  'calendar.write': 'Only an administrator may add or revise a calendar year',
  'outlet.write': 'Outlets are registered and edited by an administrator or by the enterprises that own or co-build them (for themselves)',
  'outlet.inspect': 'Inspections are recorded by regulators, administrators, and the owner and co-builders of the outlet',
  'outlet.read': 'This API key may not read outlets',
  'residual_test.record': 'Only enterprises record residual-capacity tests',
  'grading_rules.write': 'Only an administrator may change the grading rules',
  'cascade_product.assemble': 'Only cascade utilisers assemble cascade products',
  'custody_claim.decide': 'Only the enterprise a claim names as the sender confirms or disputes it',
  'operations.read': 'Only an administrator key may see this',
};

/**
 * Whether the principal may do `action`; for `own` actions, `onEnterprise` is the enterprise acted on, or the
 * enterprises any of which may act (an enterprise key may act on itself only).
 */
export function allows(principal: Principal, action: Action, onEnterprise?: string | readonly string[]): boolean {
  const rule: boolean | 'own' = ACTIONS[action][principal.kind];
  if (rule !== 'own') return rule;
  if (principal.kind !== 'enterprise' || onEnterprise === undefined) return false;
  return typeof onEnterprise === 'string' ? principal.enterpriseId === onEnterprise : onEnterprise.includes(principal.enterpriseId);
}

/**
 * The 403 of a refused action: its detail names the action (`{ reason, action, rule }`; `rule` picks the Chinese text
 * of ACCESS_MESSAGES_ZH). With a reason of its own (a service's more specific one), no `rule`: the English reason
 * stays rather than a Chinese one that says something else.
 */
export function refusal(action: Action, reason?: string): DomainException {
  const detail = reason === undefined ? { reason: WHY_NOT[action], action, rule: action } : { reason, action };
  return new DomainException(CommonErrorCode.FORBIDDEN, 'forbidden', detail.reason, [detail]);
}

/** Throws 403 FORBIDDEN unless `allows`. */
export function requireAllowed(principal: Principal, action: Action, onEnterprise?: string | readonly string[]): void {
  if (!allows(principal, action, onEnterprise)) throw refusal(action);
}

/**
 * Throws 403 unless this kind of caller may do `action` to something (an `own` action: to its own enterprise). For a
 * refusal due before the thing acted on is looked up, so that the answer is the same whether it exists or not.
 */
export function requireKindAllowed(principal: Principal, action: Action): void {
  requireAllowed(principal, action, principal.kind === 'enterprise' ? principal.enterpriseId : undefined);
}

/** For an action only enterprise keys take: the enterprise principal acting, or null when the principal may not. */
export function actingEnterprise(principal: Principal, action: EnterpriseAction): EnterprisePrincipal | null {
  return principal.kind === 'enterprise' && allows(principal, action) ? principal : null;
}

/** actingEnterprise, or 403. */
export function requireActingEnterprise(principal: Principal, action: EnterpriseAction): EnterprisePrincipal {
  const firm = actingEnterprise(principal, action);
  if (!firm) throw refusal(action);
  return firm;
}

/** The reasons of refusals in Chinese, by action (registered in apps/api/src/messages.ts; `rule` of the detail). */
export const ACCESS_MESSAGES_ZH: Record<Action, string> = {
  'enterprise.create': '只有管理员可以登记企业',
  'enterprise.update': '只有管理员或企业本身可以修改企业信息',
  'enterprise.update_admin_fields': '只有管理员可以修改这些字段',
  'api_key.manage': '只有管理员或企业本身可以管理其 API 密钥',
  'regulator.manage': '只有管理员可以管理监管账户及其密钥',
  'manufacturer_code.assign': '只有管理员可以登记厂商代码分配',
  'manufacturer_code.read': '企业密钥只能查看本企业的厂商代码',
  'coding_rule.file': '只有管理员或企业本身可以备案其编码规则',
  'ledger.write': '只有企业密钥可以上报溯源数据；管理员和监管部门只能查询',
  'upload.create': '只有企业密钥可以上传溯源数据',
  'checkpoint.create': '只有管理员可以立即生成检查点',
  'checkpoint.read': '账本检查点仅供管理员和监管部门使用',
  'ledger.verify': '账本校验仅供管理员和监管部门使用',
  'events.read': '此 API 密钥不能查询事件',
  'audit_log.read': '此 API 密钥不能查询审计日志',
  'audit_log.verify': '审计日志校验仅供管理员和监管部门使用',
  'audit_checkpoint.create': '只有管理员可以立即生成审计检查点',
  'report.read': '此 API 密钥不能查看报告',
  'report.generate': '此 API 密钥不能申请报告',
  'report_schedule.read': '报告计划仅供管理员和监管部门查看',
  'calendar.write': '只有管理员可以新增或修订日历年度',
  'outlet.write': '回收网点只能由管理员或其所有企业、共建企业（为本企业）登记和修改',
  'outlet.inspect': '检查记录只能由监管部门、管理员以及网点的所有企业和共建企业登记',
  'outlet.read': '此 API 密钥不能查看回收网点',
  'residual_test.record': '只有企业可以登记剩余容量检测',
  'grading_rules.write': '只有管理员可以修改分级规则',
  'cascade_product.assemble': '只有梯次利用企业可以组装梯次产品',
  'custody_claim.decide': '只有认领所指名的交付方企业可以确认或提出异议',
  'operations.read': '只有管理员密钥可以查看此内容',
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

/**
 * Whether a caller's read scope covers all of a requested scope (what a report is about): all covers everything; an
 * enterprise only itself; a region prefix the regions within it and the firms registered there now or before —
 * `firmInRegion`, which the caller looks up (enterpriseInRegionSql) when a regional caller asks about a firm.
 */
export function scopeCovers(scope: ReadScope, target: ReadScope, firmInRegion = false): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'enterprise':
      return target.kind === 'enterprise' && target.enterpriseId === scope.enterpriseId;
    case 'region':
      return target.kind === 'region' ? target.prefix.startsWith(scope.prefix) : target.kind === 'enterprise' && firmInRegion;
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
