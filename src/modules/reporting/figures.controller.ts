import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError } from '../../common/errors/domain-error';
import { translate, type Lang } from '../../common/i18n/i18n';
import { taipeiDay } from '../../common/time/taipei-day';
import { ReferenceService } from '../reference';
import { FiguresService, REGISTRATION_OUTCOMES, REVIEW_OUTCOMES } from './figures.service';
import { periodItems, periodLabel } from './report-period';
import { monthName, ReportsService } from './reports.service';

/** The years the period forms offer: this one back to 2000. */
const years = () => Array.from({ length: Number(taipeiDay().slice(0, 4)) - 1999 }, (_, i) => Number(taipeiDay().slice(0, 4)) - i);

/**
 * /reports/cards (card reservations per counter and month: ministry staff every counter, a county
 * reviewer their county's) and /reports/employers (employer registrations and reviews per month:
 * ministry staff).
 */
@Controller('reports')
export class FiguresController {
  constructor(
    private readonly figures: FiguresService,
    private readonly reports: ReportsService,
    private readonly reference: ReferenceService,
  ) {}

  @Get('cards')
  @Allow('county_reviewer', 'ministry_staff')
  @Render('reporting/cards')
  async cards(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const read = this.reports.readQuery(query);
    const report = await this.figures.cards(principal, read.query, req.lang);
    const county = report.countyCode ? (await this.reference.counties()).find((c) => c.code === report.countyCode) : null;
    const view = {
      report,
      ...this.common(report.period, req.lang),
      monthNames: report.months.map((m) => monthName(m, req.lang)),
      emptyColspan: report.months.length + 2,
      scopeText: county ? (req.lang === 'en' ? county.nameEn : county.nameZh) : translate(req.lang, 'reports.allCounties'),
      states: report.states.map((s) => ({ ...s, key: `reports.cards.state.${s.status}` })),
    };
    if (read.errors.length) throw new FormValidationError('reporting/cards', 'reports.cards.title', read.errors, read.values, view);
    return { titleKey: 'reports.cards.title', values: read.values, ...view };
  }

  @Get('employers')
  @Allow('ministry_staff')
  @Render('reporting/employers')
  async employers(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const read = this.reports.readQuery(query);
    const report = await this.figures.employers(principal, read.query);
    const view = {
      report,
      ...this.common(report.period, req.lang),
      months: report.months.map((m) => ({ ...m, name: monthName(m.month, req.lang) })),
      registrationKeys: REGISTRATION_OUTCOMES.map((o) => `reports.employers.registration.${o}`),
      reviewKeys: REVIEW_OUTCOMES.map((o) => `reports.employers.review.${o}`),
    };
    if (read.errors.length) throw new FormValidationError('reporting/employers', 'reports.employers.title', read.errors, read.values, view);
    return { titleKey: 'reports.employers.title', values: read.values, ...view };
  }

  private common(period: { year: number; part: string }, lang: Lang) {
    const label = periodLabel(period as Parameters<typeof periodLabel>[0]);
    return { ...periodItems(years(), lang), periodText: translate(lang, label.key, label.params), backHref: '/reports' };
  }
}
