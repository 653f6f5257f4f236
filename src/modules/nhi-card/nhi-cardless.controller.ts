import { Body, Controller, Get, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { AttemptBy, type Attempter } from '../../common/access/current-principal.decorator';
import { FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { SessionService } from '../auth';
import { NhiCardlessService, SMS_CODE } from './nhi-cardless.service';

const STEPS = {
  id: { template: 'nhi-card/cardless-id', titleKey: 'nhiCard.cardless.title' },
  code: { template: 'nhi-card/cardless-code', titleKey: 'nhiCard.cardless.code.title' },
  card: { template: 'nhi-card/cardless-card', titleKey: 'nhiCard.cardless.card.title' },
} as const;

/**
 * 健保卡(無卡) sign-in, three steps kept in the session: national ID (a code is sent by SMS) →
 * the code → the NHI card number. A step out of turn goes back to the start.
 */
@Controller('login/nhi-cardless')
export class NhiCardlessController {
  constructor(
    private readonly cardless: NhiCardlessService,
    private readonly sessions: SessionService,
  ) {}

  private refuse(step: keyof typeof STEPS, errors: FieldError[], values: Record<string, string> = {}): never {
    throw new FormValidationError(STEPS[step].template, STEPS[step].titleKey, errors, values, { minutes: SMS_CODE.validSeconds / 60 });
  }

  @Get()
  @Public()
  @Render('nhi-card/cardless-id')
  start() {
    return { titleKey: STEPS.id.titleKey, values: {} };
  }

  @Post()
  @Public()
  async sendCode(@Req() req: Request, @Res() res: Response, @Body() body: unknown, @AttemptBy() attempter: Attempter) {
    const nationalId = textField(body, 'nationalId').toUpperCase();
    const result = await this.cardless.sendCode(nationalId, req.lang, attempter);
    if (!result.index) this.refuse('id', result.errors, { nationalId });
    req.session.nhiCardless = { index: result.index, codeOk: false, startedAt: Date.now() };
    res.redirect(303, '/login/nhi-cardless/code');
  }

  @Get('code')
  @Public()
  codeForm(@Req() req: Request, @Res() res: Response) {
    if (!req.session.nhiCardless) return res.redirect(303, '/login/nhi-cardless');
    res.render(STEPS.code.template, { titleKey: STEPS.code.titleKey, values: {}, minutes: SMS_CODE.validSeconds / 60 });
  }

  @Post('code')
  @Public()
  async checkCode(@Req() req: Request, @Res() res: Response, @Body() body: unknown, @AttemptBy() attempter: Attempter) {
    const pending = req.session.nhiCardless;
    if (!pending) return res.redirect(303, '/login/nhi-cardless');
    const errors = await this.cardless.checkCode(pending.index, textField(body, 'code'), attempter);
    if (errors.length) this.refuse('code', errors);
    req.session.nhiCardless = { ...pending, codeOk: true };
    res.redirect(303, '/login/nhi-cardless/card');
  }

  /** "Send the code again": a new code replaces the old (after the cooldown). */
  @Post('resend')
  @Public()
  async resend(@Req() req: Request, @Res() res: Response) {
    const pending = req.session.nhiCardless;
    if (!pending) return res.redirect(303, '/login/nhi-cardless');
    const refused = await this.cardless.send(pending.index, req.lang);
    if (refused) this.refuse('code', refused.errors.map((e) => ({ ...e, field: 'code' })));
    req.session.nhiCardless = { ...pending, codeOk: false };
    res.redirect(303, '/login/nhi-cardless/code');
  }

  @Get('card')
  @Public()
  cardForm(@Req() req: Request, @Res() res: Response) {
    if (!req.session.nhiCardless?.codeOk) return res.redirect(303, '/login/nhi-cardless');
    res.render(STEPS.card.template, { titleKey: STEPS.card.titleKey, values: {} });
  }

  @Post('card')
  @Public()
  async signIn(@Req() req: Request, @Res() res: Response, @Body() body: unknown, @AttemptBy() attempter: Attempter) {
    const pending = req.session.nhiCardless;
    if (!pending?.codeOk) return res.redirect(303, '/login/nhi-cardless');
    const cardNumber = textField(body, 'cardNumber');
    const result = await this.cardless.signIn(pending.index, cardNumber, attempter);
    if (!result.principal) this.refuse('card', result.errors, { cardNumber });
    await this.sessions.signIn(req, res, result.principal);
    res.redirect(303, '/');
  }
}
