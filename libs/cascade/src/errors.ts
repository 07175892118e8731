import type { ErrorDetail } from '#libs/common';
import { DomainException } from '#libs/common';
import { ARTICLES, CascadeRule } from './domain/rules';

export enum CascadeErrorCode {
  /** A rule of the 2021 measures refuses the product: `details` name the rule, the article and the field. */
  CASCADE_RULE_BROKEN = 'CASCADE_RULE_BROKEN',
  /** The ledger refused the cascade_assembled event (custody, state): `details` carry its reasons. */
  CASCADE_ASSEMBLY_REJECTED = 'CASCADE_ASSEMBLY_REJECTED',
  CASCADE_CODE_TAKEN = 'CASCADE_CODE_TAKEN',
  CASCADE_PRODUCT_NOT_FOUND = 'CASCADE_PRODUCT_NOT_FOUND',
  CASCADE_SERIALS_EXHAUSTED = 'CASCADE_SERIALS_EXHAUSTED',
  LABEL_RENDER_FAILED = 'LABEL_RENDER_FAILED',
}

/** Chinese messages of the error codes and of the cascade rules (for Accept-Language: zh-CN). */
export const CASCADE_MESSAGES_ZH: Record<string, string> = {
  CASCADE_RULE_BROKEN: '不符合《新能源汽车动力蓄电池梯次利用管理办法》：{reason}',
  CASCADE_ASSEMBLY_REJECTED: '梯次利用产品组装事件未被接受：{reason}',
  CASCADE_CODE_TAKEN: '梯次利用产品编码 {code} 已被使用',
  CASCADE_PRODUCT_NOT_FOUND: '未找到梯次利用产品 {code}',
  CASCADE_SERIALS_EXHAUSTED: '厂商代码 {manufacturerCode} 的梯次利用产品序列号已用尽',
  LABEL_RENDER_FAILED: '标签无法生成：{reason}',
  [CascadeRule.SOURCE_NOT_QUALIFIED]: '第十条：{code} 没有允许用于 {application} 的余能检测结论',
  [CascadeRule.NO_MANUFACTURER_CODE]: '第十二条：企业须申请厂商代码，梯次利用产品编码须使用本企业的厂商代码',
  [CascadeRule.ORIGINAL_CODE_REQUIRED]: '第十五条：来源电池须为保留原编码的原动力蓄电池（24位编码）：{code}',
  [CascadeRule.SOURCE_ALREADY_USED]: '第十五条：原动力蓄电池 {code} 已用于梯次利用产品 {usedIn}',
  [CascadeRule.SOURCE_IN_PRODUCT]: '第十五条：{code} 已组装进梯次利用产品 {product}，已退出流通，不得再单独上报',
  [CascadeRule.LABEL_INCOMPLETE]: '第十五条：产品标识缺少 {field}，不得出库',
  [CascadeRule.LABEL_UNKNOWN]: '第十五条：梯次利用产品 {code} 没有产品标识记录',
  [CascadeRule.WASTE_TO_NON_WHITELISTED]: '第二十条：报废的梯次利用产品及废旧电池须移交符合规范条件（白名单）的再生利用企业，{name} 不在名单内',
};

/** A rule's detail: path, reason, the rule and its article (and any values for the translation). */
export function ruleDetail(rule: CascadeRule, path: string, reason: string, extra: Record<string, unknown> = {}): ErrorDetail {
  return { path, rule, article: ARTICLES[rule], reason: `${ARTICLES[rule]}: ${reason}`, ...extra };
}

export const CascadeErrors = {
  ruleBroken: (details: ErrorDetail[]) =>
    new DomainException(
      CascadeErrorCode.CASCADE_RULE_BROKEN,
      'invalid',
      `The cascade product breaks the 2021 measures: ${details.map((d) => d.reason).join('; ')}`,
      details,
    ),
  assemblyRejected: (details: ErrorDetail[]) =>
    new DomainException(
      CascadeErrorCode.CASCADE_ASSEMBLY_REJECTED,
      'invalid',
      `The ledger refused the cascade_assembled event: ${details.map((d) => `${d.path}: ${d.reason}`).join('; ')}`,
      details,
    ),
  codeTaken: (code: string) =>
    new DomainException(CascadeErrorCode.CASCADE_CODE_TAKEN, 'conflict', `Cascade code ${code} is already registered`, [
      { path: 'cascadeCode', reason: 'already registered', code },
    ]),
  notFound: (code: string) =>
    new DomainException(CascadeErrorCode.CASCADE_PRODUCT_NOT_FOUND, 'not_found', `No cascade product ${code}`, [
      { path: 'code', reason: 'no such cascade product', code },
    ]),
  serialsExhausted: (manufacturerCode: string) =>
    new DomainException(CascadeErrorCode.CASCADE_SERIALS_EXHAUSTED, 'conflict', `No cascade serial numbers left under ${manufacturerCode}`, [
      { path: 'manufacturerCode', reason: 'serials exhausted', manufacturerCode },
    ]),
  renderFailed: (reason: string) =>
    new DomainException(CascadeErrorCode.LABEL_RENDER_FAILED, 'invalid', `The label cannot be rendered: ${reason}`, [{ path: 'format', reason }]),
};
