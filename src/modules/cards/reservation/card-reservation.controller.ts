import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../../common/access/current-principal.decorator';
import { textField } from '../../../common/forms';
import { sendStep } from '../../../common/web/step';
import type { CardReservationSession } from '../lifecycle/reservation-draft';
import { cardTypeOf, ReservationFlow } from './reservation-flow';

/** The journey's draft in the browser session (kept from the first step on). */
function session(req: Request): CardReservationSession {
  return (req.session.cardReservation ??= {});
}

/**
 * The online reservation journey (醫事人員 / 醫事機構憑證、機構附卡、測試卡預約申請), one flow for
 * every card type (the applicant step's questions differ):
 * instructions → subscriber terms → applicant → counter, date and the rest → check your answers →
 * confirmation. Every step is a plain form with Post/Redirect/Get; the draft lives in the session
 * (ReservationFlow).
 */
@Controller('cards/reserve/:type')
@Public()
export class CardReservationController {
  constructor(private readonly flow: ReservationFlow) {}

  @Get()
  start(@Param('type') type: string, @Res() res: Response) {
    sendStep(res, this.flow.start(cardTypeOf(type)));
  }

  @Get('terms')
  terms(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    sendStep(res, this.flow.terms(session(req), cardTypeOf(type)));
  }

  @Post('terms')
  agree(@Param('type') type: string, @Body() body: unknown, @Req() req: Request, @Res() res: Response) {
    sendStep(res, this.flow.agree(session(req), cardTypeOf(type), body));
  }

  @Get('applicant')
  applicant(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    sendStep(res, this.flow.applicant(session(req), cardTypeOf(type), req.lang));
  }

  @Post('applicant')
  async submitApplicant(@Param('type') type: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    sendStep(res, await this.flow.submitApplicant(session(req), cardTypeOf(type), body, attempter, req.lang));
  }

  @Get('details')
  async details(@Param('type') type: string, @Query() query: unknown, @Req() req: Request, @Res() res: Response) {
    sendStep(res, await this.flow.details(session(req), cardTypeOf(type), textField(query, 'county'), req.lang));
  }

  @Post('details')
  async saveDetails(@Param('type') type: string, @Body() body: unknown, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    sendStep(res, await this.flow.saveDetails(session(req), cardTypeOf(type), body, attempter, req.lang));
  }

  @Get('check')
  async check(@Param('type') type: string, @Req() req: Request, @Res() res: Response) {
    sendStep(res, await this.flow.check(session(req), cardTypeOf(type), req.lang));
  }

  @Post('check')
  async submit(@Param('type') type: string, @AttemptBy() attempter: Attempter, @Req() req: Request, @Res() res: Response) {
    sendStep(res, await this.flow.submit(session(req), cardTypeOf(type), attempter, req.lang));
  }
}
