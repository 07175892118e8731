import { BatteryErrorCode } from './errors';

/** Chinese for the registry's read-side errors (see the translation mechanism in libs/common). */
export const BATTERIES_MESSAGES_ZH: Readonly<Record<BatteryErrorCode, string>> = {
  [BatteryErrorCode.BATTERY_NOT_FOUND]: '电池 {code} 不存在，或您无权查看',
  [BatteryErrorCode.INVALID_BATTERY_CODE]: '{input} 不是有效的 GB/T 34014 电池编码',
  [BatteryErrorCode.UNKNOWN_HOLDER]: '没有企业 {holder}（请填写企业 ID 或统一社会信用代码）',
};
