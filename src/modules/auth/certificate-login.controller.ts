import { Body, Controller, Get, HttpCode, Inject, Post, Query, Render, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError } from '../../common/errors/domain-error';
import { translate } from '../../common/i18n/i18n';
import { rotateCsrfNonce } from '../../common/web/http-pipeline';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { HELPER_CARD_ERRORS } from '../../shared/web-eid';
import { CARD_TYPES, isCardType } from './certificate-login.service';
import { CertificateAuthGuard } from './certificate.strategy';
import { ChallengeService } from './challenge.service';
import { safeReturnTo } from './staff-login.controller';

/**
 * Messages the login page's script shows: the card errors users know (code, what it means, the fix:
 * one source, shared with the helper) and the page's own states from the catalog.
 */
function helperMessages(lang: Request['lang']): Record<string, string> {
  return Object.fromEntries(
    Object.values(HELPER_CARD_ERRORS).map((e) => [`login.helper.${e.code}`, lang === 'en' ? `${e.en} (${e.code}). ${e.fixEn}` : `${e.zhTW}（${e.code}）。${e.fixZhTW}`]),
  );
}

const SCRIPT_MESSAGE_KEYS = [
  'login.helper.originRefused',
  'login.helper.triesLeft',
  'login.status.checking',
  'login.status.ready',
  'login.status.noCard',
  'login.status.signing',
  'login.status.verifying',
  'login.errors.unexpected',
];

@Controller()
export class CertificateLoginController {
  constructor(
    private readonly challenges: ChallengeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private page(req: Request, returnTo: unknown) {
    return {
      titleKey: 'login.title',
      cardTypes: Object.keys(CARD_TYPES).map((value) => ({ value, labelKey: `login.cardType.${value}`, hintKey: `login.cardType.${value}.hint` })),
      helperUrl: this.config.helperUrl,
      returnTo: safeReturnTo(returnTo),
      scriptMessages: { ...helperMessages(req.lang), ...Object.fromEntries(SCRIPT_MESSAGE_KEYS.map((key) => [key, translate(req.lang, key)])) },
    };
  }

  @Get('login')
  @Public()
  @Render('auth/login')
  form(@Req() req: Request, @Query('returnTo') returnTo?: string) {
    return { ...this.page(req, returnTo), values: { cardType: 'personnel' } };
  }

  /** Without JavaScript the page cannot reach the reader helper: say so, keeping the choice. */
  @Post('login')
  @Public()
  noScript(@Req() req: Request, @Body() body: Record<string, string | undefined>) {
    const values = { cardType: isCardType(body.cardType) ? body.cardType : 'personnel' };
    throw new FormValidationError('auth/login', 'login.title', [{ field: 'cardType', messageKey: 'login.errors.javascriptRequired' }], values, this.page(req, body.returnTo));
  }

  /** A fresh challenge for this browser session (JSON, for the page's script). */
  @Post('auth/challenge')
  @Public()
  @HttpCode(200)
  async challenge(@Req() req: Request) {
    req.session.loginStartedAt = Date.now();
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    return this.challenges.issue(req.sessionID);
  }

  /** The signed token: checked by the 'certificate' passport strategy; on success a new session. */
  @Post('auth/certificate')
  @Public()
  @UseGuards(CertificateAuthGuard)
  async certificate(@Req() req: Request, @Res() res: Response, @Body('returnTo') returnTo: unknown) {
    const principal = req.user as Principal;
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    req.session.principal = principal;
    rotateCsrfNonce(req, res);
    res.status(200).json({ ok: true, redirect: safeReturnTo(returnTo), displayName: principal.displayName, role: principal.role });
  }
}
