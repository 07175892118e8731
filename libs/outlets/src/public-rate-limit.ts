import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { CommonErrorCode, DomainException } from '#libs/common';

/**
 * The public outlet endpoints are limited like the public code endpoints (libs/codes public-rate-limit.ts:
 * `PUBLIC_RATE_LIMIT_PER_MINUTE` per client IP, the same throttler configuration), with a message of their own.
 */
@Injectable()
export class PublicOutletsRateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new DomainException(
      CommonErrorCode.RATE_LIMITED,
      'rate_limited',
      `Too many requests: the public outlet endpoints allow ${detail.limit} requests per minute per client; retry after ${detail.timeToBlockExpire} s`,
      [{ reason: 'rate limit exceeded', limit: detail.limit, retryAfterSeconds: detail.timeToBlockExpire }],
    );
  }
}
