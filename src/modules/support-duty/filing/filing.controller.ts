import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../../common/access/access.decorator';
import { CurrentPrincipal } from '../../../common/access/current-principal.decorator';
import type { Principal } from '../../../common/context/request-context';
import { FormValidationError } from '../../../common/errors/domain-error';
import { choiceField, integerField, textField } from '../../../common/forms';
import { pageParam, pager } from '../../../common/web/pagination';
import { CASE_STATES } from '../lifecycle/case-state';
import { sendAttachment, sendPdf } from '../lifecycle/case-view';
import type { UploadedFile } from './attachments.service';
import { supportDutyError } from '../support-duty.errors';
import { DashboardService } from './dashboard.service';
import { FilingService } from './filing.service';

const DIRECTIONS = ['inbound', 'outbound'] as const;

const FORM = 'support-duty/form';
const FORM_TITLE = 'supportDuty.form.title';
const CHECK = 'support-duty/check';
const CHECK_TITLE = 'supportDuty.check.title';

/**
 * The front office of support duty (seed 002: 申請, 變更, 註銷, 查詢): clinicians for themselves,
 * institutions (institution card only) for their own registered staff. Every POST answers with
 * Post/Redirect/Get, or the form again (422) with its values and an error summary.
 */
@Controller('support-duty')
@Allow('personnel', 'institution')
export class FilingController {
  constructor(
    private readonly filing: FilingService,
    private readonly dashboard: DashboardService,
  ) {}

  @Get()
  @Render('support-duty/index')
  async list(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const status = choiceField(query, 'status', CASE_STATES);
    const page = pageParam(textField(query, 'page'));
    const result = await this.filing.list(principal, { status, page }, req.lang);
    const href = (p: number) => `/support-duty?${new URLSearchParams([...(status ? [['status', status]] : []), ['page', String(p)]])}`;
    return { titleKey: 'supportDuty.list.title', discarded: textField(query, 'discarded') === '1', values: { status: status ?? '' }, byInstitution: principal.role === 'institution', ...result, pagination: pager(page, result.pages, href) };
  }

  @Get('institutions')
  @Render('support-duty/institutions')
  async institutions(@Query() query: unknown, @Req() req: Request) {
    const q = textField(query, 'supportedInstitution');
    return { titleKey: 'supportDuty.institutions.title', values: { supportedInstitution: q }, searched: q.length > 0, results: await this.filing.searchInstitutions(q, req.lang) };
  }

  @Get('dashboard')
  @Allow('institution')
  @Render('support-duty/dashboard')
  async dashboardPage(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const filter = { direction: choiceField(query, 'direction', DIRECTIONS) ?? 'inbound', status: choiceField(query, 'status', CASE_STATES), page: pageParam(textField(query, 'page')) };
    const result = await this.dashboard.page(principal, filter, req.lang);
    const href = (p: number) => `/support-duty/dashboard?${new URLSearchParams([['direction', filter.direction], ...(filter.status ? [['status', filter.status]] : []), ['page', String(p)]])}`;
    return {
      titleKey: 'supportDuty.dashboard.title',
      values: { direction: filter.direction, status: filter.status ?? '' },
      directionItems: DIRECTIONS.map((d) => ({ value: d, labelKey: `supportDuty.dashboard.direction.${d}` })),
      statusItems: CASE_STATES.filter((s) => s !== 'draft' && s !== 'discarded').map((s) => ({ value: s, labelKey: `supportDuty.state.${s}` })),
      captionKey: `supportDuty.dashboard.caption.${filter.direction}`,
      ...result,
      pagination: pager(filter.page, result.pages, href),
    };
  }

  @Get('messages')
  @Render('support-duty/messages')
  async messages(@CurrentPrincipal() principal: Principal) {
    return { titleKey: 'supportDuty.messages.title', messages: await this.filing.messages(principal) };
  }

  @Get('new')
  @Render(FORM)
  async newForm(@CurrentPrincipal() principal: Principal, @Req() req: Request) {
    return { titleKey: FORM_TITLE, action: '/support-duty/new', values: {}, ...(await this.filing.formChoices(principal, req.lang)) };
  }

