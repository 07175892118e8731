import { DomainException, ErrorDetail } from '#libs/common';

export enum LedgerErrorCode {
  /** POST /v1/batteries: the registration broke a rule (details name each battery and rule). */
  REGISTRATION_REJECTED = 'REGISTRATION_REJECTED',
  /** POST /v1/batteries: a battery is already registered with different attributes or by another enterprise. */
  ALREADY_REGISTERED = 'ALREADY_REGISTERED',
  TOO_MANY_EVENTS = 'TOO_MANY_EVENTS',
}

export const LedgerErrors = {
  registrationRejected: (details: ErrorDetail[]) =>
    new DomainException(LedgerErrorCode.REGISTRATION_REJECTED, 'invalid', 'The batteries were not registered: see details for each rule broken', details),
  alreadyRegistered: (details: ErrorDetail[]) =>
    new DomainException(LedgerErrorCode.ALREADY_REGISTERED, 'conflict', 'A battery is already registered differently (another enterprise, or other attributes)', details),
  tooManyEvents: (count: number, max: number) =>
    new DomainException(LedgerErrorCode.TOO_MANY_EVENTS, 'invalid', `At most ${max} events per batch; got ${count}`, [{ path: 'events', reason: `must contain at most ${max} events` }]),
};

/**
 * Chinese messages of the ledger rules this lib added (the lead wires them into Accept-Language: zh-CN): the warning of
 * a receipt recorded as a custody claim (`{senderUscc}` is in the warning's details).
 */
export const LIFECYCLE_MESSAGES_ZH: Record<string, string> = {
  CUSTODY_CLAIM: '没有向您发起的待接收移交：已记录为对 {senderUscc} 的交接确认申请，该企业确认其已移交后，接收事件方才生效（GET /v1/custody-claims）',
};
