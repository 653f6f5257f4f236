import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { pageParam, pager } from '../../common/web/pagination';
import { registryIdentifier } from './employer-unit.entity';
import { REVIEW_PAGE_SIZE, ReviewService, type ReviewCaseView } from './review.service';

/** 審核 (intranet, ministry staff): unit certificates that did not match the registry. */
@Controller('review/employers')
export class ReviewController {
  constructor(private readonly reviews: ReviewService) {}

  @Get()
  @Allow('ministry_staff')
  @Render('employer-registry/review-list')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: unknown) {
    const page = pageParam(textField(query, 'page'));
    const { rows, total } = await this.reviews.openCases(principal, page);
    return {
      titleKey: 'employers.review.title',
      total,
      cases: rows.map((c) => ({ href: `/review/employers/${c.id}`, unitCode: c.unitCode, applicantName: c.applicantName, family: c.certFamily, createdAt: c.createdAt })),
      pager: pager(page, Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE)), (p) => `/review/employers?page=${p}`),
    };
  }

  private context(view: ReviewCaseView) {
    const { reviewCase: c, unit } = view;
    return {
      titleKey: 'employers.review.case.title',
      reviewCase: c,
      open: c.status === 'open',
      statusKey: `employers.review.status.${c.status}`,
      decisionItems: [
        { value: 'approve', labelKey: 'employers.review.decision.approve' },
        { value: 'reject', labelKey: 'employers.review.decision.reject' },
      ],
      certificateRows: [
        { keyKey: 'employers.review.field.family', value: c.certFamily },
        { keyKey: 'employers.review.field.identifier', value: c.certIdentifier ?? '—' },
        { keyKey: 'employers.review.field.subject', value: c.certSubject },
        { keyKey: 'employers.review.field.serial', value: c.certSerial },
        { keyKey: 'employers.review.field.issuer', value: c.certIssuer },
      ],
      registryRows: unit
        ? [
            { keyKey: 'employers.unit.kind', valueKey: `employers.kind.${unit.kind}` },
            { keyKey: 'employers.review.field.identifier', value: registryIdentifier(unit) ?? '—' },
            { keyKey: 'employers.unit.name', value: unit.nameZh },
            { keyKey: 'employers.unit.businessNumber', value: unit.businessNumber ?? '—' },
            { keyKey: 'employers.unit.responsibleId', value: unit.responsibleIdMasked },
          ]
        : [],
      applicantRows: [
        { keyKey: 'employers.register.field.applicantName', value: c.applicantName },
        { keyKey: 'employers.register.field.applicantPhone', value: c.applicantPhone },
        { keyKey: 'employers.register.field.applicantEmail', value: c.applicantEmail },
      ],
    };
  }

  @Get(':id')
  @Allow('ministry_staff')
  @Render('employer-registry/review-case')
  async show(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return { ...this.context(await this.reviews.caseFor(principal, id)), values: {} };
  }

  @Post(':id')
  @Allow('ministry_staff')
  async decide(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Res() res: Response) {
    const outcome = await this.reviews.decide(principal, id, body);
    if (!outcome.ok) throw new FormValidationError('employer-registry/review-case', 'employers.review.case.title', outcome.errors, outcome.values, this.context(await this.reviews.caseFor(principal, id)));
    res.redirect(303, `/review/employers/${encodeURIComponent(id)}`);
  }
}
