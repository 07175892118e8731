import type { NextFunction, Request, Response } from 'express';
import { ErrorDetail, validationFailed } from './errors';

/**
 * Deeper nesting than any request of this API has (a pack's parts are two levels below it). The global pipe
 * transforms and validates nested DTOs recursively: a body nested a few thousand levels deep exhausted the
 * stack there, a 500.
 */
export const MAX_BODY_DEPTH = 32;

/** Keys from the problem up to the body (reversed when the path is built), and the reason. */
interface Found {
  keys: string[];
  reason: string;
}

/**
 * Recursive, but never deeper than MAX_BODY_DEPTH frames: it stops there, so no body can exhaust the stack.
 * (A walk with an explicit stack of frames cost 0.13 ms per 500-event body, this one 0.03 ms.)
 */
function find(value: object, depth: number): Found | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child !== 'object' || child === null) continue;
      const found = depth >= MAX_BODY_DEPTH ? { keys: [], reason: `is nested deeper than ${MAX_BODY_DEPTH} levels` } : find(child, depth + 1);
      if (found) {
        found.keys.push(String(i));
        return found;
      }
    }
    return null;
  }
  if (Object.hasOwn(value, '__proto__')) return { keys: ['__proto__'], reason: 'is not an accepted field name' };
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    const found = depth >= MAX_BODY_DEPTH ? { keys: [], reason: `is nested deeper than ${MAX_BODY_DEPTH} levels` } : find(child, depth + 1);
    if (found) {
      found.keys.push(key);
      return found;
    }
  }
  return null;
}

/**
 * What no handler should see in a parsed JSON body: nesting deeper than MAX_BODY_DEPTH, and an own `__proto__`
 * key (JSON.parse makes it an ordinary property, but copying the object with Object.assign or a spread sets the
 * copy's prototype instead: `{"__proto__": null}` turned the ingest envelope into an object without one, a 500).
 */
export function bodyProblem(body: unknown): ErrorDetail | null {
  if (typeof body !== 'object' || body === null) return null;
  const found = find(body, 1);
  if (!found) return null;
  const path = found.keys.reverse().reduce((p, k) => (/^\d+$/.test(k) ? `${p}[${k}]` : p === '' ? k : `${p}.${k}`), '');
  return { path, reason: found.reason };
}

/** Express middleware, after the JSON parser: refuses such bodies with the usual 422 envelope. */
export function rejectUnsafeBodies(req: Request, _res: Response, next: NextFunction): void {
  const problem = bodyProblem(req.body);
  next(problem ? validationFailed([problem], 'The request body is invalid') : undefined);
}
