/**
 * The cascade rules of the 2021 measures (梯次利用管理办法, 工信部联节〔2021〕114号) this service enforces. Each
 * rejection names its rule and article; the codes are also the ledger rules of the event checks.
 */
export enum CascadeRule {
  /** Art. 10: every source has a residual test (GB/T 34015) whose grade allows the product's application. */
  SOURCE_NOT_QUALIFIED = 'CASCADE_SOURCE_NOT_QUALIFIED',
  /** Art. 12: the firm holds a manufacturer code (厂商代码), and a cascade code carries one of its own. */
  NO_MANUFACTURER_CODE = 'CASCADE_NO_MANUFACTURER_CODE',
  /** Art. 15: every source is an original battery whose code the product retains and links. */
  ORIGINAL_CODE_REQUIRED = 'CASCADE_ORIGINAL_CODE_REQUIRED',
  /** Art. 15: an original code is retained by one product only: a source is used once. */
  SOURCE_ALREADY_USED = 'CASCADE_SOURCE_ALREADY_USED',
  /** Art. 15: a source stays in its product (its code retained there): no event may name it again and take it out. */
  SOURCE_IN_PRODUCT = 'CASCADE_SOURCE_IN_PRODUCT',
  /** Art. 15: a product ships only with every label field. */
  LABEL_INCOMPLETE = 'CASCADE_LABEL_INCOMPLETE',
  /** Art. 15: a cascade product assembled without a product record (POST /v1/events) has no label data. */
  LABEL_UNKNOWN = 'CASCADE_LABEL_UNKNOWN',
  /** Art. 20: waste (scrapped cascade products, testing scrap) goes only to whitelisted recyclers. */
  WASTE_TO_NON_WHITELISTED = 'CASCADE_WASTE_TO_NON_WHITELISTED',
}

export const ARTICLES: Record<CascadeRule, string> = {
  [CascadeRule.SOURCE_NOT_QUALIFIED]: '梯次利用管理办法 art. 10',
  [CascadeRule.NO_MANUFACTURER_CODE]: '梯次利用管理办法 art. 12',
  [CascadeRule.ORIGINAL_CODE_REQUIRED]: '梯次利用管理办法 art. 15',
  [CascadeRule.SOURCE_ALREADY_USED]: '梯次利用管理办法 art. 15',
  [CascadeRule.SOURCE_IN_PRODUCT]: '梯次利用管理办法 art. 15',
  [CascadeRule.LABEL_INCOMPLETE]: '梯次利用管理办法 art. 15',
  [CascadeRule.LABEL_UNKNOWN]: '梯次利用管理办法 art. 15',
  [CascadeRule.WASTE_TO_NON_WHITELISTED]: '梯次利用管理办法 art. 20',
};