  @Post('new')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const saved = await this.filing.saveDraft(principal, body, req.lang);
    if (saved.errors) throw new FormValidationError(FORM, FORM_TITLE, saved.errors, saved.values, { action: '/support-duty/new', ...(await this.filing.formChoices(principal, req.lang)) });
    res.redirect(303, `/support-duty/cases/${saved.caseId}`);
  }

  @Get('cases/:id')
  async show(@Param('id') id: string, @Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const c = await this.filing.caseFor(principal, id);
    const page = await this.filing.page(c, req.lang);
    if (c.status === 'draft') return res.render(CHECK, { titleKey: CHECK_TITLE, canDiscard: this.filing.filedBy(principal, c), ...page });
    res.render('support-duty/case', { titleKey: 'supportDuty.case.title', submitted: textField(query, 'submitted') === '1', ...page });
  }

  @Get('cases/:id/print.pdf')
  async print(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const c = await this.filing.caseFor(principal, id);
    if (!c.caseNumber) throw supportDutyError.notFound('case-not-found');
    sendPdf(res, `support-duty-${c.caseNumber}.pdf`, await this.filing.pdf(c, 'application'));
  }

  @Post('cases/:id/attachments')
  async attach(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: Request & { files?: UploadedFile[]; uploadError?: string }, @Res() res: Response) {
    const errors = await this.filing.attach(principal, id, req.files ?? [], req.uploadError ?? null);
    if (errors.length) {
      const c = await this.filing.caseFor(principal, id);
      throw new FormValidationError(CHECK, CHECK_TITLE, errors, {}, await this.filing.page(c, req.lang));
    }
    res.redirect(303, `/support-duty/cases/${id}`);
  }

  @Get('cases/:id/attachments/:attachmentId')
  async attachment(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const c = await this.filing.caseFor(principal, id);
    sendAttachment(res, await this.filing.attachments.read(c.id, attachmentId));
  }

  @Get('cases/:id/edit')
  @Render(FORM)
  async editForm(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const { c, values } = await this.filing.draftValues(principal, id);
    return { titleKey: FORM_TITLE, action: `/support-duty/cases/${c.id}/edit`, version: c.version, values, ...(await this.filing.formChoices(principal, req.lang)) };
  }

  @Post('cases/:id/edit')
  async edit(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const version = integerField(body, 'version', 1, Number.MAX_SAFE_INTEGER);
    const saved = await this.filing.saveDraft(principal, body, req.lang, { id, version });
    if (saved.errors) {
      throw new FormValidationError(FORM, FORM_TITLE, saved.errors, saved.values, { action: `/support-duty/cases/${id}/edit`, version, ...(await this.filing.formChoices(principal, req.lang)) });
    }
    res.redirect(303, `/support-duty/cases/${saved.caseId}`);
  }

  @Post('cases/:id/submit')
  async submit(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const outcome = await this.filing.submit(principal, id, integerField(body, 'version', 1, Number.MAX_SAFE_INTEGER));
    if (!outcome.submitted) {
      const c = await this.filing.caseFor(principal, id);
      throw new FormValidationError(CHECK, CHECK_TITLE, this.filing.refusalErrors(outcome.refused, req.lang), {}, await this.filing.page(c, req.lang));
    }
    res.redirect(303, `/support-duty/cases/${id}?submitted=1`);
  }

  @Post('cases/:id/cancel')
  async cancel(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    await this.filing.cancel(principal, id, integerField(body, 'version', 1, Number.MAX_SAFE_INTEGER));
    res.redirect(303, `/support-duty/cases/${id}`);
  }

  /** Discard a draft: the confirmation page, then the POST (the filer's own draft only). */
  @Get('cases/:id/discard')
  @Render('support-duty/discard')
  async discardPage(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const c = await this.filing.ownDraft(principal, id);
    return { titleKey: 'supportDuty.discard.title', ...(await this.filing.page(c, req.lang)) };
  }

  @Post('cases/:id/discard')
  async discard(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    await this.filing.discard(principal, id, integerField(body, 'version', 1, Number.MAX_SAFE_INTEGER));
    res.redirect(303, '/support-duty?discarded=1');
  }

  @Post('cases/:id/change')
  async change(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const draftId = await this.filing.startChange(principal, id, req.lang);
    res.redirect(303, `/support-duty/cases/${draftId}/edit`);
  }
}
