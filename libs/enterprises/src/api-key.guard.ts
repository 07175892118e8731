import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isAction, requireKindAllowed } from '#libs/access';
import { AuthenticatedRequest, IS_PUBLIC, ONLY_FOR, OnlyForMetadata } from '#libs/common';
import type { Request } from 'express';
import { ApiKeysService } from './api-keys.service';
import { EnterpriseErrors } from './errors';

/**
 * Authentication: every route needs a valid `Authorization: Bearer <key>`
 * unless marked @Public(). What the caller may do is decided by the services,
 * except that a route marked @OnlyFor(action) refuses here the keys the access policy does not allow it.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const header = req.headers.authorization;
    if (!header) throw EnterpriseErrors.keyMissing();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw EnterpriseErrors.keyMissing();
    req.principal = await this.apiKeys.authenticate(match[1]);
    // Guards run before pipes: a key that may not use the route at all is refused before its body is validated.
    const onlyFor = this.reflector.getAllAndOverride<OnlyForMetadata | undefined>(ONLY_FOR, [context.getHandler(), context.getClass()]);
    if (onlyFor) {
      if (!isAction(onlyFor.action)) throw new Error(`@OnlyFor('${onlyFor.action}') names no action of the access policy`);
      requireKindAllowed(req.principal, onlyFor.action);
    }
    return true;
  }
}
