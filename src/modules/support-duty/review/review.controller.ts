import { Body, Controller, Get, HttpCode, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../../common/access/access.decorator';
import { CurrentPrincipal } from '../../../common/access/current-principal.decorator';
import type { Principal } from '../../../common/context/request-context';
import { FormValidationError } from '../../../common/errors/domain-error';
import { choiceField, listField, textField } from '../../../common/forms';
import { CASE_STATES } from '../lifecycle/case-state';
import { sendAttachment, sendPdf } from '../lifecycle/case-view';
import { PURPOSES } from '../lifecycle/support-duty.entity';
import { parseQueueCursor, ReviewService } from './review.service';

const QUEUE = 'support-duty/review/queue';
const CASE = 'support-duty/review/case';

/** The health bureaus' review of support-duty cases (intranet; county reviewers, ministry staff). */
@Controller('review/support-duty')
@Allow('county_reviewer', 'ministry_staff')
export class ReviewController {
  constructor(private readonly review: ReviewService) {}

  @Get()
  @Render(QUEUE)
  async queue(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const filter = {
      // the queue opens on the cases awaiting a decision; ?status=all lists every status
      status: textField(query, 'status') === 'all' ? null : (choiceField(query, 'status', CASE_STATES) ?? 'submitted'),
      from: textField(query, 'from'),
      to: textField(query, 'to'),
      institution: textField(query, 'institution'),
      category: textField(query, 'category').slice(0, 4),
      purpose: choiceField(query, 'purpose', PURPOSES),
      cursor: parseQueueCursor('after', textField(query, 'after')) ?? parseQueueCursor('before', textField(query, 'before')),
    };
    const result = await this.review.queue(principal, filter, req.lang);
    const params = Object.entries({ ...filter, status: filter.status ?? 'all', cursor: undefined }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
    const href = (direction: 'after' | 'before', cursor: string) => `/review/support-duty?${new URLSearchParams([...params, [direction, cursor]])}`;
    const values = { ...filter, status: filter.status ?? 'all', purpose: filter.purpose ?? '' };
    if (result.errors.length) throw new FormValidationError(QUEUE, 'supportDuty.review.queue.title', result.errors, values, { ...result, pagination: null });
    // paged by key (previous / next), never by page number: no page needs the rows before it counted
    const pagination = { items: [], ...(result.newer ? { previous: { href: href('before', result.newer) } } : {}), ...(result.older ? { next: { href: href('after', result.older) } } : {}) };
    return { titleKey: 'supportDuty.review.queue.title', values, ...result, pagination };
  }

  /** The outcome page answers the POST itself (reloading re-posts: each case is then reported as decided). */
  @Post('approve')
  @HttpCode(200)
  @Render('support-duty/review/approved')
  async approveSelected(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { titleKey: 'supportDuty.review.approvedTitle', ...(await this.review.approveSelected(principal, listField(body, 'cases'))) };
  }

  /** The bureau's message list: cases its applicants cancelled (declared before ':id'). */
  @Get('messages')
  @Render('support-duty/messages')
  async messages(@CurrentPrincipal() principal: Principal) {
    return { titleKey: 'supportDuty.messages.title', messages: await this.review.messages(principal) };
  }

  @Get(':id')
  @Render(CASE)
  async show(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const c = await this.review.caseFor(principal, id);
    return { titleKey: 'supportDuty.review.case.title', values: { decision: '', reason: '' }, ...(await this.review.page(c, req.lang)) };
  }

  @Get(':id/decision.pdf')
  async decisionPdf(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const c = await this.review.caseFor(principal, id);
    sendPdf(res, `support-duty-decision-${c.caseNumber}.pdf`, await this.review.pdf(c));
  }

  @Get(':id/attachments/:attachmentId')
  async attachment(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const c = await this.review.caseFor(principal, id);
    sendAttachment(res, await this.review.attachment(c, attachmentId));
  }

  @Post(':id')
  async decide(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const invalid = await this.review.decide(principal, id, body);
    if (invalid) throw new FormValidationError(CASE, 'supportDuty.review.case.title', invalid.errors, invalid.values, await this.review.page(invalid.c, req.lang));
    res.redirect(303, `/review/support-duty/${id}`);
  }
}
