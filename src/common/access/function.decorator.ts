import { CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { sessionPrincipal } from './current-principal.decorator';
import type { Principal } from '../context/request-context';
import { ForbiddenError } from '../errors/domain-error';

export const FUNCTION_KEY = 'access:function';

/** Whether the principal may perform a unit's business function: its manager every one, an operator those granted. */
export function mayPerform(principal: Principal | null | undefined, fn: string): boolean {
  if (principal?.role === 'employer_manager') return true;
  return principal?.role === 'employer_operator' && (principal.functions ?? []).includes(fn);
}

/**
 * The unit's business function a route performs (e.g. 'roster.enrol'). A unit's manager may call
 * every one; an operator only those granted (Principal.functions, re-read on every request by the
 * delegation module). Use with @Allow('employer_manager', 'employer_operator').
 */
@Injectable()
export class FunctionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const fn = this.reflector.get<string | undefined>(FUNCTION_KEY, context.getHandler());
    const principal = sessionPrincipal(context.switchToHttp().getRequest<Request>());
    if (fn && mayPerform(principal, fn)) return true;
    throw new ForbiddenError('role-not-allowed', 'errors.403.message');
  }
}

export const RequireFunction = (fn: string) => applyDecorators(SetMetadata(FUNCTION_KEY, fn), UseGuards(FunctionGuard));
