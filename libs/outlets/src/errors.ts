import { DomainException } from '#libs/common';
import type { RuleViolation } from './domain/rules';

export enum OutletsErrorCode {
  OUTLET_NOT_FOUND = 'OUTLET_NOT_FOUND',
  /** The outlet breaks a facility rule of the outlet guide: `details` names each rule and its source. */
  OUTLET_RULE_VIOLATION = 'OUTLET_RULE_VIOLATION',
  /** The owner already has an outlet with this code. */
  OUTLET_CODE_TAKEN = 'OUTLET_CODE_TAKEN',
  /** A body field names an enterprise that does not exist. */
  UNKNOWN_ENTERPRISE = 'UNKNOWN_ENTERPRISE',
  /** The status change is not allowed from the outlet's current status (a closed outlet stays closed). */
  OUTLET_STATUS_TRANSITION = 'OUTLET_STATUS_TRANSITION',
  /** A date in a status change or inspection is before the outlet opened or before its last change. */
  OUTLET_DATE_ORDER = 'OUTLET_DATE_ORDER',
  /** The enterprise has none of the roles with an outlet coverage duty. */
  NO_COVERAGE_DUTY = 'NO_COVERAGE_DUTY',
  /** An administrator registering an outlet must name its owner (an enterprise key registers its own). */
  OUTLET_OWNER_REQUIRED = 'OUTLET_OWNER_REQUIRED',
}

/**
 * Ledger rejection rules of the outlet checks (EVENT_CHECKS): an outlet event must name an outlet of the reporter
 * that is active on the event's date.
 */
export enum OutletEventRule {
  OUTLET_ID_REQUIRED = 'OUTLET_ID_REQUIRED',
  OUTLET_UNREGISTERED = 'OUTLET_UNREGISTERED',
  OUTLET_NOT_REPORTERS = 'OUTLET_NOT_REPORTERS',
  OUTLET_NOT_ACTIVE = 'OUTLET_NOT_ACTIVE',
  /** A warning, never a rejection: the receipt takes the outlet's stock beyond its limit. */
  OUTLET_OVER_LIMIT = 'OUTLET_OVER_LIMIT',
}

export const OutletsErrors = {
  notFound: (id: string) =>
    new DomainException(OutletsErrorCode.OUTLET_NOT_FOUND, 'not_found', `No outlet ${id}`, [{ path: 'id', reason: 'no such outlet', id }]),
  ruleViolations: (violations: RuleViolation[], ruleSet: string, prefix = '') =>
    new DomainException(
      OutletsErrorCode.OUTLET_RULE_VIOLATION,
      'invalid',
      `The outlet breaks ${violations.length} rule(s) of ${ruleSet}: ${violations.map((v) => v.reason).join('; ')}`,
      violations.map((v) => ({
        path: prefix + v.path,
        reason: v.reason,
        rule: v.rule,
        source: v.source,
        draft: v.draft,
        limit: v.limit,
        found: v.found,
        ruleSet,
      })),
    ),
  codeTaken: (code: string, existingId: string) =>
    new DomainException(OutletsErrorCode.OUTLET_CODE_TAKEN, 'conflict', `The owner already has an outlet with code '${code}' (${existingId})`, [
      { path: 'code', reason: 'already used by another outlet of the owner', code, outletId: existingId },
    ]),
  unknownEnterprise: (id: string, path: string) =>
    new DomainException(OutletsErrorCode.UNKNOWN_ENTERPRISE, 'invalid', `No enterprise ${id}`, [{ path, reason: 'no such enterprise', id }]),
  statusTransition: (from: string, to: string) =>
    new DomainException(OutletsErrorCode.OUTLET_STATUS_TRANSITION, 'conflict', `An outlet that is '${from}' cannot become '${to}'`, [
      { path: 'status', reason: from === to ? `the outlet is already '${from}'` : 'a closed outlet stays closed', from, to },
    ]),
  dateOrder: (path: string, date: string, earliest: string, what: string) =>
    new DomainException(OutletsErrorCode.OUTLET_DATE_ORDER, 'invalid', `${path} ${date} is before ${what} (${earliest})`, [
      { path, reason: `must not be before ${what} (${earliest})`, date, earliest },
    ]),
  ownerRequired: () =>
    new DomainException(OutletsErrorCode.OUTLET_OWNER_REQUIRED, 'invalid', "An administrator must name the outlet's owner (ownerEnterpriseId)", [
      { path: 'ownerEnterpriseId', reason: 'required when an administrator registers an outlet' },
    ]),
  noCoverageDuty: (id: string, roles: string[]) =>
    new DomainException(
      OutletsErrorCode.NO_COVERAGE_DUTY,
      'invalid',
      `Enterprise ${id} has roles [${roles.join(', ')}]: outlet coverage is assessed for vehicle makers, battery makers and cascade utilisers`,
      [{ path: 'id', reason: 'needs the role vehicle_maker, battery_maker or cascade_utiliser', roles: roles.join(', ') }],
    ),
};

/** Chinese messages of this lib's error codes and ledger rules (the lead wires them into Accept-Language: zh-CN). */
export const OUTLETS_MESSAGES_ZH: Record<string, string> = {
  OUTLET_NOT_FOUND: '回收服务网点 {id} 不存在',
  OUTLET_RULE_VIOLATION: '网点不符合《新能源汽车动力蓄电池回收服务网点建设和运营指南》的要求',
  OUTLET_CODE_TAKEN: '该企业已有编号为 {code} 的网点',
  UNKNOWN_ENTERPRISE: '企业 {id} 不存在',
  OUTLET_STATUS_TRANSITION: '网点状态不能从 {from} 变更为 {to}（已关闭的网点不能重新启用）',
  OUTLET_DATE_ORDER: '日期 {date} 早于 {earliest}',
  OUTLET_OWNER_REQUIRED: '管理员登记网点时须注明网点所属企业（ownerEnterpriseId）',
  NO_COVERAGE_DUTY: '该企业不是整车企业、电池生产企业或梯次利用企业，无网点覆盖要求',
  OUTLET_COLLECTION_MIN_AREA: '收集型网点贮存面积不得低于 {limit} 平方米（实际 {found}）',
  OUTLET_COLLECTION_MAX_STOCK: '收集型网点贮存量不得超过 {limit} 吨（实际 {found}）',
  OUTLET_STORAGE_MIN_CAPACITY: '集中贮存型网点贮存能力不得低于 {limit} 吨（实际 {found}）',
  OUTLET_ID_REQUIRED: '回收入库/移交出库事件须在 payload.outletId 中注明本企业的回收服务网点',
  OUTLET_UNREGISTERED: '网点 {outletId} 未在网点登记系统中登记',
  OUTLET_NOT_REPORTERS: '网点 {outletId} 不是上报企业自建、共建或受托的网点',
  OUTLET_NOT_ACTIVE: '网点 {outletId} 在事件日期 {date} 不处于运营状态',
  OUTLET_OVER_LIMIT: '网点 {outletId} 入库后库存 {stockT} 吨超过上限 {limitT} 吨',
};
