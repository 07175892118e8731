import type { ReasonPattern } from '#libs/common';
import { UploadErrorCode, UploadFailureCode } from './errors';

/** Chinese for the upload errors and the failures of a whole file (see the translation mechanism in libs/common). */
export const UPLOADS_MESSAGES_ZH: Readonly<Record<UploadErrorCode | UploadFailureCode, string>> = {
  [UploadErrorCode.UPLOAD_NOT_FOUND]: '上传 {id} 不存在',
  [UploadErrorCode.UPLOAD_TOO_LARGE]: '文件超过上传上限 {limit} 字节',
  [UploadErrorCode.UPLOAD_UNSUPPORTED_MEDIA_TYPE]: '不接受此文件类型：请以 multipart/form-data（字段 file）、text/csv 或 XLSX 上传 CSV 或 XLSX 文件',
  [UploadErrorCode.UPLOAD_MALFORMED_MULTIPART]: '无法读取 multipart 请求体：只接受 file 字段',
  [UploadErrorCode.UPLOAD_FILE_MISSING]: 'multipart 请求体中没有 file 部分',
  [UploadErrorCode.UPLOAD_FILE_EMPTY]: '文件为空',
  [UploadErrorCode.UPLOAD_ENTERPRISES_ONLY]: '只有企业的 API 密钥可以上传生命周期事件',
  [UploadErrorCode.UPLOAD_ABORTED]: '文件尚未传完，客户端已断开连接',
  [UploadErrorCode.UNKNOWN_UPLOAD_KIND]: '没有上传类型 {kind}',
  [UploadErrorCode.TEMPLATE_NOT_FOUND]: '没有模板 {type}：请使用 events 或某个事件类型',
  [UploadFailureCode.FILE_UNREADABLE]: '无法读取文件',
  [UploadFailureCode.UNSUPPORTED_TEXT_ENCODING]: 'CSV 文件既不是 UTF-8 也不是 GB18030/GBK：请另存为“CSV UTF-8（逗号分隔）”或上传 XLSX',
  [UploadFailureCode.NO_HEADER]: '文件没有表头行：第一个非空行必须是列名',
  [UploadFailureCode.UNKNOWN_COLUMNS]: '未知列 {column}：可用的列见 GET /v1/uploads/templates（中文列名见 ?lang=zh-CN）',
  [UploadFailureCode.DUPLICATE_COLUMNS]: '列 {path} 出现了不止一次',
  [UploadFailureCode.MISSING_COLUMNS]: '缺少必填列 {path}',
  [UploadFailureCode.PROCESSING_FAILED]: '处理失败',
};

const t = "'(?<text>.*)'";
/** The row-mapping reasons of uploads (a cell that cannot be read), which carry no rule code. */
export const UPLOAD_CELL_REASON_PATTERNS_ZH: readonly ReasonPattern[] = [
  { pattern: /^has a value but no column header$/, zh: '有值但没有列名' },
  { pattern: /^required$/, zh: '必填' },
  { pattern: /^required column$/, zh: '必填列' },
  { pattern: new RegExp(`^${t} is not an event type; use one of (?<types>.*)$`), zh: '“{text}”不是事件类型；可用：{types}' },
  { pattern: new RegExp(`^does not apply to ${t} events; leave it empty$`), zh: '不适用于“{text}”事件，请留空' },
  { pattern: new RegExp(`^${t} is not a date \\(write YYYY-MM-DD\\)$`), zh: '“{text}”不是日期（请写 YYYY-MM-DD）' },
  { pattern: new RegExp(`^${t} is not a calendar date$`), zh: '“{text}”不是存在的日期' },
  { pattern: new RegExp(`^${t} is not a date-time .*$`), zh: '“{text}”不是日期时间（请写 YYYY-MM-DDTHH:MM:SS+08:00，或北京时间 YYYY-MM-DD HH:MM）' },
  { pattern: new RegExp(`^${t} is not a time of day$`), zh: '“{text}”不是有效的时刻' },
  { pattern: /^the cell holds the spreadsheet error (?<e>.*)$/, zh: '单元格是表格错误值 {e}' },
  { pattern: new RegExp(`^${t} is not one of (?<values>.*)$`), zh: '“{text}”不是以下值之一：{values}' },
  { pattern: /^(?<v>.*) is not a (?:finite )?number$/, zh: '{v} 不是数字' },
  { pattern: /^(?<v>.*) is not a whole number$/, zh: '{v} 不是整数' },
  { pattern: /^(?<v>.*) is not a yes\/no value .*$/, zh: '{v} 不是“是/否”值（true/false、1/0、是/否）' },
  { pattern: /^is a date; expected text .*$/, zh: '是日期；应为文本（请将单元格设为文本格式）' },
  { pattern: /^is not a valid date$/, zh: '不是有效的日期' },
];
