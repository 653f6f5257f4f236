import { Body, Controller, Get, Inject, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow, Public } from '../../common/access/access.decorator';
import { ROLES } from '../../common/access/roles';
import { FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { safeReturnTo } from '../../common/web/return-to';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SessionService } from './session.service';
import { parseStaffLogin } from './staff-login.form';
import { StaffService } from './staff.service';

@Controller()
export class StaffLoginController {
  constructor(
    private readonly staff: StaffService,
    private readonly sessions: SessionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private returnTo(source: unknown): string {
    return safeReturnTo(textField(source, 'returnTo'), this.config.publicOrigin);
  }

  @Get('staff/login')
  @Public({ intranet: true })
  @Render('auth/staff-login')
  form(@Query() query: unknown) {
    return { titleKey: 'staff.login.title', values: { returnTo: this.returnTo(query) }, enabled: this.config.breakGlassLogin };
  }

  @Post('staff/login')
  @Public({ intranet: true })
  async login(@Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    const form = parseStaffLogin(body);
    const returnTo = this.returnTo(body);
    const fail = (errors: FieldError[]) => new FormValidationError('auth/staff-login', 'staff.login.title', errors, { ...form.values, returnTo }, { enabled: this.config.breakGlassLogin });
    if (!form.input) throw fail(form.errors);
    const result = await this.staff.login(form.input, req.ip ?? null);
    if (!result.principal) throw fail(result.errors);
    await this.sessions.signIn(req, res, result.principal);
    res.redirect(303, returnTo);
  }

  @Post('auth/logout')
  @Allow(...ROLES)
  async logout(@Req() req: Request, @Res() res: Response) {
    await this.sessions.signOut(req, res);
    res.redirect(303, '/');
  }
}
