import { Body, Controller, Get, HttpCode, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../../common/access/current-principal.decorator';
import { SessionService } from '../../auth';
import { CardStateChanges } from './card-state-changes.service';
import { HolderPages } from './holder-pages';
import { holderSession, presenceOf } from './holder-request';

/**
 * Opening a card (開卡): the user code, then the initial PIN (from the PIN mailer) goes to the
 * reader helper, which opens the card and signs this session's challenge with it.
 */
@Controller('cards/services/:number/open')
@Public()
export class CardOpenController {
  constructor(
    private readonly pages: HolderPages,
    private readonly changes: CardStateChanges,
    private readonly sessions: SessionService,
  ) {}

  @Get()
  @Render('cards/services/user-code')
  form(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    return this.pages.userCodeForm(number, attempter, req.lang, 'open');
  }

  @Post()
  async check(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.checkUserCodeForm(number, body, attempter, req.lang, 'open');
    this.changes.allowOpening(holderSession(req), card);
    res.redirect(303, `/cards/services/${card.cardNumber}/open/card`);
  }

  @Get('card')
  async card(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.card(number, attempter, 'open');
    if (!this.changes.mayOpen(holderSession(req), card)) return res.redirect(303, `/cards/services/${card.cardNumber}/open`);
    res.render('cards/services/open-card', { titleKey: 'cardServices.open.title', ...this.pages.scriptPage(card, req.lang, { scriptAction: 'open' }) });
  }

  @Post('challenge')
  @HttpCode(200)
  async challenge(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.pages.card(number, attempter, 'open');
    const challenge = await this.changes.openingChallenge(holderSession(req), card, attempter);
    return { ...challenge, csrfToken: await this.sessions.keep(req) };
  }

  @Post('complete')
  @HttpCode(200)
  async complete(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.pages.card(number, attempter, 'open');
    await this.changes.open(holderSession(req), card, presenceOf(req, body));
    return { ok: true, redirect: `/cards/services/${card.cardNumber}/done/opened` };
  }
}
