import { Body, Controller, Get, HttpCode, Inject, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { ConflictError, ForbiddenError, FormValidationError, NotFoundError, type FieldError } from '../../../common/errors/domain-error';
import { translate } from '../../../common/i18n/i18n';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { HELPER_CARD_ERRORS } from '../../../shared/web-eid';
import type { Card } from '../card.entity';
import { grant, hasGrant, saveSession, takeGrant } from './card-services-session';
import { CardServicesService, isRevokeReason, REVOKE_REASONS } from './card-services.service';
import { cardView, onlineRenewalOpen, type CardService } from './card-services-view';
import { CardRenewalService } from './card-renewal.service';
import type { UserCodePurpose } from './user-code.service';

type Body = Record<string, unknown>;

/** The services whose page is the user-code form (then their own next step). */
type UserCodeStep = Extract<CardService, UserCodePurpose>;

/** Confirmation pages after a service, by the path segment after /done/. */
const DONE = ['opened', 'suspended', 'resumed', 'revoked', 'renewed', 'reminder'] as const;
type Done = (typeof DONE)[number];

/** Messages the page script shows: the card errors users know (from the shared table) and the script's own states. */
function scriptMessages(lang: Request['lang']): Record<string, string> {
  const helper = Object.values(HELPER_CARD_ERRORS).map((e) => [`helper.${e.code}`, lang === 'en' ? `${e.en} (${e.code}). ${e.fixEn}` : `${e.zhTW}（${e.code}）。${e.fixZhTW}`]);
  const own = [
    'originRefused', 'triesLeft', 'checking', 'ready', 'noCard', 'otherCard', 'opening', 'signing', 'verifying', 'changing', 'unlocking',
    'pinFormat', 'newPinFormat', 'newPinMismatch', 'pukFormat', 'unexpected', 'opened', 'pinChanged', 'unlocked', 'renewed',
  ].map((key) => [key, translate(lang, `cardServices.script.${key}`)]);
  return Object.fromEntries([...helper, ...own]);
}

/**
 * The card services by card number (HCA 卡片作業), public pages: card number → status and the
 * services menu for the card's state → each service. The user code (checked by the server), the
 * card itself (a challenge signed through the reader helper) and the PIN/PUK (which go only to
 * the helper, never here) are the credentials. Every step is a plain form with
 * Post/Redirect/Get; the steps that need the card are completed by a small page script
 * (public/src/card-services.js) that talks to the helper and posts JSON here.
 */
@Controller('cards/services')
export class CardServicesController {
  constructor(
    private readonly services: CardServicesService,
    private readonly renewal: CardRenewalService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private subject(req: Request) {
    // Keep the session (and so the per-session failure counts) from the first attempt on.
    req.session.cardServices ??= {};
    return { sessionId: req.sessionID, clientIp: req.ip ?? null };
  }

  private view(card: Card, req: Request) {
    return cardView(card, req.lang, this.services.config.renewalWindowDays);
  }

  private async card(number: string, req: Request, service?: CardService): Promise<Card> {
    const card = await this.services.card(number, this.subject(req));
    if (service) this.services.require(card, service);
    return card;
  }

  /** A page whose script talks to the reader helper. */
  private scriptPage(card: Card, req: Request, extra: Record<string, unknown>) {
    return { card: this.view(card, req), helperUrl: this.config.helperUrl, scriptMessages: scriptMessages(req.lang), backHref: `/cards/services/${card.cardNumber}`, ...extra };
  }

  // ---- card number and status -----------------------------------------------------------------

  @Get()
  @Public()
  @Render('cards/services/entry')
  entry() {
    return { titleKey: 'cardServices.entry.title', values: {} };
  }

  @Post()
  @Public()
  async find(@Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const result = await this.services.lookup(body.cardNumber, this.subject(req));
    if (!result.card) throw new FormValidationError('cards/services/entry', 'cardServices.entry.title', result.errors, { cardNumber: result.value });
    res.redirect(303, `/cards/services/${result.card.cardNumber}`);
  }

  @Get(':number')
  @Public()
  @Render('cards/services/status')
  async status(@Param('number') number: string, @Req() req: Request) {
    const card = await this.card(number, req);
    return { titleKey: 'cardServices.status.title', card: this.view(card, req), backHref: '/cards/services', renewalWindowDays: this.services.config.renewalWindowDays };
  }

  // ---- the user-code form (open, unlock, suspend, resume, revoke, lost) ------------------------

  private userCodeContext(card: Card, req: Request, service: UserCodeStep) {
    return {
      card: this.view(card, req),
      service,
      action: `/cards/services/${card.cardNumber}/${service}`,
      headingKey: `cardServices.${service}.title`,
      introKey: `cardServices.${service}.intro`,
      submitKey: `cardServices.${service}.submit`,
      warningKey: ['suspend', 'revoke', 'lost'].includes(service) ? `cardServices.${service}.warning` : null,
      reasonItems: service === 'revoke' ? REVOKE_REASONS.map((value) => ({ value, labelKey: `cardServices.revoke.reason.${value}`, hintKey: `cardServices.revoke.reason.${value}.hint` })) : null,
      confirmItems: ['revoke', 'lost'].includes(service) ? [{ value: 'yes', labelKey: `cardServices.${service}.confirm` }] : null,
      backHref: `/cards/services/${card.cardNumber}`,
    };
  }

  private async userCodeForm(number: string, req: Request, service: UserCodeStep) {
    const card = await this.card(number, req, service);
    return { ...this.userCodeContext(card, req, service), titleKey: `cardServices.${service}.title`, values: {} };
  }

  /** Checks the form (and the user code); re-renders it with the errors, or returns the card. */
  private async checkUserCodeForm(number: string, req: Request, body: Body, service: UserCodeStep, errors: FieldError[] = []): Promise<Card> {
    const card = await this.card(number, req, service);
    const values = { reason: typeof body.reason === 'string' ? body.reason : '', confirm: body.confirm === 'yes' ? 'yes' : '' };
    // The other fields first: a missing choice costs no user-code try.
    if (!errors.length) {
      const result = await this.services.checkUserCode(card, body.userCode, service, this.subject(req));
      if (result.ok) return card;
      errors = result.errors;
    }
    throw new FormValidationError('cards/services/user-code', `cardServices.${service}.title`, errors, values, this.userCodeContext(card, req, service));
  }

  @Get(':number/open')
  @Public()
  @Render('cards/services/user-code')
  openForm(@Param('number') number: string, @Req() req: Request) {
    return this.userCodeForm(number, req, 'open');
  }

  @Post(':number/open')
  @Public()
  async openCheck(@Param('number') number: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const card = await this.checkUserCodeForm(number, req, body, 'open');
    grant(req, card.cardNumber, 'open');
    res.redirect(303, `/cards/services/${card.cardNumber}/open/card`);
  }

  /** After the user code: the initial PIN (from the PIN mailer) goes to the helper, which opens the card and signs a challenge with it. */
  @Get(':number/open/card')
  @Public()
  async openCard(@Param('number') number: string, @Req() req: Request, @Res() res: Response) {
    const card = await this.card(number, req, 'open');
    if (!hasGrant(req, card.cardNumber, 'open')) return res.redirect(303, `/cards/services/${card.cardNumber}/open`);
    res.render('cards/services/open-card', { titleKey: 'cardServices.open.title', ...this.scriptPage(card, req, { scriptAction: 'open' }) });
  }

  @Post(':number/open/challenge')
  @Public()
  @HttpCode(200)
  async openChallenge(@Param('number') number: string, @Req() req: Request) {
    const card = await this.card(number, req, 'open');
    if (!hasGrant(req, card.cardNumber, 'open')) throw new ForbiddenError('card-user-code-first', 'cardServices.errors.userCodeFirst');
    return this.challenge(req);
  }

  @Post(':number/open/complete')
  @Public()
  @HttpCode(200)
  async openComplete(@Param('number') number: string, @Body() body: Body, @Req() req: Request) {
    const card = await this.card(number, req, 'open');
    if (!hasGrant(req, card.cardNumber, 'open')) throw new ForbiddenError('card-user-code-first', 'cardServices.errors.userCodeFirst');
    await this.services.completeOpen(card, this.presence(req, body));
    takeGrant(req, card.cardNumber, 'open');
    return { ok: true, redirect: `/cards/services/${card.cardNumber}/done/opened` };
  }

  private async challenge(req: Request) {
    (req.session.cardServices ??= {}).challengeAt = Date.now();
    await saveSession(req);
    return this.services.issueChallenge(req.sessionID);
  }

  private presence(req: Request, body: Body) {
    return { token: body.token, challenge: body.challenge, sessionId: req.sessionID, origin: req.get('origin'), clientIp: req.ip ?? null };
  }

  // ---- PIN: change, unlock with the PUK -------------------------------------------------------

  @Get(':number/change-pin')
  @Public()
  @Render('cards/services/change-pin')
  async changePin(@Param('number') number: string, @Req() req: Request) {
    const card = await this.card(number, req, 'change-pin');
    return { titleKey: 'cardServices.change-pin.title', ...this.scriptPage(card, req, { scriptAction: 'change-pin' }) };
  }

  @Get(':number/unlock')
  @Public()
  @Render('cards/services/user-code')
  unlockForm(@Param('number') number: string, @Req() req: Request) {
    return this.userCodeForm(number, req, 'unlock');
  }

  @Post(':number/unlock')
  @Public()
  async unlockCheck(@Param('number') number: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const card = await this.checkUserCodeForm(number, req, body, 'unlock');
    grant(req, card.cardNumber, 'unlock');
    res.redirect(303, `/cards/services/${card.cardNumber}/unlock/puk`);
  }

  /** The PUK, shown once after the user-code check (never cached), and the unlock through the helper. */
  @Get(':number/unlock/puk')
  @Public()
  async unlockPuk(@Param('number') number: string, @Req() req: Request, @Res() res: Response) {
    const card = await this.card(number, req, 'unlock');
    if (!takeGrant(req, card.cardNumber, 'unlock')) return res.redirect(303, `/cards/services/${card.cardNumber}/unlock`);
    const puk = await this.services.releasePuk(card);
    res.setHeader('Cache-Control', 'no-store');
    res.render('cards/services/unlock', { titleKey: 'cardServices.unlock.title', puk, ...this.scriptPage(card, req, { scriptAction: 'unlock' }) });
  }

  // ---- suspend, resume, revoke, report lost ---------------------------------------------------

  @Get(':number/suspend')
  @Public()
  @Render('cards/services/user-code')
  suspendForm(@Param('number') number: string, @Req() req: Request) {
    return this.userCodeForm(number, req, 'suspend');
  }

  @Post(':number/suspend')
  @Public()
  async suspend(@Param('number') number: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const card = await this.checkUserCodeForm(number, req, body, 'suspend');
    await this.services.suspend(card);
    res.redirect(303, `/cards/services/${card.cardNumber}/done/suspended`);
  }

  @Get(':number/resume')
  @Public()
  @Render('cards/services/user-code')
  resumeForm(@Param('number') number: string, @Req() req: Request) {
    return this.userCodeForm(number, req, 'resume');
  }

  @Post(':number/resume')
  @Public()
  async resume(@Param('number') number: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const card = await this.checkUserCodeForm(number, req, body, 'resume');
    await this.services.resume(card);
    res.redirect(303, `/cards/services/${card.cardNumber}/done/resumed`);
  }

  @Get(':number/revoke')
  @Public()
  @Render('cards/services/user-code')
  revokeForm(@Param('number') number: string, @Req() req: Request) {
    return this.userCodeForm(number, req, 'revoke');
  }

  @Post(':number/revoke')
  @Public()
  async revoke(@Param('number') number: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const errors: FieldError[] = [];
    if (!isRevokeReason(body.reason)) errors.push({ field: 'reason', messageKey: 'cardServices.errors.reason' });
    if (body.confirm !== 'yes') errors.push({ field: 'confirm', messageKey: 'cardServices.errors.confirm' });
    const card = await this.checkUserCodeForm(number, req, body, 'revoke', errors);
    await this.services.revoke(card, body.reason as never);
    res.redirect(303, `/cards/services/${card.cardNumber}/done/revoked`);
  }

  @Get(':number/lost')
  @Public()
  @Render('cards/services/user-code')
  lostForm(@Param('number') number: string, @Req() req: Request) {
    return this.userCodeForm(number, req, 'lost');
  }

  /** Report lost and reissue: the card is revoked, and the reservation journey continues with a draft filled from it. */
  @Post(':number/lost')
  @Public()
  async lost(@Param('number') number: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const errors: FieldError[] = body.confirm === 'yes' ? [] : [{ field: 'confirm', messageKey: 'cardServices.errors.confirm' }];
    const card = await this.checkUserCodeForm(number, req, body, 'lost', errors);
    const { draft, step } = await this.services.reportLost(card, this.subject(req));
    (req.session.cardReservation ??= {}).draft = draft;
    res.redirect(303, `/cards/reserve/${card.cardType}/${step}`);
  }

  // ---- user-code reminder ---------------------------------------------------------------------

  @Get(':number/user-code')
  @Public()
  @Render('cards/services/reminder')
  async reminderForm(@Param('number') number: string, @Req() req: Request) {
    const card = await this.card(number, req, 'user-code');
    return { titleKey: 'cardServices.user-code.title', card: this.view(card, req), backHref: `/cards/services/${card.cardNumber}` };
  }

  @Post(':number/user-code')
  @Public()
  async reminder(@Param('number') number: string, @Req() req: Request, @Res() res: Response) {
    const card = await this.card(number, req, 'user-code');
    const { sentTo } = await this.services.sendUserCodeReminder(card, req.lang, this.subject(req));
    req.session.cardServices!.reminderSentTo = { cardNumber: card.cardNumber, to: sentTo };
    res.redirect(303, `/cards/services/${card.cardNumber}/done/reminder`);
  }

  // ---- renewal before expiry ------------------------------------------------------------------

  @Get(':number/renew')
  @Public()
  @Render('cards/services/renew')
  async renew(@Param('number') number: string, @Req() req: Request) {
    const card = await this.card(number, req, 'renew');
    return {
      titleKey: 'cardServices.renew.title',
      card: this.view(card, req),
      online: onlineRenewalOpen(card, this.services.config.renewalWindowDays),
      reserveHref: `/cards/reserve/${card.cardType}`,
      backHref: `/cards/services/${card.cardNumber}`,
    };
  }

  private async renewable(number: string, req: Request): Promise<Card> {
    const card = await this.card(number, req, 'renew');
    if (!onlineRenewalOpen(card, this.services.config.renewalWindowDays)) throw new ConflictError('card-renewal-not-open', 'cardServices.renew.errors.notOpen', { days: this.services.config.renewalWindowDays });
    return card;
  }

  @Get(':number/renew/online')
  @Public()
  @Render('cards/services/renew-online')
  async renewOnline(@Param('number') number: string, @Req() req: Request) {
    const card = await this.renewable(number, req);
    return { titleKey: 'cardServices.renew.online.title', ...this.scriptPage(card, req, { scriptAction: 'renew', backHref: `/cards/services/${card.cardNumber}/renew` }) };
  }

  @Post(':number/renew/challenge')
  @Public()
  @HttpCode(200)
  async renewChallenge(@Param('number') number: string, @Req() req: Request) {
    await this.renewable(number, req);
    return this.challenge(req);
  }

  @Post(':number/renew/complete')
  @Public()
  @HttpCode(200)
  async renewComplete(@Param('number') number: string, @Body() body: Body, @Req() req: Request) {
    const card = await this.renewable(number, req);
    await this.renewal.renew(card, this.presence(req, body));
    return { ok: true, redirect: `/cards/services/${card.cardNumber}/done/renewed` };
  }

  // ---- confirmations --------------------------------------------------------------------------

  @Get(':number/done/:what')
  @Public()
  @Render('cards/services/done')
  async done(@Param('number') number: string, @Param('what') what: string, @Req() req: Request) {
    if (!(DONE as readonly string[]).includes(what)) throw new NotFoundError('not-found', 'errors.404.message');
    const card = await this.card(number, req);
    const done = what as Done;
    let reminder: { sentTo: string | null } | null = null;
    if (done === 'reminder') {
      const flash = req.session.cardServices?.reminderSentTo;
      if (flash?.cardNumber === card.cardNumber) reminder = { sentTo: flash.to };
      delete req.session.cardServices?.reminderSentTo;
    }
    return {
      titleKey: `cardServices.done.${done}.title`,
      done,
      panelKey: `cardServices.done.${done}.title`,
      nextKey: `cardServices.done.${done}.next`,
      reminder,
      card: this.view(card, req),
    };
  }
}
