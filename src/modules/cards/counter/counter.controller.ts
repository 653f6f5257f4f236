import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../../common/access/access.decorator';
import type { Principal } from '../../../common/context/request-context';
import { FormValidationError, NotSignedInError, type FieldError } from '../../../common/errors/domain-error';
import { pageParam, pager } from '../../notifications/pagination';
import { isIsoDay } from '../counter-date';
import { checkDecision } from './counter-decision';
import { CounterService } from './counter.service';

const RESERVATION_TEMPLATE = 'cards/counter/reservation';
const RESERVATION_TITLE = 'cards.counter.reservation.title';

function principalOf(req: Request): Principal {
  const principal = req.session.principal;
  if (!principal) throw new NotSignedInError('/staff/login');
  return principal;
}

/**
 * The registration counter's pages (intranet, counter staff, their own counter only): the list of
 * today's and upcoming reservations, one reservation with its decision form, and the decision.
 * Approving answers with the PIN mailer itself rather than a redirect: the initial PIN is shown
 * this once and kept nowhere, so there is nothing a later GET could show (reloading re-posts,
 * which is refused as already decided). Every other POST answers with Post/Redirect/Get.
 */
@Controller('counter')
@Allow('counter_staff')
export class CounterController {
  constructor(private readonly counter: CounterService) {}

  @Get()
  @Render('cards/counter/list')
  async list(@Query('date') dateParam: string | undefined, @Query('page') pageText: string | undefined, @Req() req: Request) {
    const principal = principalOf(req);
    const date = (dateParam ?? '').trim();
    const values = { date };
    if (date && !isIsoDay(date)) {
      const errors: FieldError[] = [{ field: 'date', messageKey: 'cards.counter.errors.date' }];
      const counterName = await this.counter.counterName(this.counter.counterCodeOf(principal), req.lang);
      throw new FormValidationError('cards/counter/list', 'cards.counter.list.title', errors, values, { counterName, rows: [], total: 0, filtered: true });
    }
    const page = pageParam(pageText);
    const result = await this.counter.list(principal, { day: date || null, page }, req.lang);
    const href = (p: number) => `/counter?${new URLSearchParams([...(date ? [['date', date]] : []), ['page', String(p)]])}`;
    return { titleKey: 'cards.counter.list.title', values, ...result, filtered: !!date, pagination: pager(result.page, result.pages, href) };
  }

  @Get('reservations/:reference')
  @Render(RESERVATION_TEMPLATE)
  async show(@Param('reference') reference: string, @Req() req: Request) {
    const reservation = await this.counter.reservationAt(principalOf(req), reference);
    return { titleKey: RESERVATION_TITLE, backHref: '/counter', values: { decision: '', documents: [], reason: '' }, ...(await this.counter.page(reservation, req.lang)) };
  }

  @Post('reservations/:reference')
  async decide(@Param('reference') reference: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const principal = principalOf(req);
    const reservation = await this.counter.reservationAt(principal, reference);
    const check = checkDecision(body, reservation.cardType, reservation.agentName !== null, req.lang);
    // Decided meanwhile (or a stale form): the 409 page, whatever the form says.
    this.counter.assertUndecided(reservation, check.input.version);
    if (check.errors.length) {
      const context = { backHref: '/counter', ...(await this.counter.page(reservation, req.lang)) };
      throw new FormValidationError(RESERVATION_TEMPLATE, RESERVATION_TITLE, check.errors, check.values, context);
    }
    if (check.input.decision === 'reject') {
      await this.counter.reject(principal, reservation, check.input);
      return res.redirect(303, `/counter/reservations/${reservation.reference}`);
    }
    const issued = await this.counter.approve(principal, reservation, check.input);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).render('cards/counter/issued', {
      titleKey: 'cards.counter.issued.title',
      reference: reservation.reference,
      cardNumber: issued.card.cardNumber,
      holderName: issued.card.holderName,
      cardTypeKey: `cards.type.${issued.card.cardType}`,
      initialPin: issued.initialPin,
      notAfter: issued.certificate.notAfter,
    });
  }
}
