import type { NextFunction, Request, Response } from 'express';
import { ErrorDetail, validationFailed } from './errors';

/**
 * Deeper nesting than any request of this API has (a pack's parts are two levels below it). The global pipe
 * transforms and validates nested DTOs recursively: a body nested a few thousand levels deep exhausted the
 * stack there, a 500.
 */
export const MAX_BODY_DEPTH = 32;

interface Frame {
  value: object;
  depth: number;
  parent: Frame | null;
  key: string;
}

function pathOf(frame: Frame | null, key: string): string {
  const keys: string[] = [key];
  for (let f = frame; f !== null && f.parent !== null; f = f.parent) keys.push(f.key);
  return keys.reverse().reduce((path, k) => (/^\d+$/.test(k) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`), '');
}

/**
 * What no handler should see in a parsed JSON body: nesting deeper than MAX_BODY_DEPTH, and an own `__proto__`
 * key (JSON.parse makes it an ordinary property, but copying the object with Object.assign or a spread sets the
 * copy's prototype instead: `{"__proto__": null}` turned the ingest envelope into an object without one, a 500).
 */
export function bodyProblem(body: unknown): ErrorDetail | null {
  if (typeof body !== 'object' || body === null) return null;
  const stack: Frame[] = [{ value: body, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const value = frame.value as Record<string, unknown>;
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return { path: pathOf(frame, '__proto__'), reason: 'is not an accepted field name' };
    for (const key in value) {
      const child = value[key];
      if (typeof child !== 'object' || child === null) continue;
      if (frame.depth >= MAX_BODY_DEPTH) return { path: pathOf(frame, key), reason: `is nested deeper than ${MAX_BODY_DEPTH} levels` };
      stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return null;
}

/** Express middleware, after the JSON parser: refuses such bodies with the usual 422 envelope. */
export function rejectUnsafeBodies(req: Request, _res: Response, next: NextFunction): void {
  const problem = bodyProblem(req.body);
  next(problem ? validationFailed([problem], 'The request body is invalid') : undefined);
}
