import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { MAX_EVENTS_PER_BATCH } from './domain/event-types';
import { LedgerErrors } from './errors';

/**
 * POST /v1/batteries records one event per battery and per part, at most MAX_EVENTS_PER_BATCH in all. Nested
 * `components` arrays are each limited too, but a body can nest 500 × 500 × … parts (100,000 in 8 MB) and
 * validating them all would hold the event loop for seconds before the total is counted. This guard counts the
 * parts of the raw body first, stopping at the limit, before any pipe looks at it.
 */
@Injectable()
export class RegistrationSizeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const body = context.switchToHttp().getRequest<Request>().body as unknown;
    const batteries = (body as { batteries?: unknown } | null)?.batteries;
    if (!Array.isArray(batteries)) return true; // validation names what is wrong
    let count = 0;
    const stack: unknown[] = [...batteries];
    while (stack.length > 0) {
      const part = stack.pop();
      if (++count > MAX_EVENTS_PER_BATCH) throw LedgerErrors.tooManyParts(MAX_EVENTS_PER_BATCH);
      const components = (part as { components?: unknown } | null)?.components;
      if (Array.isArray(components)) for (const c of components) stack.push(c);
    }
    return true;
  }
}
