import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../../common/access/current-principal.decorator';
import { textField } from '../../../common/forms';
import { sendFile } from '../../../common/web/download';
import { sendStep } from '../../../common/web/step';
import { ReservationFlow } from './reservation-flow';
import { ReservationPresenter } from './reservation-presenter';
import { buildApplicationPdf } from './application-pdf';

/**
 * A reservation after it was made: the confirmation, the lookup (已預約查詢與重列印) with the
 * application's progress (申請進度查詢), and the printable application form. A reservation is
 * shown only to the browser session that made it or that found it with the national ID and the
 * reservation number (預約編號); any other session is sent to the lookup with the number filled in.
 */
@Controller('cards')
@Public()
export class CardReservationsController {
  constructor(
    private readonly flow: ReservationFlow,
    private readonly presenter: ReservationPresenter,
  ) {}

  @Get('reservations/:reference/confirmation')
  async confirmation(@Param('reference') reference: string, @Req() req: Request, @Res() res: Response) {
    sendStep(res, await this.flow.confirmation(req.session.cardReservation, reference, req.lang));
  }

  @Get('reservations/:reference')
  async show(@Param('reference') reference: string, @Req() req: Request, @Res() res: Response) {
    sendStep(res, await this.flow.show(req.session.cardReservation, reference, req.lang));
  }

  /** The printable form: a download named in zh-TW (申請書-R….pdf); `?open=1` shows it in the browser instead. */
  @Get('reservations/:reference/application.pdf')
  async pdf(@Param('reference') reference: string, @Query() query: unknown, @Req() req: Request, @Res() res: Response) {
    const reservation = await this.flow.accessible(req.session.cardReservation, reference);
    if (!reservation) return sendStep(res, this.flow.lookupAgain(reference));
    const data = await this.presenter.pdfData(reservation);
    const body = await buildApplicationPdf(data);
    // It carries the full national ID: like every page it is sent no-store (http-pipeline).
    sendFile(res, { body, type: 'application/pdf', name: `${data.fileName}.pdf`, asciiName: `application-${reservation.reference}.pdf`, open: textField(query, 'open') === '1' });
  }

  @Get('lookup')
  lookupForm(@Query() query: unknown, @Res() res: Response) {
    sendStep(res, this.flow.lookupForm(query));
  }

  @Post('lookup')
  async lookup(@Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    // Keep the session (and so the per-session failure count) from the first attempt on.
    sendStep(res, await this.flow.lookup((req.session.cardReservation ??= {}), body, attempter));
  }
}
