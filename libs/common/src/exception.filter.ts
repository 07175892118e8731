import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CommonErrorCode, DomainException, ErrorDetail, HTTP_STATUS_BY_KIND } from './errors';
import { localeFrom, localiseError } from './i18n';

export interface ErrorEnvelope {
  error: { code: string; message: string; details: ErrorDetail[]; requestId: string | null };
}

const CODE_BY_STATUS: Record<number, CommonErrorCode> = {
  400: CommonErrorCode.MALFORMED_REQUEST,
  401: CommonErrorCode.UNAUTHENTICATED,
  403: CommonErrorCode.FORBIDDEN,
  404: CommonErrorCode.ROUTE_NOT_FOUND,
  413: CommonErrorCode.PAYLOAD_TOO_LARGE,
  415: CommonErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: CommonErrorCode.RATE_LIMITED,
};

/**
 * The one place where errors become HTTP responses, all in the same envelope:
 * `{ error: { code, message, details, requestId } }`.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const described = this.describe(exception, req);
    const { status, code } = described;
    if (status >= 500) {
      this.logger.error({ err: exception, requestId: req.id }, 'unhandled error');
    }
    // Chinese when the request asks for it (the code stays the same); see i18n.ts.
    const { message, details } = localiseError(localeFrom(req.headers?.['accept-language']), described);
    const body: ErrorEnvelope = {
      error: { code, message, details, requestId: req.id ? String(req.id) : null },
    };
    if (!res.headersSent) {
      // An error is about this request at this moment (a code refused today may be valid tomorrow): never cached.
      res.setHeader('Cache-Control', 'no-store');
      res.removeHeader('Content-Disposition');
      res.vary('Accept-Language');
      res.status(status).json(body);
    }
  }

  private describe(
    exception: unknown,
    req: Request,
  ): { status: number; code: string; message: string; details: ErrorDetail[]; params?: Record<string, unknown> } {
    if (exception instanceof DomainException) {
      return {
        status: HTTP_STATUS_BY_KIND[exception.kind],
        code: exception.code,
        message: exception.message,
        details: exception.details,
        params: exception.params,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const text = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
      if (status === 503) {
        // Readiness checks report which dependency is down.
        return {
          status,
          code: CommonErrorCode.SERVICE_UNAVAILABLE,
          message: 'A dependency is unavailable',
          details: [{ reason: 'health check failed', ...(typeof response === 'object' ? (response as object) : {}) }],
        };
      }
      if (status === 404 && !(exception.cause instanceof Error)) {
        return {
          status,
          code: CommonErrorCode.ROUTE_NOT_FOUND,
          message: `No route ${req.method} ${req.path}`,
          details: [],
          params: { method: req.method, path: req.path },
        };
      }
      return {
        status,
        code: CODE_BY_STATUS[status] ?? (status >= 500 ? CommonErrorCode.INTERNAL_ERROR : CommonErrorCode.MALFORMED_REQUEST),
        message: text,
        details: [],
      };
    }
    // Errors raised by body parsers and other Express middleware carry a status and a type.
    const e = exception as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown; limit?: unknown };
    const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
    if (status === 413) {
      return {
        status,
        code: CommonErrorCode.PAYLOAD_TOO_LARGE,
        message: `The request body is larger than the limit of ${String(e.limit ?? 'the server')} bytes`,
        details: [],
      };
    }
    if (status === 400 && e.type === 'entity.parse.failed') {
      return { status, code: CommonErrorCode.MALFORMED_REQUEST, message: 'The request body is not valid JSON', details: [{ reason: String(e.message) }] };
    }
    if (status >= 400 && status < 500) {
      return { status, code: CODE_BY_STATUS[status] ?? CommonErrorCode.MALFORMED_REQUEST, message: String(e.message ?? 'Bad request'), details: [] };
    }
    return { status: 500, code: CommonErrorCode.INTERNAL_ERROR, message: 'Internal server error', details: [] };
  }
}
