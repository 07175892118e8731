import type { ExecutionContext } from '@nestjs/common';
import { applyDecorators, createParamDecorator, SetMetadata } from '@nestjs/common';
import { DECORATORS_PREFIX } from '@nestjs/swagger';

/**
 * Who is calling. Authentication (the API-key guard) attaches it to the request;
 * authorisation decisions are made in services, which receive it explicitly (and, for routes that only
 * some kinds of key may use at all, also by the guard: see OnlyFor).
 */
export type Principal =
  | { kind: 'admin'; keyId: string | null }
  | { kind: 'regulator'; keyId: string; regulatorId: string; regionPrefix: string | null }
  | { kind: 'enterprise'; keyId: string; enterpriseId: string };

/** Who did a write, for the audit trail: the principal plus the request it came in. */
export interface Actor {
  principal: Principal;
  requestId: string | null;
}

/** The principal used by the CLI, which runs with the operator's own authority. */
export const CLI_ACTOR: Actor = { principal: { kind: 'admin', keyId: null }, requestId: null };

export const IS_PUBLIC = 'echelon:isPublic';
/**
 * Marks a route (or every route of a controller) that needs no API key (health, public code decoding); its OpenAPI
 * operations override the document's global bearer requirement with none, so Swagger UI shows no lock on them.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(`${DECORATORS_PREFIX}/apiSecurity`, []));

export const ONLY_FOR = 'echelon:onlyFor';
/**
 * Limits a route to the callers the access policy (libs/access) allows an action, checked by the API-key guard right
 * after authentication: before any pipe validates the body, so a caller who may not use the route at all gets its
 * 403 without the cost of validating a large body (which would let any key spend the event loop's time). The service
 * asks the policy as well; this says the same thing earlier. `action` is an action of libs/access's ACTIONS (a
 * string here: this lib imports no other).
 */
export const OnlyFor = (action: string): MethodDecorator & ClassDecorator => SetMetadata(ONLY_FOR, { action });
export interface OnlyForMetadata {
  action: string;
}

export interface AuthenticatedRequest {
  id?: string | number;
  principal?: Principal;
}

/** Injects the Actor (principal and request id) of an authenticated request. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal) throw new Error('CurrentActor used on a route without authentication');
  return { principal: req.principal, requestId: req.id === undefined ? null : String(req.id) };
});
