import { Controller, Get, Param, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import { textField } from '../../common/forms';
import { translate } from '../../common/i18n/i18n';
import { ReferenceService } from '../reference';
import { MONTHLY_FORMATS, type MonthlyFormat } from './report-files';
import { isMonth, monthlyFileName, MonthlyReportsService } from './monthly-reports.service';
import { periodLabel, type PeriodPart } from './report-period';
import { reportingError } from './reporting.errors';
import { ReportsService } from './reports.service';

/**
 * /reports/monthly: the monthly county reports the scheduled job made, for download. A county
 * reviewer sees their county's only (another county's file by URL is not found), ministry staff
 * every county's.
 */
@Controller('reports/monthly')
@Allow('county_reviewer', 'ministry_staff')
export class MonthlyReportsController {
  constructor(
    private readonly monthly: MonthlyReportsService,
    private readonly reports: ReportsService,
    private readonly reference: ReferenceService,
  ) {}

  @Get()
  @Render('reporting/monthly')
  async list(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const audience = this.reports.audienceOf(principal);
    const month = textField(query, 'month');
    const counties = new Map((await this.reference.counties()).map((c) => [c.code, req.lang === 'en' ? c.nameEn : c.nameZh]));
    const rows = (await this.monthly.list(audience.countyCode)).map((r) => {
      const label = periodLabel({ year: Number(r.month.slice(0, 4)), part: `m${r.month.slice(5, 7)}` as PeriodPart });
      return {
        month: r.month,
        period: translate(req.lang, label.key, label.params),
        county: counties.get(r.countyCode) ?? r.countyCode,
        countyCode: r.countyCode,
        highlighted: r.month === month,
        files: r.formats.map((f) => ({ href: `/reports/monthly/${r.month}/${r.countyCode}.${f.format}`, labelKey: `reports.monthly.format.${f.format}`, kb: Math.max(1, Math.round(f.bytes / 1024)) })),
      };
    });
    return { titleKey: 'reports.monthly.title', rows, scopeText: audience.countyCode ? counties.get(audience.countyCode) : translate(req.lang, 'reports.allCounties'), backHref: '/reports' };
  }

  @Get(':month/:file')
  async download(@Param('month') month: string, @Param('file') file: string, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const audience = this.reports.audienceOf(principal);
    const match = /^(\d{1,8})\.([a-z]+)$/.exec(file);
    const format = match?.[2] as MonthlyFormat | undefined;
    const countyCode = match?.[1];
    // out of scope is not found, as is anything malformed
    if (!match || !isMonth(month) || !MONTHLY_FORMATS.includes(format as MonthlyFormat) || (audience.countyCode && audience.countyCode !== countyCode)) throw reportingError.notFound('report-not-found', 'errors.404.message');
    const stored = await this.monthly.file(countyCode as string, month, format as MonthlyFormat);
    if (!stored) throw reportingError.notFound('report-not-found', 'errors.404.message');
    res.setHeader('Content-Type', stored.mediaType);
    res.setHeader('Content-Disposition', `${format === 'pdf' ? 'inline' : 'attachment'}; filename="${monthlyFileName(countyCode as string, month, format as MonthlyFormat)}"`);
    res.setHeader('ETag', `"${stored.contentHash}"`);
    res.send(stored.content);
  }
}
