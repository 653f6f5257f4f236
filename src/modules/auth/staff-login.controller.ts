import { Body, Controller, Get, Inject, Post, Query, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow, Public } from '../../common/access/access.decorator';
import { ROLES } from '../../common/access/roles';
import { FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { rotateCsrfNonce, SESSION_COOKIE } from '../../common/web/http-pipeline';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { StaffLoginFailed, StaffService } from './staff.service';

/** Only a path on this site: never "//host" or "https://..." (no open redirect). */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

@Controller()
export class StaffLoginController {
  constructor(
    private readonly staff: StaffService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('staff/login')
  @Public({ intranet: true })
  @Render('auth/staff-login')
  form(@Query('returnTo') returnTo?: string) {
    return { titleKey: 'staff.login.title', values: { returnTo: safeReturnTo(returnTo) }, enabled: this.config.breakGlassLogin };
  }

  @Post('staff/login')
  @Public({ intranet: true })
  async login(@Body() body: Record<string, string | undefined>, @Req() req: Request, @Res() res: Response) {
    const values = { username: (body.username ?? '').trim().toLowerCase(), returnTo: safeReturnTo(body.returnTo) };
    const errors: FieldError[] = [];
    if (!values.username) errors.push({ field: 'username', messageKey: 'staff.login.errors.usernameRequired' });
    if (!body.password) errors.push({ field: 'password', messageKey: 'staff.login.errors.passwordRequired' });
    if (!/^\d{6}$/.test((body.code ?? '').trim())) errors.push({ field: 'code', messageKey: 'staff.login.errors.codeFormat' });
    const fail = (list: FieldError[]) => new FormValidationError('auth/staff-login', 'staff.login.title', list, values, { enabled: this.config.breakGlassLogin });
    if (errors.length) throw fail(errors);

    let principal;
    try {
      principal = await this.staff.login(values.username, body.password!, body.code!);
    } catch (err) {
      if (err instanceof StaffLoginFailed) {
        throw fail([{ field: 'username', messageKey: 'staff.login.errors.failed', params: { left: err.attemptsLeft } }]);
      }
      throw err;
    }
    // A new session id and a new CSRF nonce at sign-in: nothing from before carries over.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    req.session.principal = principal;
    rotateCsrfNonce(req, res);
    res.redirect(303, values.returnTo);
  }

  @Post('auth/logout')
  @Allow(...ROLES)
  @Redirect('/', 303)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    await this.audit.recordAlone({ action: 'auth.logout', targetType: req.session.principal?.kind, targetId: req.session.principal?.id });
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie(SESSION_COOKIE);
    rotateCsrfNonce(req, res);
  }
}
