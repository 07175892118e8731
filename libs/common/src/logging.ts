import { randomUUID } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig } from './config';

/** A client-supplied request id is kept if it is short and printable; otherwise we mint one. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const header = req.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  const id = given && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Structured JSON logs (pino). Every request line carries `req.id`, the same id
 * echoed in the X-Request-Id header and in error envelopes. Tests pass their own
 * destination to read the lines back.
 */
export function loggingModule(config: AppConfig, destination?: DestinationStream): DynamicModule {
  const options = {
    level: config.logLevel,
    genReqId: requestIdFor,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    customProps: (req: IncomingMessage) => ({ requestId: (req as IncomingMessage & { id?: unknown }).id }),
    // Health probes every few seconds would drown everything else.
    autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
  };
  return LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options });
}
