import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../../common/access/current-principal.decorator';
import { CardUnlock } from './card-unlock.service';
import { HolderPages } from './holder-pages';
import { holderSession } from './holder-request';

/**
 * The card's PIN: change it (old and new PIN go to the reader helper only), or unlock a locked
 * card (解鎖卡: the user code → the PUK shown once → the helper sets a new PIN with it).
 */
@Controller('cards/services/:number')
@Public()
export class CardUnlockController {
  constructor(
    private readonly pages: HolderPages,
    private readonly unlock: CardUnlock,
  ) {}

  @Get('change-pin')
  @Render('cards/services/change-pin')
  async changePin(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.pages.card(number, attempter, 'change-pin');
    return { titleKey: 'cardServices.change-pin.title', ...this.pages.scriptPage(card, req.lang, { scriptAction: 'change-pin' }) };
  }

  @Get('unlock')
  @Render('cards/services/user-code')
  unlockForm(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    return this.pages.userCodeForm(number, attempter, req.lang, 'unlock');
  }

  @Post('unlock')
  async unlockCheck(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.checkUserCodeForm(number, body, attempter, req.lang, 'unlock');
    this.unlock.allow(holderSession(req), card);
    res.redirect(303, `/cards/services/${card.cardNumber}/unlock/puk`);
  }

  /** The PUK, shown once after the user-code check (never cached), and the unlock through the helper. */
  @Get('unlock/puk')
  async puk(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.card(number, attempter, 'unlock');
    const puk = await this.unlock.releasePuk(holderSession(req), card);
    if (puk === null) return res.redirect(303, `/cards/services/${card.cardNumber}/unlock`);
    res.render('cards/services/unlock', { titleKey: 'cardServices.unlock.title', puk, ...this.pages.scriptPage(card, req.lang, { scriptAction: 'unlock' }) });
  }
}
