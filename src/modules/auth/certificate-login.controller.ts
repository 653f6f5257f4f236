import { AttemptBy, type Attempter } from '../../common/access/current-principal.decorator';
import { Body, Controller, Get, HttpCode, Inject, Post, Query, Render, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { translate } from '../../common/i18n/i18n';
import { safeReturnTo } from '../../common/web/return-to';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { helperMessages } from '../../shared/web-eid';
import { CARD_TYPES, CertificateLoginService } from './certificate-login.service';
import { CertificateAuthGuard } from './certificate.strategy';
import { helperStatusUrl } from './reader-helper-page.controller';
import { SessionService } from './session.service';

const SCRIPT_MESSAGE_KEYS = [
  'login.helper.originRefused',
  'login.helper.triesLeft',
  'login.status.checking',
  'login.status.ready',
  'login.status.noCard',
  'login.status.signing',
  'login.status.verifying',
  'login.errors.unexpected',
  'nhiCard.card.noNhiCard',
];

/** The login page's card types: the certificate ones, and the NHI card (card + registered password, signed in by the nhi-card module at /auth/nhi-card). */
const LOGIN_CARD_TYPES = [...Object.keys(CARD_TYPES), 'nhi'];

@Controller()
export class CertificateLoginController {
  constructor(
    private readonly logins: CertificateLoginService,
    private readonly sessions: SessionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private page(req: Request, returnTo: unknown) {
    return {
      titleKey: 'login.title',
      cardTypes: LOGIN_CARD_TYPES.map((value) => ({ value, labelKey: `login.cardType.${value}`, hintKey: `login.cardType.${value}.hint` })),
      helperUrl: this.config.helperUrl,
      helperStatusUrl: helperStatusUrl(this.config),
      returnTo: safeReturnTo(returnTo, this.config.publicOrigin),
      scriptMessages: { ...helperMessages(req.lang, 'login.helper.'), ...Object.fromEntries(SCRIPT_MESSAGE_KEYS.map((key) => [key, translate(req.lang, key)])) },
    };
  }

  @Get('login')
  @Public()
  @Render('auth/login')
  form(@Req() req: Request, @Query() query: unknown) {
    return { ...this.page(req, textField(query, 'returnTo')), values: { cardType: 'personnel' } };
  }

  /** Without JavaScript the page cannot reach the reader helper: say so, keeping the choice. */
  @Post('login')
  @Public()
  noScript(@Req() req: Request, @Body() body: unknown) {
    const cardType = textField(body, 'cardType');
    const values = { cardType: LOGIN_CARD_TYPES.includes(cardType) ? cardType : 'personnel' };
    throw new FormValidationError('auth/login', 'login.title', [{ field: 'cardType', messageKey: 'login.errors.javascriptRequired' }], values, this.page(req, textField(body, 'returnTo')));
  }

  /** A fresh challenge for this browser session (JSON, for the page's script). */
  @Post('auth/challenge')
  @Public()
  @HttpCode(200)
  async challenge(@AttemptBy() attempter: Attempter, @Req() req: Request) {
    req.session.loginStartedAt = Date.now();
    const challenge = await this.logins.issueChallenge(attempter);
    return { ...challenge, csrfToken: await this.sessions.keep(req) };
  }

  /** The signed token: checked by the 'certificate' passport strategy; on success a new session. */
  @Post('auth/certificate')
  @Public()
  @UseGuards(CertificateAuthGuard)
  async certificate(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const principal = req.user as Principal;
    const landing = await this.sessions.signIn(req, res, principal);
    res.status(200).json({ ok: true, redirect: landing ?? safeReturnTo(textField(body, 'returnTo'), this.config.publicOrigin), displayName: principal.displayName, role: principal.role });
  }
}
