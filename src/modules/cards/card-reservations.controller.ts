import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { ForbiddenError, FormValidationError } from '../../common/errors/domain-error';
import { buildApplicationPdf } from './application-pdf';
import type { CardReservation } from './card-reservation.entity';
import { CardReservationService } from './card-reservation.service';
import { normalizeReference } from './reference-number';
import { MAX_SESSION_REFERENCES } from './reservation-draft';
import { ReservationPresenter } from './reservation-presenter';

/**
 * A reservation after it was made: the confirmation, the lookup (已預約查詢與重列印) with the
 * application's progress (申請進度查詢), and the printable application form. A reservation is
 * shown only to the browser session that made it or that found it with the national ID and the
 * reference number; any other request gets the same refusal, whether the reference exists or not.
 */
@Controller('cards')
export class CardReservationsController {
  constructor(
    private readonly reservations: CardReservationService,
    private readonly presenter: ReservationPresenter,
  ) {}

  private async accessible(req: Request, referenceParam: string): Promise<CardReservation> {
    const reference = normalizeReference(referenceParam);
    const allowed = !!reference && (req.session.cardReservation?.references ?? []).includes(reference);
    const reservation = allowed ? await this.reservations.findByReference(reference) : null;
    if (!reservation) throw new ForbiddenError('reservation-not-in-session', 'cards.errors.lookupFirst');
    return reservation;
  }

  @Get('reservations/:reference/confirmation')
  @Public()
  @Render('cards/reservation-confirmation')
  async confirmation(@Param('reference') reference: string, @Req() req: Request) {
    const reservation = await this.accessible(req, reference);
    return { titleKey: 'cards.confirmation.title', reservation: await this.presenter.page(reservation, req.lang) };
  }

  @Get('reservations/:reference')
  @Public()
  @Render('cards/reservation')
  async show(@Param('reference') reference: string, @Req() req: Request) {
    const reservation = await this.accessible(req, reference);
    return { titleKey: 'cards.reservation.title', backHref: '/cards/lookup', reservation: await this.presenter.page(reservation, req.lang) };
  }

  @Get('reservations/:reference/application.pdf')
  @Public()
  async pdf(@Param('reference') reference: string, @Req() req: Request, @Res() res: Response) {
    const reservation = await this.accessible(req, reference);
    const pdf = await buildApplicationPdf(await this.presenter.pdfData(reservation));
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="application-${reservation.reference}.pdf"`);
    // It carries the full national ID: never kept by a shared cache or the browser's disk cache.
    res.setHeader('Cache-Control', 'no-store');
    res.send(pdf);
  }

  @Get('lookup')
  @Public()
  @Render('cards/lookup')
  lookupForm() {
    return { titleKey: 'cards.lookup.title', values: {} };
  }

  @Post('lookup')
  @Public()
  async lookup(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    // Keep the session (and so the per-session failure count) from the first attempt on.
    const session = (req.session.cardReservation ??= {});
    const result = await this.reservations.lookup(body, { sessionId: req.sessionID, clientIp: req.ip ?? null });
    if (!result.reference) {
      throw new FormValidationError('cards/lookup', 'cards.lookup.title', result.errors, { nationalId: result.values.nationalId, reference: result.values.reference });
    }
    session.references = [...(session.references ?? []).filter((r) => r !== result.reference), result.reference].slice(-MAX_SESSION_REFERENCES);
    res.redirect(303, `/cards/reservations/${result.reference}`);
  }
}
