import { Body, Controller, Get, Inject, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AttemptBy, type Attempter } from '../../common/access/current-principal.decorator';
import { Public } from '../../common/access/access.decorator';
import { FormValidationError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { nhiCardError } from './nhi-card.errors';
import { cardScriptMessages, NHI_DONE, NHI_PAGES, presentationFrom, type NhiPage } from './nhi-card-pages';
import { NhiCardRegistrationService, type FormOutcome } from './nhi-card-registration.service';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy';

/** 健保卡網路服務註冊: register, verify the e-mail, resend, change or reset the password, cancel (all public). */
@Controller('nhi-card')
export class NhiCardRegistrationController {
  constructor(
    private readonly registrations: NhiCardRegistrationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private context(req: Request, page: NhiPage, extra: Record<string, unknown> = {}) {
    return {
      titleKey: NHI_PAGES[page].titleKey,
      helperUrl: this.config.helperUrl,
      passwordRule: { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH },
      scriptMessages: cardScriptMessages(req),
      ...extra,
    };
  }

  private show(req: Request, page: NhiPage, extra: Record<string, unknown> = {}) {
    return { ...this.context(req, page, extra), values: {} };
  }

  /** Done: see the confirmation; not done: the form again (422) with its values and errors. */
  private finish(req: Request, res: Response, page: NhiPage, outcome: FormOutcome, done: string, extra: Record<string, unknown> = {}) {
    if (!outcome.ok) throw new FormValidationError(NHI_PAGES[page].template, NHI_PAGES[page].titleKey, outcome.errors, outcome.values, this.context(req, page, extra));
    res.redirect(303, `/nhi-card/done/${done}`);
  }

  @Get()
  @Public()
  @Render('nhi-card/index')
  index() {
    return { titleKey: 'nhiCard.index.title' };
  }

  @Get('register')
  @Public()
  @Render('nhi-card/register')
  registerForm(@Req() req: Request) {
    return this.show(req, 'register');
  }

  @Post('register')
  @Public()
  async register(@Req() req: Request, @Res() res: Response, @Body() body: unknown, @AttemptBy() attempter: Attempter) {
    this.finish(req, res, 'register', await this.registrations.register(presentationFrom(req, body), body, req.lang, attempter), 'registered');
  }

  @Get('verify/:token')
  @Public()
  @Render('nhi-card/verify')
  verifyForm(@Param('token') token: string) {
    return { titleKey: 'nhiCard.verify.title', token };
  }

  /** The link's page posts back: a mail scanner following the link does not use it up. */
  @Post('verify/:token')
  @Public()
  async verify(@Param('token') token: string, @Res() res: Response) {
    await this.registrations.verify(token);
    res.redirect(303, '/nhi-card/done/verified');
  }

  @Get('resend')
  @Public()
  @Render('nhi-card/resend')
  resendForm(@Req() req: Request) {
    return this.show(req, 'resend');
  }

  @Post('resend')
  @Public()
  async resend(@Req() req: Request, @Res() res: Response, @Body() body: unknown, @AttemptBy() attempter: Attempter) {
    this.finish(req, res, 'resend', await this.registrations.resend(presentationFrom(req, body), attempter), 'resent');
  }

  @Get('password')
  @Public()
  @Render('nhi-card/password')
  passwordForm(@Req() req: Request) {
    return this.show(req, 'password');
  }

  @Post('password')
  @Public()
  async changePassword(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    this.finish(req, res, 'password', await this.registrations.changePassword(presentationFrom(req, body), body), 'password-changed');
  }

  @Get('forgot')
  @Public()
  @Render('nhi-card/forgot')
  forgotForm(@Req() req: Request) {
    return this.show(req, 'forgot');
  }

  @Post('forgot')
  @Public()
  async forgot(@Req() req: Request, @Res() res: Response, @Body() body: unknown, @AttemptBy() attempter: Attempter) {
    this.finish(req, res, 'forgot', await this.registrations.forgotten(presentationFrom(req, body), body, attempter), 'reset-sent');
  }

  @Get('reset/:token')
  @Public()
  @Render('nhi-card/reset')
  async resetForm(@Req() req: Request, @Param('token') token: string) {
    await this.registrations.checkResetLink(token);
    return this.show(req, 'reset', { token });
  }

  @Post('reset/:token')
  @Public()
  async reset(@Req() req: Request, @Res() res: Response, @Param('token') token: string, @Body() body: unknown) {
    this.finish(req, res, 'reset', await this.registrations.reset(token, body), 'reset-done', { token });
  }

  @Get('cancel')
  @Public()
  @Render('nhi-card/cancel')
  cancelForm(@Req() req: Request) {
    return this.show(req, 'cancel');
  }

  @Post('cancel')
  @Public()
  async cancel(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    this.finish(req, res, 'cancel', await this.registrations.cancel(presentationFrom(req, body), body), 'cancelled');
  }

  @Get('done/:what')
  @Public()
  @Render('nhi-card/done')
  done(@Param('what') what: string) {
    if (!(NHI_DONE as readonly string[]).includes(what)) throw nhiCardError.notFound('link-unknown');
    return { titleKey: `nhiCard.done.${what}.title`, bodyKey: `nhiCard.done.${what}.body` };
  }
}
