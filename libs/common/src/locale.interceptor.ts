import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { localeFrom, localiseBody } from './i18n';

/**
 * The reasons inside successful answers (event rejections and warnings, upload row results, an upload's failure) in
 * the language the request asks for; errors are translated by the exception filter. Installed globally by
 * configureHttpApp; English requests pass through untouched.
 */
@Injectable()
export class LocaleInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const locale = localeFrom(http.getRequest<Request>().headers['accept-language']);
    http.getResponse<Response>().vary('Accept-Language');
    if (locale === 'en') return next.handle();
    return next.handle().pipe(map((body: unknown) => localiseBody(body)));
  }
}
