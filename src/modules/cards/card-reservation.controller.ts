import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { FormValidationError, NotFoundError, type FieldError } from '../../common/errors/domain-error';
import { isReservationCardType, type ReservationCardType } from './card-reservation.entity';
import { CardReservationService, DraftInvalid, type CounterChoice, type DetailsCheck } from './card-reservation.service';
import type { CounterCalendar } from './counter-date';
import { applicantForm, MAX_SESSION_REFERENCES, type ReservationDetails, type ReservationDraft } from './reservation-draft';
import { ReservationPresenter } from './reservation-presenter';
import { categoryOptions, documentKeys, NEED_KEYS } from './reservation-view';

type Body = Record<string, unknown>;

function cardTypeOf(value: string): ReservationCardType {
  if (!isReservationCardType(value)) throw new NotFoundError('card-type-unknown', 'errors.404.message');
  return value;
}

function base(type: ReservationCardType): string {
  return `/cards/reserve/${type}`;
}

/** What every page of the journey shows: the card type and the service's name as the caption. */
function common(type: ReservationCardType) {
  return { cardType: type, serviceKey: `cards.reserve.${type}.title`, base: base(type) };
}

function termsContext(type: ReservationCardType) {
  return { ...common(type), backHref: base(type), agreeItems: [{ value: 'yes', labelKey: 'cards.terms.agreeLabel' }] };
}

/**
 * The online reservation journey (醫事人員 / 醫事機構憑證、機構附卡、測試卡預約申請), one flow for
 * every card type (the applicant step's questions differ):
 * instructions → subscriber terms → applicant → counter, date and the rest → check your answers →
 * confirmation. Every step is a plain form with Post/Redirect/Get; the draft lives in the session.
 */
@Controller('cards/reserve/:type')
export class CardReservationController {
  constructor(
    private readonly reservations: CardReservationService,
    private readonly presenter: ReservationPresenter,
  ) {}

  private draftFor(req: Request, type: ReservationCardType): ReservationDraft | null {
    const draft = req.session.cardReservation?.draft;
    return draft && draft.cardType === type ? draft : null;
  }

  private subject(req: Request) {
    return { sessionId: req.sessionID, clientIp: req.ip ?? null };
  }

  // ---- instructions and terms -----------------------------------------------------------------

  @Get()
  @Public()
  start(@Param('type') typeParam: string, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    res.render('cards/reserve-start', {
      ...common(type),
      titleKey: `cards.reserve.${type}.title`,
      introKey: `cards.start.${type}.intro`,
      whoKey: `cards.start.${type}.who`,
      needKeys: NEED_KEYS[type].concat(['phone', 'email', 'userCode', 'address', 'agent']).map((k) => `cards.start.need.${k}`),
      selfDocumentKeys: documentKeys(type, false),
      agentDocumentKeys: documentKeys(type, true),
    });
  }

  @Get('terms')
  @Public()
  terms(@Param('type') typeParam: string, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    res.render('cards/reserve-terms', { ...termsContext(type), titleKey: 'cards.terms.title', values: { agree: this.draftFor(req, type) ? 'yes' : '' } });
  }

  @Post('terms')
  @Public()
  agree(@Param('type') typeParam: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    if (body.agree !== 'yes') {
      throw new FormValidationError('cards/reserve-terms', 'cards.terms.title', [{ field: 'agree', messageKey: 'cards.errors.agree' }], {}, termsContext(type));
    }
    const session = (req.session.cardReservation ??= {});
    session.draft = { ...(this.draftFor(req, type) ?? { cardType: type }), agreedAt: Date.now() };
    res.redirect(303, `${base(type)}/applicant`);
  }

  // ---- the applicant --------------------------------------------------------------------------

  private applicantContext(type: ReservationCardType, lang: Request['lang']) {
    return { ...common(type), backHref: `${base(type)}/terms`, headingKey: `cards.applicant.${type}.title`, categoryItems: type === 'personnel' ? categoryOptions(lang) : [] };
  }

  @Get('applicant')
  @Public()
  applicant(@Param('type') typeParam: string, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    const draft = this.draftFor(req, type);
    if (!draft) return res.redirect(303, `${base(type)}/terms`);
    const values = draft.applicant ? applicantForm(draft.applicant) : {};
    res.render('cards/reserve-applicant', { ...this.applicantContext(type, req.lang), titleKey: `cards.applicant.${type}.title`, values });
  }

  @Post('applicant')
  @Public()
  async checkApplicant(@Param('type') typeParam: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    const draft = this.draftFor(req, type);
    if (!draft) return res.redirect(303, `${base(type)}/terms`);
    const check = await this.reservations.checkApplicant(type, body, this.subject(req));
    if (!check.applicant) {
      throw new FormValidationError('cards/reserve-applicant', `cards.applicant.${type}.title`, check.errors, check.values, this.applicantContext(type, req.lang));
    }
    if (JSON.stringify(check.applicant) !== JSON.stringify(draft.applicant)) {
      // Someone else, or another institution: the counters on offer may differ, so check the details again.
      draft.applicant = check.applicant;
      draft.detailsComplete = false;
    }
    res.redirect(303, `${base(type)}/details`);
  }

