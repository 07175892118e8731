import { CodesErrorCode, RegistrationIssueCode } from './errors';

/** Chinese for the code registry's errors and registration findings (see the translation mechanism in libs/common). */
export const CODES_MESSAGES_ZH: Readonly<Record<CodesErrorCode | RegistrationIssueCode, string>> = {
  [CodesErrorCode.INVALID_BATTERY_CODE]: '{input} 不是有效的 GB/T 34014 电池编码：见 details 中每个位置的错误',
  [CodesErrorCode.MANUFACTURER_CODE_TAKEN]: '厂商代码 {code} 已分配给 {holderName}',
  [CodesErrorCode.UNKNOWN_ENTERPRISE]: '企业 {id} 不存在',
  [CodesErrorCode.ENTERPRISE_NOT_ELIGIBLE]: '厂商代码只分配给电池生产企业（battery_maker）或梯次利用企业（cascade_utiliser）',
  [CodesErrorCode.MANUFACTURER_CODE_NOT_HELD]: '厂商代码 {code} 未分配给企业 {enterpriseId}',
  [CodesErrorCode.BARCODE_FAILED]: '无法将该编码生成为 {symbology} 条码',
  [RegistrationIssueCode.MANUFACTURER_CODE_OF_ANOTHER_ENTERPRISE]: '厂商代码 {manufacturerCode}（第 1-3 位）已分配给其他企业',
  [RegistrationIssueCode.MANUFACTURER_CODE_UNASSIGNED]: '厂商代码 {manufacturerCode}（第 1-3 位）尚未分配给任何企业',
  [RegistrationIssueCode.SPECIFICATION_CODE_UNFILED]:
    '厂商代码 {manufacturerCode} 的规格代码 {specificationCode}（第 6-7 位）在生产日期 {productionDate} 没有生效的编码规则备案',
  [RegistrationIssueCode.CODING_RULE_MISMATCH]: '{field} 为 {found}，与备案的编码规则（{filed}）不一致',
};
