/**
 * Domain errors. Each module declares its own error codes (an enum of stable,
 * documented strings) and the kind of failure each one is; the single global
 * exception filter turns the kind into an HTTP status. Services throw these,
 * never HttpException, so the same rules hold for the API, the CLI and jobs.
 */
export type ErrorKind =
  | 'invalid' // the request is well-formed but breaks a rule: 422
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'too_large' // 413
  | 'unsupported_media_type' // 415
  | 'rate_limited' // 429
  | 'unavailable'; // 503

export interface ErrorDetail {
  /** Field path (e.g. `events[3].occurredAt`) or position, when the error is about one. */
  path?: string;
  reason: string;
  [key: string]: unknown;
}

export class DomainException extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Values for the `{name}` placeholders of the Chinese message (see i18n.ts); details' fields are used too. */
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

export const HTTP_STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

/** Error codes shared by every module (the transport-level failures). */
export enum CommonErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED = 'RATE_LIMITED',
  INVALID_CURSOR = 'INVALID_CURSOR',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
}

export const forbidden = (message = 'This API key may not do that'): DomainException => new DomainException(CommonErrorCode.FORBIDDEN, 'forbidden', message);

export const validationFailed = (details: ErrorDetail[], message = 'The request is invalid'): DomainException =>
  new DomainException(CommonErrorCode.VALIDATION_FAILED, 'invalid', message, details);
