import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { DECORATORS_PREFIX } from '@nestjs/swagger';

/**
 * Who is calling. Authentication (the API-key guard) attaches it to the request;
 * authorisation decisions are made in services, which receive it explicitly.
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
export const Public = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(`${DECORATORS_PREFIX}/apiSecurity`, []));

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

export const isAdmin = (p: Principal): boolean => p.kind === 'admin';
export const isRegulator = (p: Principal): p is Extract<Principal, { kind: 'regulator' }> => p.kind === 'regulator';
