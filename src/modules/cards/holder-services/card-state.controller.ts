import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../../common/access/current-principal.decorator';
import type { FieldError } from '../../../common/errors/domain-error';
import { textField } from '../../../common/forms';
import { CardStateChanges, isRevokeReason } from './card-state-changes.service';
import { HolderPages, type UserCodeStep } from './holder-pages';

/** The revoke and report-lost forms' own questions, checked before the user code (a missing answer costs no try). */
function confirmed(body: unknown): FieldError[] {
  return textField(body, 'confirm') === 'yes' ? [] : [{ field: 'confirm', messageKey: 'cardServices.errors.confirm' }];
}

/**
 * Suspend (暫禁) and resume a card, revoke it (註銷), or report it lost and reissue (掛失補發):
 * each after the user code, each one transition of the card and its certificate.
 */
@Controller('cards/services/:number')
@Public()
export class CardStateController {
  constructor(
    private readonly pages: HolderPages,
    private readonly changes: CardStateChanges,
  ) {}

  private form(number: string, attempter: Attempter, req: Request, service: UserCodeStep) {
    return this.pages.userCodeForm(number, attempter, req.lang, service);
  }

  @Get('suspend')
  @Render('cards/services/user-code')
  suspendForm(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    return this.form(number, attempter, req, 'suspend');
  }

  @Post('suspend')
  async suspend(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.checkUserCodeForm(number, body, attempter, req.lang, 'suspend');
    await this.changes.suspend(card);
    res.redirect(303, `/cards/services/${card.cardNumber}/done/suspended`);
  }

  @Get('resume')
  @Render('cards/services/user-code')
  resumeForm(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    return this.form(number, attempter, req, 'resume');
  }

  @Post('resume')
  async resume(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.checkUserCodeForm(number, body, attempter, req.lang, 'resume');
    await this.changes.resume(card);
    res.redirect(303, `/cards/services/${card.cardNumber}/done/resumed`);
  }

  @Get('revoke')
  @Render('cards/services/user-code')
  revokeForm(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    return this.form(number, attempter, req, 'revoke');
  }

  @Post('revoke')
  async revoke(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const reason = textField(body, 'reason');
    const errors: FieldError[] = [...(isRevokeReason(reason) ? [] : [{ field: 'reason', messageKey: 'cardServices.errors.reason' }]), ...confirmed(body)];
    const card = await this.pages.checkUserCodeForm(number, body, attempter, req.lang, 'revoke', errors);
    await this.changes.revoke(card, reason as never);
    res.redirect(303, `/cards/services/${card.cardNumber}/done/revoked`);
  }

  @Get('lost')
  @Render('cards/services/user-code')
  lostForm(@Param('number') number: string, @AttemptBy() attempter: Attempter, @Req() req: Request) {
    return this.form(number, attempter, req, 'lost');
  }

  /** Report lost and reissue: the card is revoked, and the reservation journey continues with a draft filled from it. */
  @Post('lost')
  async lost(@Param('number') number: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    const card = await this.pages.checkUserCodeForm(number, body, attempter, req.lang, 'lost', confirmed(body));
    const { draft, step } = await this.changes.reportLost(card, attempter);
    (req.session.cardReservation ??= {}).draft = draft;
    res.redirect(303, `/cards/reserve/${card.cardType}/${step}`);
  }
}
