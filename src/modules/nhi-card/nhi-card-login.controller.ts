import { Body, Controller, Get, Inject, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { DomainError, FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { secretField, textField } from '../../common/forms';
import { validateUnitCode } from '../../common/identifiers';
import { parseDayInput, ROC_YEAR_OFFSET } from '../../common/i18n/dates';
import { safeReturnTo } from '../../common/web/return-to';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SessionService } from '../auth';
import { NhiCardLoginService } from './nhi-card-login.service';
import { NhiUnitAccounts } from './nhi-unit-accounts';

const OTP_PAGE = { template: 'nhi-card/otp-login', titleKey: 'nhiCard.otpLogin.title' } as const;
const OTP_CONTEXT = { designateItems: [{ value: 'yes', labelKey: 'nhiCard.designate' }] };

/** Which field of the one-time-code page a refusal points at. */
const OTP_FIELD_OF: Record<string, string> = {
  'unit-code-invalid': 'unitCode',
  'unit-unknown': 'unitCode',
  'unit-not-registered': 'unitCode',
  'not-responsible': 'unitCode',
};

/**
 * NHI credential sign-ins: the card + password, posted as JSON by the login page's script (card
 * type 健保卡), and a unit's responsible person's one-time code (/login/nhi-otp, a plain form).
 * With a unit code both sign in as the unit's responsible person; 需指派授權管理者 (designate)
 * lands on the designation of the unit's operators.
 */
@Controller()
export class NhiCardLoginController {
  constructor(
    private readonly logins: NhiCardLoginService,
    private readonly units: NhiUnitAccounts,
    private readonly sessions: SessionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Who asks: the client address, and whether it is on the intranet (the access guard worked that out for every route). */
  private context(req: Request) {
    return { clientIp: req.ip ?? null, fromIntranet: req.fromIntranet === true };
  }

  @Post('auth/nhi-card')
  @Public()
  async login(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const raw = (body ?? {}) as Record<string, unknown>;
    const unitCode = textField(body, 'unitCode').replace(/\s+/g, '');
    const principal = await this.logins.login({
      token: raw.token,
      challenge: raw.challenge,
      sessionId: req.sessionID,
      origin: req.get('origin'),
      password: secretField(body, 'password'),
      unitCode,
      ...this.context(req),
    });
    const landing = await this.sessions.signIn(req, res, principal);
    const redirect = unitCode ? this.units.landingFor(textField(body, 'designate') === 'yes') : (landing ?? safeReturnTo(textField(body, 'returnTo'), this.config.publicOrigin));
    res.status(200).json({ ok: true, redirect, displayName: principal.displayName, role: principal.role });
  }

  @Get('login/nhi-otp')
  @Public()
  @Render(OTP_PAGE.template)
  otpForm() {
    return { titleKey: OTP_PAGE.titleKey, values: {}, ...OTP_CONTEXT };
  }

  @Post('login/nhi-otp')
  @Public()
  async otpLogin(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const values = {
      unitCode: textField(body, 'unitCode').replace(/\s+/g, ''),
      nationalId: textField(body, 'nationalId').toUpperCase(),
      birthDate: textField(body, 'birthDate'),
      designate: textField(body, 'designate') === 'yes' ? 'yes' : '',
    };
    const code = textField(body, 'code').replace(/\s+/g, '');
    const birth = parseDayInput(values.birthDate);
    const errors: FieldError[] = [];
    // checked before the code is spent: a mistyped unit code must not use up the person's one-time code
    if (!values.unitCode) errors.push({ field: 'unitCode', messageKey: 'nhiCard.otpLogin.errors.unitCodeEmpty' });
    else if (!validateUnitCode(values.unitCode).ok) errors.push({ field: 'unitCode', messageKey: 'nhiCard.errors.unit-code-invalid' });
    if (!values.nationalId) errors.push({ field: 'nationalId', messageKey: 'nhiCard.otpLogin.errors.nationalIdEmpty' });
    if (!birth) errors.push({ field: 'birthDate', messageKey: values.birthDate ? 'nhiCard.otpLogin.errors.birthDateInvalid' : 'nhiCard.otpLogin.errors.birthDateEmpty' });
    if (!/^\d{6}$/.test(code)) errors.push({ field: 'code', messageKey: code ? 'nhiCard.otpLogin.errors.codeFormat' : 'nhiCard.otpLogin.errors.codeEmpty' });
    if (errors.length || !birth) throw new FormValidationError(OTP_PAGE.template, OTP_PAGE.titleKey, errors, values, OTP_CONTEXT);
    const [year, month, day] = birth.split('-').map(Number);
    try {
      const principal = await this.logins.loginWithOtp({ unitCode: values.unitCode, nationalId: values.nationalId, birth: { rocYear: year - ROC_YEAR_OFFSET, month, day }, code, ...this.context(req) });
      await this.sessions.signIn(req, res, principal);
      res.redirect(303, this.units.landingFor(values.designate === 'yes'));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const field = OTP_FIELD_OF[err.code] ?? 'code';
      throw new FormValidationError(OTP_PAGE.template, OTP_PAGE.titleKey, [{ field, messageKey: err.messageKey }], values, OTP_CONTEXT);
    }
  }
}
