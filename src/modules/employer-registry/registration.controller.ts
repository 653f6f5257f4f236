import { Body, Controller, Get, Inject, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { cardScriptMessages, presentationFrom } from './certificate-reader';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { tasks, type EmployerRegistrationDraft } from './registration-draft';
import { RegistrationService } from './registration.service';


/** The pages of the journey: template and title. */
const PAGES = {
  tasks: { view: 'employer-registry/register-tasks', titleKey: 'employers.register.title' },
  terms: { view: 'employer-registry/register-terms', titleKey: 'employers.register.terms.title' },
  unit: { view: 'employer-registry/register-unit', titleKey: 'employers.register.unit.title' },
  mismatch: { view: 'employer-registry/register-mismatch', titleKey: 'employers.register.mismatch.title' },
  review: { view: 'employer-registry/register-review', titleKey: 'employers.register.review.title' },
  manager: { view: 'employer-registry/register-manager', titleKey: 'employers.register.manager.title' },
  details: { view: 'employer-registry/register-details', titleKey: 'employers.register.details.title' },
  check: { view: 'employer-registry/register-check', titleKey: 'employers.register.check.title' },
  done: { view: 'employer-registry/register-done', titleKey: 'employers.register.done.title' },
} as const;
type Page = keyof typeof PAGES;

/** 首次註冊 (/employers/register): a GOV.UK task list, public (the certificates are the proof). */
@Controller('employers/register')
export class RegistrationController {
  constructor(
    private readonly registrations: RegistrationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private draft(req: Request): EmployerRegistrationDraft {
    req.session.employerRegistration ??= {};
    return req.session.employerRegistration;
  }

  private context(req: Request, page: Page, extra: Record<string, unknown> = {}) {
    return {
      titleKey: PAGES[page].titleKey,
      formAction: `/employers/register/${page}`,
      backHref: '/employers/register',
      introKey: `employers.register.${page}.intro`,
      helperUrl: this.config.helperUrl,
      agreeItems: [{ value: 'yes', labelKey: 'employers.register.terms.agreeLabel' }],
      threeInOneItems: [{ value: 'yes', labelKey: 'employers.register.field.threeInOne', hintKey: 'employers.register.field.threeInOne.hint' }],
      responsibleIsManagerItems: [{ value: 'yes', labelKey: 'employers.register.field.responsibleIsManager' }],
      scriptMessages: cardScriptMessages(req.lang),
      ...extra,
    };
  }

  private invalid(req: Request, page: Page, errors: FieldError[], values: Record<string, unknown>, extra: Record<string, unknown> = {}): never {
    throw new FormValidationError(PAGES[page].view, PAGES[page].titleKey, errors, values, this.context(req, page, extra));
  }

  /** Whether the task may be started now (the earlier ones done); if not, back to the list. */
  private ready(req: Request, res: Response, key: string): boolean {
    const task = tasks(this.draft(req)).find((t) => t.key === key);
    if (task?.ready) return true;
    res.redirect(303, '/employers/register');
    return false;
  }

  @Get()
  @Public()
  @Render('employer-registry/register-tasks')
  list(@Req() req: Request) {
    const draft = this.draft(req);
    return this.context(req, 'tasks', {
      tasks: tasks(draft).map((t) => ({ ...t, titleKey: `employers.register.task.${t.key}`, statusKey: t.done ? 'employers.register.status.done' : t.ready ? 'employers.register.status.ready' : 'employers.register.status.cannotStart' })),
    });
  }

  @Get('terms')
  @Public()
  @Render('employer-registry/register-terms')
  termsPage(@Req() req: Request) {
    return this.context(req, 'terms', { values: { agree: this.draft(req).terms ? 'yes' : '' } });
  }

  @Post('terms')
  @Public()
  terms(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    if (textField(body, 'agree') !== 'yes') this.invalid(req, 'terms', [{ field: 'agree', messageKey: 'employers.register.errors.termsRequired' }], {});
    req.session.employerRegistration = { terms: true };
    res.redirect(303, '/employers/register');
  }

  @Get('unit')
  @Public()
  unitPage(@Req() req: Request, @Res() res: Response) {
    if (!this.ready(req, res, 'unit')) return;
    res.render(PAGES.unit.view, this.context(req, 'unit', { values: { unitCode: this.draft(req).unit?.unitCode ?? '' } }));
  }

  @Post('unit')
  @Public()
  async unit(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    if (!this.ready(req, res, 'unit')) return;
    const outcome = await this.registrations.checkUnit(presentationFrom(req, body), body);
    if (!outcome.ok) return this.invalid(req, 'unit', outcome.errors, outcome.values);
    const draft = this.draft(req);
    delete draft.unit;
    delete draft.manager;
    delete draft.details;
    delete draft.mismatch;
    if (outcome.next === 'under-review') {
      draft.underReview = { nextBusinessDay: outcome.nextBusinessDay };
      return res.redirect(303, '/employers/register/review');
    }
    if (outcome.next === 'mismatch') {
      draft.mismatch = outcome.unit;
      return res.redirect(303, '/employers/register/mismatch');
    }
    draft.unit = outcome.unit;
    res.redirect(303, '/employers/register');
  }

  @Get('mismatch')
  @Public()
  mismatchPage(@Req() req: Request, @Res() res: Response) {
    const mismatch = this.draft(req).mismatch;
    if (!mismatch) return res.redirect(303, '/employers/register');
    res.render(PAGES.mismatch.view, this.context(req, 'mismatch', { unit: mismatch, values: {} }));
  }

  @Post('mismatch')
  @Public()
  async mismatch(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const draft = this.draft(req);
    const mismatch = draft.mismatch;
    if (!mismatch) return res.redirect(303, '/employers/register');
    const outcome = await this.registrations.openCase(mismatch, body, req.lang);
    if (!outcome.ok) return this.invalid(req, 'mismatch', outcome.errors, outcome.values, { unit: mismatch });
    delete draft.mismatch;
    draft.underReview = { nextBusinessDay: outcome.value.nextBusinessDay };
    res.redirect(303, '/employers/register/review');
  }

  /** The case is open: register again from the next business day (seed 003 圖3-7). */
  @Get('review')
  @Public()
  reviewPage(@Req() req: Request, @Res() res: Response) {
    const underReview = this.draft(req).underReview;
    if (!underReview) return res.redirect(303, '/employers/register');
    res.render(PAGES.review.view, this.context(req, 'review', underReview));
  }

  @Get('manager')
  @Public()
  managerPage(@Req() req: Request, @Res() res: Response) {
    if (!this.ready(req, res, 'manager')) return;
    res.render(PAGES.manager.view, this.context(req, 'manager', { unit: this.draft(req).unit, values: {} }));
  }

  @Post('manager')
  @Public()
  async manager(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    if (!this.ready(req, res, 'manager')) return;
    const draft = this.draft(req);
    const outcome = await this.registrations.checkManager(presentationFrom(req, body), body);
    if (!outcome.ok) return this.invalid(req, 'manager', outcome.errors, outcome.values, { unit: draft.unit });
    draft.manager = outcome.value;
    delete draft.details;
    res.redirect(303, '/employers/register');
  }

  @Get('details')
  @Public()
  detailsPage(@Req() req: Request, @Res() res: Response) {
    if (!this.ready(req, res, 'details')) return;
    const draft = this.draft(req);
    const d = draft.details;
    const values = d
      ? { ...d, threeInOne: d.threeInOne ? 'yes' : '', responsibleIsManager: d.responsibleIsManager ? 'yes' : '', responsibleId: '', phone: d.phone ?? '', mobile: d.mobile ?? '', labourInsuranceNumber: d.labourInsuranceNumber ?? '' }
      : { unitName: draft.unit?.unitName ?? '', managerName: draft.manager?.certName ?? '' };
    res.render(PAGES.details.view, this.context(req, 'details', { values }));
  }

  @Post('details')
  @Public()
  details(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    if (!this.ready(req, res, 'details')) return;
    const draft = this.draft(req);
    const outcome = this.registrations.checkDetails(body, draft.manager!);
    if (!outcome.ok) return this.invalid(req, 'details', outcome.errors, outcome.values);
    draft.details = outcome.value;
    res.redirect(303, '/employers/register/check');
  }

  @Get('check')
  @Public()
  checkPage(@Req() req: Request, @Res() res: Response) {
    if (!this.ready(req, res, 'check')) return;
    res.render(PAGES.check.view, this.context(req, 'check', this.summary(this.draft(req))));
  }

  @Post('check')
  @Public()
  async check(@Req() req: Request, @Res() res: Response) {
    if (!this.ready(req, res, 'check')) return;
    const draft = this.draft(req);
    const outcome = await this.registrations.register({ unit: draft.unit!, manager: draft.manager!, details: draft.details! }, req.lang);
    if (!outcome.ok) return this.invalid(req, 'check', outcome.errors, {}, this.summary(draft));
    req.session.employerRegistration = { reference: outcome.value.reference };
    res.redirect(303, '/employers/register/done');
  }

  @Get('done')
  @Public()
  donePage(@Req() req: Request, @Res() res: Response) {
    const reference = this.draft(req).reference;
    if (!reference) return res.redirect(303, '/employers/register');
    res.render(PAGES.done.view, this.context(req, 'done', { reference }));
  }

  private summary(draft: EmployerRegistrationDraft) {
    const { unit, manager, details } = draft;
    const change = (task: string) => `/employers/register/${task}`;
    return {
      unitRows: [
        { keyKey: 'employers.unit.unitCode', value: unit?.unitCode, href: change('unit') },
        { keyKey: 'employers.register.field.certificate', value: `${unit?.serial} (${unit?.family})` },
        { keyKey: 'employers.register.field.identifier', value: unit?.identifier ?? '—' },
      ],
      managerRows: [
        { keyKey: 'employers.register.field.nationalId', value: manager?.idMasked, href: change('manager') },
        { keyKey: 'employers.register.field.certificate', value: manager?.serial },
        { keyKey: 'employers.register.field.managerName', value: details?.managerName, href: change('details') },
        { keyKey: 'employers.register.field.email', value: details?.email, href: change('details') },
        { keyKey: 'employers.register.field.phone', value: details?.phone ?? '—', href: change('details') },
        { keyKey: 'employers.register.field.mobile', value: details?.mobile ?? '—', href: change('details') },
      ],
      detailRows: [
        { keyKey: 'employers.register.field.unitName', value: details?.unitName, href: change('details') },
        { keyKey: 'employers.register.field.businessNumber', value: details?.businessNumber, href: change('details') },
        { keyKey: 'employers.register.field.labourInsuranceNumber', value: details?.labourInsuranceNumber ?? '—', href: change('details') },
        { keyKey: 'employers.register.field.threeInOne', valueKey: details?.threeInOne ? 'common.yes' : 'common.no', href: change('details') },
        { keyKey: 'employers.register.field.responsibleId', value: details?.responsibleIdMasked, href: change('details') },
        { keyKey: 'employers.register.field.responsibleIsManager', valueKey: details?.responsibleIsManager ? 'common.yes' : 'common.no', href: change('details') },
      ],
    };
  }
}
