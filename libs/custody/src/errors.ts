import type { ErrorDetail } from '#libs/common';
import { DomainException } from '#libs/common';

export enum CustodyErrorCode {
  /** No claim with this id that the caller may see (the same answer whether it exists or not). */
  CLAIM_NOT_FOUND = 'CLAIM_NOT_FOUND',
  /** Only the enterprise a claim names as the sender confirms or disputes it. */
  NOT_THE_SENDER = 'NOT_THE_SENDER',
  /** The claim was confirmed or disputed already: a decision is final. */
  CLAIM_DECIDED = 'CLAIM_DECIDED',
  /** The ledger refused the receipt on confirmation (the sender no longer holds the batteries, their status moved on, …). */
  CLAIM_NOT_APPLICABLE = 'CLAIM_NOT_APPLICABLE',
}

export const CustodyErrors = {
  notFound: (id: string) =>
    new DomainException(CustodyErrorCode.CLAIM_NOT_FOUND, 'not_found', `No custody claim ${id} that you may see`, [
      { path: 'id', reason: 'no such claim', claimId: id },
    ]),
  notTheSender: () =>
    new DomainException(CustodyErrorCode.NOT_THE_SENDER, 'forbidden', 'Only the enterprise the claim names as the sender may confirm or dispute it'),
  decided: (decision: string, at: string) =>
    new DomainException(CustodyErrorCode.CLAIM_DECIDED, 'conflict', `The claim was ${decision} at ${at}: a decision is final`, [
      { path: 'id', reason: `already ${decision}`, decision, decidedAt: at },
    ]),
  notApplicable: (details: ErrorDetail[]) =>
    new DomainException(
      CustodyErrorCode.CLAIM_NOT_APPLICABLE,
      'conflict',
      'The receipt cannot be recorded now: see details (the claim stays open; dispute it if it is wrong)',
      details,
    ),
};

/** Chinese messages of this lib's error codes (the lead wires them into Accept-Language: zh-CN). */
export const CUSTODY_MESSAGES_ZH: Record<string, string> = {
  [CustodyErrorCode.CLAIM_NOT_FOUND]: '不存在您可查看的交接确认申请 {claimId}',
  [CustodyErrorCode.NOT_THE_SENDER]: '只有申请中所列的移交方企业可以确认或否认该申请',
  [CustodyErrorCode.CLAIM_DECIDED]: '该申请已于 {decidedAt} {decision}，处理结果不可更改',
  [CustodyErrorCode.CLAIM_NOT_APPLICABLE]: '目前无法记录该接收事件（详见明细）；申请仍待处理，如有误请否认',
};
