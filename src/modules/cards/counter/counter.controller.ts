import { Body, Controller, Get, HttpCode, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../../common/access/access.decorator';
import { CurrentPrincipal } from '../../../common/access/current-principal.decorator';
import type { Principal } from '../../../common/context/request-context';
import { FormValidationError } from '../../../common/errors/domain-error';
import { textField } from '../../../common/forms';
import { pageParam, pager } from '../../../common/web/pagination';
import { CounterService } from './counter.service';

const RESERVATION_TEMPLATE = 'cards/counter/reservation';
const RESERVATION_TITLE = 'cards.counter.reservation.title';
const LIST_TEMPLATE = 'cards/counter/list';
const LIST_TITLE = 'cards.counter.list.title';

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
  @Render(LIST_TEMPLATE)
  async list(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const date = textField(query, 'date');
    const result = await this.counter.list(principal, { day: date || null, page: pageParam(textField(query, 'page')) }, req.lang);
    if (result.errors.length) throw new FormValidationError(LIST_TEMPLATE, LIST_TITLE, result.errors, { date }, { counterName: result.counterName, rows: [], total: 0, filtered: true });
    const href = (p: number) => `/counter?${new URLSearchParams([...(date ? [['date', date]] : []), ['page', String(p)]])}`;
    return { titleKey: LIST_TITLE, values: { date }, ...result, filtered: !!date, pagination: pager(result.page, result.pages, href) };
  }

  /** Search by reservation number or national ID: a POST, so the ID never sits in a URL (logs, history). */
  @Post('search')
  @HttpCode(200)
  @Render(LIST_TEMPLATE)
  async search(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const q = textField(body, 'q').slice(0, 20);
    const result = await this.counter.list(principal, { day: null, q, page: 1 }, req.lang);
    if (result.errors.length) throw new FormValidationError(LIST_TEMPLATE, LIST_TITLE, result.errors, { q }, { counterName: result.counterName, rows: [], total: 0, filtered: true, searched: true });
    return { titleKey: LIST_TITLE, values: { q }, ...result, filtered: true, searched: true };
  }

  @Get('reservations/:reference')
  @Render(RESERVATION_TEMPLATE)
  async show(@Param('reference') reference: string, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const reservation = await this.counter.reservationAt(principal, reference);
    return { titleKey: RESERVATION_TITLE, backHref: '/counter', values: { decision: '', documents: [], reason: '' }, ...(await this.counter.page(reservation, req.lang)) };
  }

  /** "Show the national IDs in full" (audited): the same page, answered to the POST, IDs unmasked. */
  @Post('reservations/:reference/national-id')
  @HttpCode(200)
  @Render(RESERVATION_TEMPLATE)
  async showIds(@Param('reference') reference: string, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    return { titleKey: RESERVATION_TITLE, backHref: '/counter', values: { decision: '', documents: [], reason: '' }, ...(await this.counter.pageWithFullIds(principal, reference, req.lang)) };
  }

  @Post('reservations/:reference')
  async decide(@Param('reference') reference: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const result = await this.counter.decide(principal, reference, body, req.lang);
    switch (result.outcome) {
      case 'invalid':
        throw new FormValidationError(RESERVATION_TEMPLATE, RESERVATION_TITLE, result.errors, result.values, { backHref: '/counter', ...result.page });
      case 'rejected':
        return res.redirect(303, `/counter/reservations/${result.reference}`);
      case 'issued': {
        const { card, initialPin, certificate } = result.issued;
        return res.status(200).render('cards/counter/issued', {
          titleKey: 'cards.counter.issued.title',
          reference: result.reference,
          cardNumber: card.cardNumber,
          holderName: card.holderName,
          cardTypeKey: `cards.type.${card.cardType}`,
          initialPin,
          notAfter: certificate.notAfter,
        });
      }
    }
  }
}
