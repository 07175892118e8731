import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig, CommonErrorCode, DomainException } from '#libs/common';
import type { Response } from 'express';

export const PUBLIC_CODES_THROTTLER = 'public-codes';

/**
 * The rate limit of the public code endpoints (no API key): `publicRateLimitPerMinute` requests per
 * minute per client IP (after `trust proxy`), one budget shared by all of them. Counters are kept in
 * this process's memory, so with several API instances the limit applies per instance.
 */
export const publicRateLimitModule = () =>
  ThrottlerModule.forRootAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => ({
      throttlers: [{ name: PUBLIC_CODES_THROTTLER, ttl: 60_000, limit: config.publicRateLimitPerMinute }],
      // One bucket per client for every route guarded by PublicRateLimitGuard (the default is one per route).
      generateKey: (_context: ExecutionContext, tracker: string, name: string) => `${name}:${tracker}`,
    }),
  });

/** Apply with @UseGuards on the public routes only; everything else stays unlimited. */
@Injectable()
export class PublicRateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    // The throttler names its header after the throttler (`Retry-After-public-codes`); clients and proxies read
    // the standard one (RFC 9110), which the README promises.
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(detail.timeToBlockExpire));
    throw new DomainException(
      CommonErrorCode.RATE_LIMITED,
      'rate_limited',
      `Too many requests: the public code endpoints allow ${detail.limit} requests per minute per client; retry after ${detail.timeToBlockExpire} s`,
      [{ reason: 'rate limit exceeded', limit: detail.limit, retryAfterSeconds: detail.timeToBlockExpire }],
    );
  }
}
