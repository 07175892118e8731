import { CommonErrorCode } from './errors';
import type { MessageCatalogue, ReasonPattern } from './i18n';

/** Chinese for the transport-level error codes (see i18n.ts). */
export const COMMON_MESSAGES_ZH: MessageCatalogue = {
  [CommonErrorCode.VALIDATION_FAILED]: '请求无效：请查看 details 中每个字段的原因',
  [CommonErrorCode.MALFORMED_REQUEST]: '请求格式错误',
  [CommonErrorCode.UNAUTHENTICATED]: '需要有效的 API 密钥（Authorization: Bearer <密钥>）',
  [CommonErrorCode.FORBIDDEN]: '此 API 密钥无权执行该操作',
  [CommonErrorCode.NOT_FOUND]: '未找到',
  [CommonErrorCode.ROUTE_NOT_FOUND]: '没有此路由：{method} {path}',
  [CommonErrorCode.PAYLOAD_TOO_LARGE]: '请求体超过大小上限',
  [CommonErrorCode.UNSUPPORTED_MEDIA_TYPE]: '不支持的内容类型',
  [CommonErrorCode.RATE_LIMITED]: '请求过于频繁，请稍后再试',
  [CommonErrorCode.INVALID_CURSOR]: '分页游标无效：请使用上一页返回的 nextCursor',
  [CommonErrorCode.SERVICE_UNAVAILABLE]: '依赖的服务不可用',
  [CommonErrorCode.INTERNAL_ERROR]: '服务器内部错误',
};

const field = '(?<field>[\\w.\\[\\]]+)';
const each = '(?:each value in )?';

/**
 * class-validator's English messages (the defaults of the decorators our DTOs use, and our own validators'), by
 * pattern: they carry the field name and the constraint in the text, and VALIDATION_FAILED details have no rule code.
 */
export const VALIDATION_REASON_PATTERNS_ZH: readonly ReasonPattern[] = [
  { pattern: new RegExp(`^property ${field} should not exist$`), zh: '{field} 不是可接受的字段' },
  { pattern: /^must not be null: leave the field out instead$/, zh: '不能为 null：不需要时请省略该字段' },
  { pattern: new RegExp(`^${each}${field} must be a string$`), zh: '{field} 必须是字符串' },
  { pattern: new RegExp(`^${each}${field} must be a boolean value$`), zh: '{field} 必须是 true 或 false' },
  { pattern: new RegExp(`^${field} must be true or false$`), zh: '{field} 必须是 true 或 false' },
  { pattern: new RegExp(`^${each}${field} must be an array$`), zh: '{field} 必须是数组' },
  { pattern: new RegExp(`^${each}${field} must be an object$`), zh: '{field} 必须是对象' },
  { pattern: new RegExp(`^nested property ${field} must be either object or array$`), zh: '{field} 必须是对象或数组' },
  { pattern: new RegExp(`^${each}${field} must be an email$`), zh: '{field} 必须是电子邮件地址' },
  { pattern: new RegExp(`^${each}${field} must be a UUID$`), zh: '{field} 必须是 UUID' },
  { pattern: new RegExp(`^${each}${field} must be an integer number$`), zh: '{field} 必须是整数' },
  { pattern: new RegExp(`^${each}${field} must be a number conforming to the specified constraints$`), zh: '{field} 必须是数字' },
  { pattern: new RegExp(`^${each}${field} must be a positive number$`), zh: '{field} 必须是正数' },
  { pattern: new RegExp(`^${each}${field} must not be greater than (?<n>\\S+)$`), zh: '{field} 不能大于 {n}' },
  { pattern: new RegExp(`^${each}${field} must not be less than (?<n>\\S+)$`), zh: '{field} 不能小于 {n}' },
  { pattern: new RegExp(`^${each}${field} must be one of the following values: (?<values>.*)$`), zh: '{field} 必须是以下值之一：{values}' },
  { pattern: new RegExp(`^${each}${field} must be shorter than or equal to (?<n>\\d+) characters$`), zh: '{field} 最多 {n} 个字符' },
  { pattern: new RegExp(`^${each}${field} must be longer than or equal to (?<n>\\d+) characters$`), zh: '{field} 至少 {n} 个字符' },
  {
    pattern: new RegExp(`^${each}${field} must be longer than or equal to (?<min>\\d+) and shorter than or equal to (?<max>\\d+) characters$`),
    zh: '{field} 必须为 {min} 到 {max} 个字符',
  },
  { pattern: new RegExp(`^${each}${field} must match (?<re>.*) regular expression$`), zh: '{field} 格式不符合 {re}' },
  { pattern: new RegExp(`^${each}${field} must contain no more than (?<n>\\d+) elements$`), zh: '{field} 最多 {n} 项' },
  { pattern: new RegExp(`^${each}${field} must contain at least (?<n>\\d+) elements$`), zh: '{field} 至少 {n} 项' },
  { pattern: new RegExp(`^${each}${field} should not be empty$`), zh: '{field} 不能为空' },
  { pattern: new RegExp(`^${each}${field} should not be null or undefined$`), zh: '{field} 为必填项' },
  { pattern: new RegExp(`^All ${field}'s elements must be unique$`), zh: '{field} 的各项不能重复' },
  { pattern: new RegExp(`^${field} must have at most (?<n>\\d+) decimal places$`), zh: '{field} 最多 {n} 位小数' },
  { pattern: new RegExp(`^${field} must be a date YYYY-MM-DD that exists$`), zh: '{field} 必须是存在的日期（YYYY-MM-DD）' },
  { pattern: new RegExp(`^${field} must be YYYY-MM-DD$`), zh: '{field} 必须是日期（YYYY-MM-DD）' },
  { pattern: new RegExp(`^${field} must be (?<n>\\d) characters 0-9 or A-Z$`), zh: '{field} 必须是 {n} 个字符（0-9 或 A-Z）' },
  { pattern: new RegExp(`^${field} must be three characters 0-9 or A-Z$`), zh: '{field} 必须是 3 个字符（0-9 或 A-Z）' },
  { pattern: new RegExp(`^${field} must be two characters 0-9 or A-Z$`), zh: '{field} 必须是 2 个字符（0-9 或 A-Z）' },
  { pattern: new RegExp(`^${field} must be a 6-digit GB/T 2260 code$`), zh: '{field} 必须是 6 位 GB/T 2260 行政区划代码' },
  { pattern: new RegExp(`^${field} must be 2, 4 or 6 digits of a GB/T 2260 code$`), zh: '{field} 必须是 GB/T 2260 行政区划代码的 2、4 或 6 位' },
  { pattern: new RegExp(`^${field} must be up to 6 digits$`), zh: '{field} 最多 6 位数字' },
  { pattern: new RegExp(`^${field} must be a 3-character manufacturer code$`), zh: '{field} 必须是 3 个字符的厂商代码' },
  {
    pattern: new RegExp(`^${field} must be an enterprise id \\(UUID\\) or a USCC \\(18 characters\\)$`),
    zh: '{field} 必须是企业 ID（UUID）或统一社会信用代码（18 位）',
  },
  { pattern: new RegExp(`^${field} is required for original products$`), zh: '原始产品（24 位编码）必须填写 {field}' },
  { pattern: new RegExp(`^${field} is required for cascade products$`), zh: '梯次利用产品（19 位编码）必须填写 {field}' },
];
