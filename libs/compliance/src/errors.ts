import { DomainException } from '#libs/common';

export enum ComplianceErrorCode {
  /** A calendar year an operator sent is not a plausible official schedule: details name each date and why. */
  INVALID_CALENDAR_YEAR = 'INVALID_CALENDAR_YEAR',
  REPORT_NOT_FOUND = 'REPORT_NOT_FOUND',
  /** The report is not finished (queued, running or failed): nothing to download yet. */
  REPORT_NOT_READY = 'REPORT_NOT_READY',
  /** The report's scope lies outside what the caller may see (another enterprise, another province). */
  REPORT_SCOPE_FORBIDDEN = 'REPORT_SCOPE_FORBIDDEN',
}

/** What a finding of the cascade obligations report that reads another module's records says (arts. 10, 15, 19). */
export enum CascadeFindingCode {
  CASCADE_SOURCE_WITHOUT_TEST_RECORD = 'CASCADE_SOURCE_WITHOUT_TEST_RECORD',
  CASCADE_SOURCE_GRADE_NOT_ALLOWING = 'CASCADE_SOURCE_GRADE_NOT_ALLOWING',
  CASCADE_PRODUCT_WITHOUT_LABEL_RECORD = 'CASCADE_PRODUCT_WITHOUT_LABEL_RECORD',
  CASCADE_PRODUCT_LABEL_INCOMPLETE = 'CASCADE_PRODUCT_LABEL_INCOMPLETE',
  CASCADE_ORIGINAL_CODES_NOT_LINKED = 'CASCADE_ORIGINAL_CODES_NOT_LINKED',
  CASCADE_OUTLET_COVERAGE_GAP = 'CASCADE_OUTLET_COVERAGE_GAP',
}

/** The findings' Chinese texts (in each finding row as `findingZh`, and in COMPLIANCE_MESSAGES_ZH). */
export const CASCADE_FINDINGS_ZH: Record<CascadeFindingCode, string> = {
  CASCADE_SOURCE_WITHOUT_TEST_RECORD: '组成梯次产品的废旧动力蓄电池没有本企业的余能检测记录（GB/T 34015）',
  CASCADE_SOURCE_GRADE_NOT_ALLOWING: '组成梯次产品的废旧动力蓄电池最近一次余能检测的分级不允许用于该应用领域',
  CASCADE_PRODUCT_WITHOUT_LABEL_RECORD: '梯次产品没有产品记录，无标识信息',
  CASCADE_PRODUCT_LABEL_INCOMPLETE: '梯次产品标识缺少必备信息',
  CASCADE_ORIGINAL_CODES_NOT_LINKED: '梯次产品未保留或未关联原动力蓄电池编码',
  CASCADE_OUTLET_COVERAGE_GAP: '梯次产品销往的地区没有与之匹配的报废梯次产品回收服务网点',
};

/** Chinese messages for the error codes (`{name}`: values also in the error's details). */
export const COMPLIANCE_MESSAGES_ZH: Record<string, string> = {
  INVALID_CALENDAR_YEAR: '{year} 年的工作日历无效：请提供国务院办公厅公布的放假和调休安排',
  REPORT_NOT_FOUND: '未找到报告 {reportId}',
  REPORT_NOT_READY: '报告 {reportId} 尚未生成完成（状态：{status}）',
  REPORT_SCOPE_FORBIDDEN: '无权查看该范围的报告：{scope}',
  ...CASCADE_FINDINGS_ZH,
};

export const ComplianceErrors = {
  invalidCalendarYear: (year: number, details: { path: string; reason: string }[]) =>
    new DomainException(
      ComplianceErrorCode.INVALID_CALENDAR_YEAR,
      'invalid',
      `The schedule for ${year} is not valid: ${details.map((d) => `${d.path}: ${d.reason}`).join('; ')}`,
      details.map((d) => ({ ...d, year })),
    ),
  reportNotFound: (reportId: string) =>
    new DomainException(ComplianceErrorCode.REPORT_NOT_FOUND, 'not_found', `No report ${reportId}`, [{ path: 'id', reason: 'no such report', reportId }]),
  reportNotReady: (reportId: string, status: string) =>
    new DomainException(ComplianceErrorCode.REPORT_NOT_READY, 'conflict', `Report ${reportId} is ${status}: nothing to download yet`, [
      { path: 'id', reason: `the report is ${status}`, reportId, status },
    ]),
  scopeForbidden: (scope: string, reason: string) =>
    new DomainException(ComplianceErrorCode.REPORT_SCOPE_FORBIDDEN, 'forbidden', `You may not see reports for ${scope}: ${reason}`, [
      { path: 'scope', reason, scope },
    ]),
};
