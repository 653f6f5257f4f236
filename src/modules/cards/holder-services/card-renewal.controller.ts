import { Body, Controller, Get, HttpCode, Param, Post, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../../common/access/current-principal.decorator';
import { SessionService } from '../../auth';
import { CardPresenceService } from './card-presence.service';
import { CardRenewalService } from './card-renewal.service';
import { onlineRenewalOpen, requireRenewalOpen } from './card-service-rules';
import { HolderPages } from './holder-pages';
import { holderSession, presenceOf } from './holder-request';

/** Renewal before expiry (到期換發): online with the current card in the reader, or by reservation. */
@Controller('cards/services/:number/renew')
@Public()
export class CardRenewalController {
  constructor(
    private readonly pages: HolderPages,
    private readonly renewal: CardRenewalService,
    private readonly presence: CardPresenceService,
    private readonly sessions: SessionService,
  ) {}

  private async renewable(number: string, attempter: Attempter) {
    const card = await this.pages.card(number, attempter, 'renew');
    requireRenewalOpen(card, this.pages.renewalWindowDays);
    return card;
  }

  @Get()
  @Render('cards/services/renew')
  async renew(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.pages.card(number, attempter, 'renew');
    return {
      titleKey: 'cardServices.renew.title',
      card: this.pages.view(card, req.lang),
      online: onlineRenewalOpen(card, this.pages.renewalWindowDays),
      reserveHref: `/cards/reserve/${card.cardType}`,
      backHref: `/cards/services/${card.cardNumber}`,
    };
  }

  @Get('online')
  @Render('cards/services/renew-online')
  async online(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.renewable(number, attempter);
    return { titleKey: 'cardServices.renew.online.title', ...this.pages.scriptPage(card, req.lang, { scriptAction: 'renew', backHref: `/cards/services/${card.cardNumber}/renew` }) };
  }

  @Post('challenge')
  @HttpCode(200)
  async challenge(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    await this.renewable(number, attempter);
    holderSession(req).challengeAt = Date.now();
    const challenge = await this.presence.issueChallenge(attempter);
    return { ...challenge, csrfToken: await this.sessions.keep(req) };
  }

  @Post('complete')
  @HttpCode(200)
  async complete(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.renewable(number, attempter);
    await this.renewal.renew(card, presenceOf(req, body));
    return { ok: true, redirect: `/cards/services/${card.cardNumber}/done/renewed` };
  }
}
