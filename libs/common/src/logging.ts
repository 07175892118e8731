import { randomUUID } from 'node:crypto';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from './config';

/** One line per request on a terminal: method, URL, status and time, with the request id kept in JSON logs only. */
export const PRETTY_OPTIONS = {
  colorize: true,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,requestId,context,req,res,responseTime',
  messageFormat: '{if context}[{context}] {end}{if req}{req.method} {req.url} {res.statusCode} {responseTime} ms: {end}{msg}',
};

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
  // A person at a terminal reads lines, not JSON (LOG_FORMAT=pretty, the default on a TTY); pipes and files get JSON.
  const pretty = !destination && config.logFormat === 'pretty';
  const transport = pretty ? { target: 'pino-pretty', options: PRETTY_OPTIONS } : undefined;
  return LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : { ...options, ...(transport ? { transport } : {}) } });
}

/** Nest's start-up chatter (a line per module, controller and route): useful when debugging, noise on the first screen. */
const FRAMEWORK_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The app's logger with Nest's start-up chatter at debug level, so that the first line `npm start` prints is the one
 * saying where the API, docs, database and queues are (LOG_LEVEL=debug shows the rest).
 */
export function withQuietStartup(inner: LoggerService): LoggerService {
  const contextOf = (rest: unknown[]) => rest[rest.length - 1];
  return {
    log: (message: unknown, ...rest: unknown[]) => {
      const context = contextOf(rest);
      if (typeof context === 'string' && FRAMEWORK_CHATTER.has(context)) inner.debug?.(message, ...rest);
      else inner.log(message, ...rest);
    },
    error: (message: unknown, ...rest: unknown[]) => inner.error(message, ...rest),
    warn: (message: unknown, ...rest: unknown[]) => inner.warn(message, ...rest),
    debug: (message: unknown, ...rest: unknown[]) => inner.debug?.(message, ...rest),
    verbose: (message: unknown, ...rest: unknown[]) => inner.verbose?.(message, ...rest),
    fatal: (message: unknown, ...rest: unknown[]) => inner.fatal?.(message, ...rest),
  };
}