  // ---- counter, date, contact, agent, user code, address --------------------------------------

  @Get('details')
  @Public()
  async details(@Param('type') typeParam: string, @Query('county') county: string | undefined, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    const draft = this.draftFor(req, type);
    if (!draft?.applicant) return res.redirect(303, `${base(type)}/${draft ? 'applicant' : 'terms'}`);
    // ?county= (the "update list" button, or htmx on choosing a county) shows that county's counters without changing the draft.
    const values: Partial<ReservationDetails> = { ...draft.details, ...(typeof county === 'string' ? { county } : {}) };
    const choice = await this.reservations.counterChoice(draft.applicant, values.county || undefined);
    values.county = choice.countyCode ?? '';
    const calendar = await this.reservations.calendar();
    res.render('cards/reserve-details', { ...(await this.detailsContext(type, req, draft, choice, calendar)), titleKey: 'cards.details.title', values });
  }

  @Post('details')
  @Public()
  async saveDetails(@Param('type') typeParam: string, @Body() body: Body, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    const draft = this.draftFor(req, type);
    if (!draft?.applicant) return res.redirect(303, `${base(type)}/${draft ? 'applicant' : 'terms'}`);
    const check = await this.reservations.checkDetails(draft.applicant, body, !!draft.userCodeHash);
    if (check.newUserCode) draft.userCodeHash = await this.reservations.hashUserCode(check.newUserCode);
    draft.details = check.details;
    draft.detailsComplete = check.errors.length === 0;
    // On bad input the session still keeps what was typed (and a valid user code's hash) for the next try.
    if (check.errors.length) throw await this.detailsError(type, req, draft, check, check.errors);
    res.redirect(303, `${base(type)}/check`);
  }

  private async detailsContext(type: ReservationCardType, req: Request, draft: ReservationDraft, choice: CounterChoice, calendar: CounterCalendar) {
    return { ...common(type), backHref: `${base(type)}/applicant`, ...(await this.presenter.detailsPage(draft.applicant!, choice, calendar, !!draft.userCodeHash, req.lang)) };
  }

  private async detailsError(type: ReservationCardType, req: Request, draft: ReservationDraft, check: DetailsCheck, errors: FieldError[]) {
    const context = await this.detailsContext(type, req, draft, check.choice, check.calendar);
    return new FormValidationError('cards/reserve-details', 'cards.details.title', errors, { ...check.details, county: check.details.county || check.choice.countyCode || '' }, context);
  }

  // ---- check your answers and submit ----------------------------------------------------------

  @Get('check')
  @Public()
  async checkAnswers(@Param('type') typeParam: string, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    const draft = this.draftFor(req, type);
    if (!draft?.applicant || !draft.details || !draft.detailsComplete || !draft.userCodeHash) {
      return res.redirect(303, `${base(type)}/${draft?.applicant ? 'details' : draft ? 'applicant' : 'terms'}`);
    }
    res.render('cards/reserve-check', { ...common(type), titleKey: 'cards.check.title', applicantHeadingKey: `cards.check.applicantHeading.${type}`, backHref: `${base(type)}/details`, ...(await this.presenter.draftAnswers(draft, base(type), req.lang)) });
  }

  @Post('check')
  @Public()
  async submit(@Param('type') typeParam: string, @Req() req: Request, @Res() res: Response) {
    const type = cardTypeOf(typeParam);
    const draft = this.draftFor(req, type);
    if (!draft?.applicant || !draft.detailsComplete || !draft.userCodeHash) return res.redirect(303, `${base(type)}/check`);
    let reference: string;
    try {
      reference = await this.reservations.create(draft, req.lang, this.subject(req));
    } catch (err) {
      if (!(err instanceof DraftInvalid)) throw err;
      draft.detailsComplete = false;
      if (err.step === 'applicant') {
        throw new FormValidationError('cards/reserve-applicant', `cards.applicant.${type}.title`, err.errors, applicantForm(draft.applicant), this.applicantContext(type, req.lang));
      }
      const check = await this.reservations.checkDetails(draft.applicant, (draft.details ?? {}) as Body, true);
      throw await this.detailsError(type, req, draft, check, err.errors.length ? err.errors : check.errors);
    }
    const session = req.session.cardReservation!;
    delete session.draft;
    session.references = [...(session.references ?? []).filter((r) => r !== reference), reference].slice(-MAX_SESSION_REFERENCES);
    res.redirect(303, `/cards/reservations/${reference}/confirmation`);
  }
}
