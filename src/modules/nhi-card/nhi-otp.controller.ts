import { Body, Controller, Get, Inject, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { FormValidationError } from '../../common/errors/domain-error';
import { secretField, textField } from '../../common/forms';
import { translate } from '../../common/i18n/i18n';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { cardScriptMessages, NHI_PAGES, presentationFrom } from './nhi-card-pages';
import { NhiRefusal } from './nhi-card-credential.service';
import { NhiOtpService } from './nhi-otp.service';

/**
 * Authenticator enrolment for a unit's responsible person (健保快易通 OTP): NHI card + password →
 * the otpauth:// QR code, shown once (never re-shown: a wrong first code starts over) → a first
 * code confirms it. Signing in with the code belongs to the employer registry (NhiOtpService.verify).
 */
@Controller('nhi-card/otp')
export class NhiOtpController {
  constructor(
    private readonly otp: NhiOtpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private context(req: Request) {
    return { titleKey: NHI_PAGES.otp.titleKey, helperUrl: this.config.helperUrl, scriptMessages: cardScriptMessages(req) };
  }

  @Get()
  @Public()
  @Render('nhi-card/otp')
  form(@Req() req: Request) {
    return { ...this.context(req), values: {} };
  }

  @Post()
  @Public()
  async begin(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const password = secretField(body, 'password');
    try {
      if (!password) throw new NhiRefusal('password-wrong');
      const enrolment = await this.otp.begin(presentationFrom(req, body), password);
      req.session.nhiOtpEnrol = { accountId: enrolment.accountId };
      const label = translate(req.lang, 'nhiCard.otp.qrLabel');
      const qr = enrolment.qrSvg.replace('<svg ', `<svg role="img" aria-label="${label}" focusable="false" `);
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).render('nhi-card/otp-qr', { titleKey: 'nhiCard.otp.qr.title', qrSvg: qr, secret: enrolment.secret.replace(/(.{4})/g, '$1 ').trim(), values: {} });
    } catch (err) {
      if (!(err instanceof NhiRefusal)) throw err;
      const field = err.code === 'password-wrong' ? 'password' : 'card';
      throw new FormValidationError(NHI_PAGES.otp.template, NHI_PAGES.otp.titleKey, [{ field, messageKey: `nhiCard.errors.${err.code}` }], {}, this.context(req));
    }
  }

  @Post('confirm')
  @Public()
  async confirm(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const pending = req.session.nhiOtpEnrol;
    delete req.session.nhiOtpEnrol;
    if (!pending || !(await this.otp.confirm(pending.accountId, textField(body, 'code')))) {
      throw new FormValidationError(NHI_PAGES.otp.template, NHI_PAGES.otp.titleKey, [{ field: 'card', messageKey: 'nhiCard.otp.errors.confirm' }], {}, this.context(req));
    }
    res.redirect(303, '/nhi-card/done/otp-enrolled');
  }
}
