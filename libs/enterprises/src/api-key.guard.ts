import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedRequest, IS_PUBLIC } from '#libs/common';
import type { Request } from 'express';
import { ApiKeysService } from './api-keys.service';
import { EnterpriseErrors } from './errors';

/**
 * Authentication only: every route needs a valid `Authorization: Bearer <key>`
 * unless marked @Public(). What the caller may do is decided by the services.
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
    return true;
  }
}
