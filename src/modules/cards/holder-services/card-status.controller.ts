import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../../common/access/current-principal.decorator';
import { FormValidationError } from '../../../common/errors/domain-error';
import { textField } from '../../../common/forms';
import { cardsError } from '../cards.errors';
import { CardAccess } from './card-access.service';
import { holderSession } from './holder-request';
import { HolderPages } from './holder-pages';
import { UserCodeReminders } from './user-code-reminder.service';

/** Confirmation pages after a service, by the path segment after /done/. */
const DONE = ['opened', 'suspended', 'resumed', 'revoked', 'renewed', 'reminder'] as const;
type Done = (typeof DONE)[number];

/**
 * The card services by card number (HCA 卡片作業), public pages: the card number → the card's
 * status and the services menu for its state; the user-code reminder; the confirmation after each
 * service. The services themselves: card-open, card-unlock, card-state and card-renewal
 * controllers.
 */
@Controller('cards/services')
@Public()
export class CardStatusController {
  constructor(
    private readonly access: CardAccess,
    private readonly pages: HolderPages,
    private readonly reminders: UserCodeReminders,
  ) {}

  @Get()
  @Render('cards/services/entry')
  entry() {
    return { titleKey: 'cardServices.entry.title', values: {} };
  }

  @Post()
  async find(@Body() body: unknown, @AttemptBy() attempter: Attempter, @Res() res: Response) {
    const result = await this.access.lookup(textField(body, 'cardNumber'), attempter);
    if (!result.card) throw new FormValidationError('cards/services/entry', 'cardServices.entry.title', result.errors, { cardNumber: result.value });
    res.redirect(303, `/cards/services/${result.card.cardNumber}`);
  }

  @Get(':number')
  @Render('cards/services/status')
  async status(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.pages.card(number, attempter);
    return { titleKey: 'cardServices.status.title', card: this.pages.view(card, req.lang), backHref: '/cards/services', renewalWindowDays: this.pages.renewalWindowDays };
  }

  // ---- user-code reminder ---------------------------------------------------------------------

  @Get(':number/user-code')
  @Render('cards/services/reminder')
  async reminderForm(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    const card = await this.pages.card(number, attempter, 'user-code');
    return { titleKey: 'cardServices.user-code.title', card: this.pages.view(card, req.lang), backHref: `/cards/services/${card.cardNumber}` };
  }

  @Post(':number/user-code')
  async reminder(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.card(number, attempter, 'user-code');
    const { sentTo } = await this.reminders.send(card, req.lang, attempter);
    holderSession(req).reminderSentTo = { cardNumber: card.cardNumber, to: sentTo };
    res.redirect(303, `/cards/services/${card.cardNumber}/done/reminder`);
  }

  // ---- confirmations --------------------------------------------------------------------------

  @Get(':number/done/:what')
  @Render('cards/services/done')
  async done(@Param('number') number: string, @Param('what') what: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    if (!(DONE as readonly string[]).includes(what)) throw cardsError.notFound('card-service-not-found');
    const card = await this.pages.card(number, attempter);
    const done = what as Done;
    const session = holderSession(req);
    let reminder: { sentTo: string | null } | null = null;
    if (done === 'reminder') {
      const flash = session.reminderSentTo;
      if (flash?.cardNumber === card.cardNumber) reminder = { sentTo: flash.to };
      delete session.reminderSentTo;
    }
    return {
      titleKey: `cardServices.done.${done}.title`,
      done,
      panelKey: `cardServices.done.${done}.title`,
      nextKey: `cardServices.done.${done}.next`,
      reminder,
      card: this.pages.view(card, req.lang),
    };
  }
}
