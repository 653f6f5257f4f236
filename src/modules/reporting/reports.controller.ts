import { Body, Controller, Get, Inject, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError } from '../../common/errors/domain-error';
import { translate, type Lang } from '../../common/i18n/i18n';
import { barChart, OUTCOME_FILLS } from './report-chart';
import { exportSheet, reportTexts, toCsv } from './report-export';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { lineCount, toPdf, toXlsx } from './report-files';
import { ReportPdfJobs } from './report-pdf-jobs.service';
import { periodItems } from './report-period';
import { OUTCOMES, ReportsService, type Report } from './reports.service';

const PAGE = 'reporting/reports';

/** /reports: the support-duty statistics for county reviewers (their county), ministry staff (all) and institutions (their own). */
@Controller('reports')
@Allow('county_reviewer', 'ministry_staff', 'institution')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly pdfJobs: ReportPdfJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Render(PAGE)
  async page(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request) {
    const read = this.reports.readQuery(query);
    const report = await this.reports.report(principal, read.query, req.lang);
    const view = this.view(report, req.lang);
    if (read.errors.length) throw new FormValidationError(PAGE, 'reports.title', read.errors, read.values, view);
    return { titleKey: 'reports.title', values: read.values, ...view };
  }

  @Get('export.csv')
  async csv(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const report = await this.exported(query, principal, req);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName(report)}.csv"`);
    res.send(toCsv(exportSheet(report, req.lang)));
  }

  @Get('export.xlsx')
  async xlsx(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const report = await this.exported(query, principal, req);
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName(report)}.xlsx"`);
    res.send(await toXlsx(exportSheet(report, req.lang)));
  }

  /** The printable PDF: made here when small; a large one is asked for with a button (POST), made by a job. */
  @Get('export.pdf')
  async pdf(@Query() query: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const report = await this.exported(query, principal, req);
    if (this.large(report)) return res.render('reporting/pdf-request', { titleKey: 'reports.pdfJob.title', ...this.view(report, req.lang) });
    const pdf = await toPdf(report, req.lang);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${fileName(report)}.pdf"`);
    res.send(pdf);
  }

  /** A large PDF: queued for the worker; the progress page follows. */
  @Post('export.pdf')
  async requestPdf(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    const report = await this.exported(body, principal, req);
    const id = await this.pdfJobs.request(principal, report.query, req.lang, `${fileName(report)}.pdf`);
    res.redirect(303, `/reports/pdf/${id}`);
  }

  /** A queued PDF's progress (HTMX polls it; without JavaScript, its refresh link), then its download link. */
  @Get('pdf/:id')
  @Render('reporting/pdf-status')
  async pdfStatus(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const job = await this.pdfJobs.status(principal, id);
    const running = job.state === 'waiting' || job.state === 'active';
    return { titleKey: 'reports.pdfJob.title', job, running, stateKey: `reports.pdfJob.state.${job.state}`, href: `/reports/pdf/${id}`, fileHref: `/reports/pdf/${id}/file`, kb: job.result ? Math.max(1, Math.round(job.result.bytes / 1024)) : 0, backHref: '/reports' };
  }

  @Get('pdf/:id/file')
  async pdfFile(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() res: Response) {
    const file = await this.pdfJobs.file(principal, id);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    res.setHeader('ETag', `"${file.contentHash}"`);
    res.send(file.content);
  }

  /** The report an export is of; a malformed period is a 400 (the page shows the form's errors). */
  private async exported(query: unknown, principal: Principal, req: Request): Promise<Report> {
    const read = this.reports.readQuery(query);
    const report = await this.reports.report(principal, read.query, req.lang);
    if (read.errors.length) throw new FormValidationError(PAGE, 'reports.title', read.errors, read.values, this.view(report, req.lang));
    return report;
  }

  /** A PDF too large to make in the request. */
  private large(report: Report): boolean {
    return lineCount(report) > this.config.reporting.pdfJobLines;
  }

  private view(report: Report, lang: Lang) {
    const exportParams: Record<string, string> = { year: String(report.period.year), part: report.period.part, ...(report.county && report.audience.allCounties ? { county: report.county.code } : {}) };
    const exportQuery = new URLSearchParams(exportParams).toString();
    const t = (key: string, params: Record<string, unknown> = {}) => translate(lang, key, params);
    const texts = reportTexts(report, lang);
    const chartOf = (id: string) => {
      const table = report.tables.find((x) => x.id === id);
      if (!table || !table.lines.length) return null;
      const top = table.lines.reduce((a, b) => (b.cases > a.cases ? b : a));
      const title = t('reports.chart.title', { table: t(`reports.table.${id}`) });
      const summary = t('reports.chart.summary', { count: table.lines.length, total: table.total.cases, top: top.name, topCases: top.cases, approved: table.total.outcomes.approved, rejected: table.total.outcomes.rejected });
      return { id, title, summary, chart: barChart(table.lines, OUTCOMES), shown: Math.min(table.lines.length, 25), count: table.lines.length };
    };
    return {
      report,
      outcomes: OUTCOMES.map((o) => ({ key: `supportDuty.state.${o}`, fill: OUTCOME_FILLS[o], outcome: o })),
      tables: report.tables.map((t) => ({ ...t, titleKey: `reports.table.${t.id}`, columnKey: `reports.column.${t.id}`, lines: t.lines.map((l) => ({ ...l, counts: OUTCOMES.map((o) => l.outcomes[o]) })), total: { ...t.total, counts: OUTCOMES.map((o) => t.total.outcomes[o]) } })),
      charts: [chartOf(report.tables[0].id), chartOf('month')].filter((c) => c !== null),
      ...periodItems(report.years, lang),
      exportQuery,
      exportFields: Object.entries(exportParams).map(([name, value]) => ({ name, value })),
      monthlyHref: report.audience.seesCases ? '/reports/monthly' : null,
      pdfQueued: this.large(report),
      periodText: texts.period,
      scopeText: texts.scope,
      backHref: report.county && report.audience.allCounties ? `/reports?year=${report.period.year}&part=${report.period.part}` : null,
    };
  }
}

function fileName(report: Report): string {
  return `support-duty-report-${report.period.year}-${report.period.part}${report.county ? `-${report.county.code}` : ''}`;
}
