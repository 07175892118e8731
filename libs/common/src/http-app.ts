import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { noteJsonEscapes, rejectUnsafeBodies, requireJsonBodies } from './body-guard';
import type { AppConfig } from './config';
import { GlobalExceptionFilter } from './exception.filter';
import { LocaleInterceptor } from './locale.interceptor';
import { requestIdFor } from './logging';
import { setupOpenApi } from './openapi';
import { createValidationPipe } from './validation';

/**
 * Everything the HTTP app needs besides its modules; used by main.ts and by the
 * e2e tests so both run exactly the same stack. The app must be created with
 * `bodyParser: false` so that the limit below is the only one.
 */
export function configureHttpApp(app: NestExpressApplication, config: AppConfig): void {
  // The request id first, so that errors of the parsers below carry it too (the logger reuses it).
  app.use((req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void) => {
    req.id = requestIdFor(req, res);
    next();
  });
  app.use(requireJsonBodies);
  // express.json itself, as useBodyParser would install it, but with a `verify` (which useBodyParser reserves).
  app.use(json({ limit: config.bodyLimitBytes, verify: noteJsonEscapes }));
  app.use(rejectUnsafeBodies);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new GlobalExceptionFilter());
  app.useGlobalInterceptors(new LocaleInterceptor());
  app.set('trust proxy', 'loopback');
  app.set('x-powered-by', false);
  setupOpenApi(app);
}
