import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { sessionPrincipal } from './current-principal.decorator';
import { APP_CONFIG, type AppConfig, toBlockList } from '../../config/app-config';
import { ForbiddenError, NotSignedInError } from '../errors/domain-error';
import { addressIn } from '../web/client-address';
import { ACCESS_KEY, type AccessDeclaration } from './access.decorator';
import { isStaffRole } from './roles';

/**
 * Reads every route's access declaration and enforces it: no declaration → refused (fail closed);
 * intranet-only routes and every staff session answer only to the intranet ranges (client address
 * from the trusted proxy, see http-pipeline); then the signed-in role must be one of those allowed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly intranet;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.intranet = toBlockList(config.intranetCidrs);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const declaration = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!declaration) throw new ForbiddenError('access-undeclared', 'errors.403.message');
    const req = context.switchToHttp().getRequest<Request>();
    const principal = sessionPrincipal(req);
    const fromIntranet = addressIn(this.intranet, req.ip);
    req.fromIntranet = fromIntranet;
    if ((declaration.intranet || (principal && isStaffRole(principal.role))) && !fromIntranet) {
      throw new ForbiddenError('intranet-only', 'errors.intranetOnly');
    }
    if (declaration.public) return true;
    if (!principal) throw new NotSignedInError(declaration.intranet ? '/staff/login' : '/');
    if (!declaration.roles.includes(principal.role)) throw new ForbiddenError('role-not-allowed', 'errors.403.message');
    return true;
  }
}
