import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { sessionPrincipal } from '../../common/access/current-principal.decorator';
import { NotSignedInError } from '../../common/errors/domain-error';
import { DelegationService } from './delegation.service';

/**
 * On every request of an operator (a global guard): the delegation is read again, so a deleted
 * or ended delegation refuses the very next request (the session ends), and changed functions
 * apply at once, whichever web process answers.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(private readonly delegations: DelegationService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = sessionPrincipal(req);
    if (!principal || principal.role !== 'employer_operator') return true;
    const functions = await this.delegations.currentFunctions(principal);
    if (!functions) {
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      throw new NotSignedInError('/login');
    }
    principal.functions = functions;
    return true;
  }
}
