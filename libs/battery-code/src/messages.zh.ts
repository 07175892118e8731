import type { CodeErrorCode, Segment } from './codec';

/**
 * Chinese for the codec's position errors (`code` of each detail), and for the segment names filled into them
 * (`segment:<name>`, see the translation mechanism in libs/common). Pure data.
 */
export const BATTERY_CODE_MESSAGES_ZH: Readonly<Record<CodeErrorCode | `segment:${Segment}`, string>> = {
  INVALID_LENGTH: '长度不符（{segment}，自第 {position} 位）：{found}；原始编码为 24 位，梯次利用编码为 19 位',
  INVALID_CHARACTER: '第 {position} 位（{segment}）：{found} 不是此位置允许的字符',
  IMPOSSIBLE_DATE: '第 {position} 位起（{segment}）：{found} 表示的日期不存在',
  FUTURE_DATE: '第 {position} 位起（生产日期）：{found} 晚于今天',
  YEAR_OUT_OF_RANGE: '第 {position} 位（年份）：{found} 没有对应的年份代码',
  INVALID_VALUE: '{segment}：取值无效（{found}）',
  UNEXPECTED_SEGMENT: '{segment}：此编码形式没有该字段（{found}）',
  'segment:input': '输入',
  'segment:length': '长度',
  'segment:manufacturer': '厂商代码',
  'segment:productType': '产品类型代码',
  'segment:batteryType': '电池类型代码',
  'segment:specification': '规格代码',
  'segment:traceability': '追溯信息代码',
  'segment:year': '年',
  'segment:month': '月',
  'segment:day': '日',
  'segment:date': '生产日期',
  'segment:serial': '序列号',
  'segment:cascadeMarker': '梯次利用标识',
  'segment:cascadeLevel': '梯次利用级别',
};
