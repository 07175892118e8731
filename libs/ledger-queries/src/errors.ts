import { DomainException } from '#libs/common';

export enum LedgerQueryErrorCode {
  /** No such event, or one the caller may not see (the two are not told apart). */
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
  /** A reporter, counterparty or enterprise filter that names no enterprise. */
  UNKNOWN_ENTERPRISE = 'UNKNOWN_ENTERPRISE',
  /** A time filter that is well-formed but names no instant (30 February). */
  INVALID_INSTANT = 'INVALID_INSTANT',
}

export const LedgerQueryErrors = {
  eventNotFound: (id: string) =>
    new DomainException(LedgerQueryErrorCode.EVENT_NOT_FOUND, 'not_found', `No event ${id}`, [{ path: 'id', reason: 'no such event', id }]),
  unknownEnterprise: (path: string, value: string) =>
    new DomainException(LedgerQueryErrorCode.UNKNOWN_ENTERPRISE, 'invalid', `No enterprise ${value}`, [
      { path, reason: 'names no enterprise (give its id or USCC)', value },
    ]),
  invalidInstant: (path: string, value: string) =>
    new DomainException(LedgerQueryErrorCode.INVALID_INSTANT, 'invalid', `'${value}' is not a date or time that exists`, [
      { path, reason: 'not a date or time that exists', value },
    ]),
};

/** Chinese messages for the codes above (the lead wires them into Accept-Language: zh-CN). */
export const LEDGER_QUERIES_MESSAGES_ZH: Record<string, string> = {
  [LedgerQueryErrorCode.EVENT_NOT_FOUND]: '事件 {id} 不存在',
  [LedgerQueryErrorCode.UNKNOWN_ENTERPRISE]: '企业 {value} 不存在（请提供企业 ID 或统一社会信用代码）',
  [LedgerQueryErrorCode.INVALID_INSTANT]: '“{value}”不是存在的日期或时间',
};
