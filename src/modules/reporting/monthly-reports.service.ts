import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { translate, type Lang } from '../../common/i18n/i18n';
import { taipeiDay } from '../../common/time/taipei-day';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Database } from '../../core/database';
import { AuditService, type AuditActor } from '../audit';
import { StaffService } from '../auth';
import { NotificationsService } from '../notifications';
import { ReferenceService } from '../reference';
import { ReportFilesRepository, type StoredFile, type MonthlyListing } from './report-files.repository';
import { exportSheet, toCsv } from './report-export';
import { MONTHLY_FORMATS, toPdf, toXlsx, type MonthlyFormat } from './report-files';
import { ReportsService, type Report } from './reports.service';
import type { PeriodPart } from './report-period';

const SYSTEM: AuditActor = { kind: 'system', id: 'reporting-monthly-reports' };
/** The monthly reports are the bureaus' official copies: in Traditional Chinese. */
const LANG: Lang = 'zh-TW';

export const MONTHLY_MEDIA_TYPES: Record<MonthlyFormat, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** What one monthly run did. */
export interface MonthlyRunResult {
  month: string;
  /** Counties whose report this run made (and whose reviewers it e-mailed). */
  made: string[];
  /** Counties that had their report already (an earlier run): nothing new. */
  skipped: string[];
  emails: number;
}

/** 'YYYY-MM' is a month. */
export const isMonth = (v: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v);

/** The month before the one `now` falls in, in Taiwan time ('YYYY-MM'). */
export function previousMonth(now: Date): string {
  const [y, m] = taipeiDay(now).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The file name a county's monthly report is downloaded as. */
export const monthlyFileName = (countyCode: string, month: string, format: MonthlyFormat) => `support-duty-report-${month}-${countyCode}.${format}`;

/**
 * The monthly county reports (issue 13, item 5): on the 1st of each month the scheduled
 * 'monthly-reports' job makes each county's report of the month before (PDF, XLSX and CSV, as a
 * county reviewer would export it), stores the files by content hash, lists them on
 * /reports/monthly and e-mails the county's reviewers a link, all in one transaction per county.
 * A county whose report for the month exists is skipped: re-running makes nothing new.
 */
@Injectable()
export class MonthlyReportsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: Database,
    private readonly monthly: ReportFilesRepository,
    private readonly reports: ReportsService,
    private readonly reference: ReferenceService,
    private readonly staff: StaffService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async run(month: string): Promise<MonthlyRunResult> {
    if (!isMonth(month)) throw new Error(`Not a month (YYYY-MM): "${month}"`);
    const done = await this.monthly.countiesDone(month);
    const result: MonthlyRunResult = { month, made: [], skipped: [], emails: 0 };
    const reviewers = (await this.staff.list()).filter((s) => s.role === 'county_reviewer' && s.countyCode && s.email && !s.disabledAt);
    for (const county of await this.reference.counties()) {
      if (done.has(county.code)) {
        result.skipped.push(county.code);
        continue;
      }
      const report = await this.countyReport(county.code, month);
      const files = await filesOf(report);
      const emails = reviewers.filter((r) => r.countyCode === county.code).map((r) => r.email as string);
      const made = await this.database.transaction(async (tx) => {
        if (!(await this.monthly.store(tx, county.code, month, files))) return false;
        const params = { county: county.nameZh, period: translate(LANG, report.periodLabel.key, report.periodLabel.params), url: `${this.config.publicOrigin}/reports/monthly?month=${month}` };
        for (const to of emails) await this.notifications.notify(tx, { to, template: 'reporting.monthly-report', lang: LANG, params });
        await this.audit.record(tx, { action: 'reporting.monthly-report', targetType: 'county', targetId: county.code, summary: { month, files: files.map((f) => `${f.format}:${f.contentHash}`), emails: emails.length }, actor: SYSTEM });
        return true;
      });
      if (made) (result.made.push(county.code), (result.emails += emails.length));
      else result.skipped.push(county.code);
    }
    return result;
  }

  /** A county's report of one month, as the county's reviewers see it. */
  private countyReport(countyCode: string, month: string): Promise<Report> {
    const [year, m] = month.split('-');
    return this.reports.reportFor({ countyCode, institutionCode: null, allCounties: false, seesCases: false }, { year: Number(year), part: `m${m}` as PeriodPart, county: null }, LANG);
  }

  list(countyCode: string | null): Promise<MonthlyListing[]> {
    return this.monthly.list(countyCode);
  }

  file(countyCode: string, month: string, format: MonthlyFormat): Promise<StoredFile | null> {
    return this.monthly.file(countyCode, month, format);
  }
}

/** The report's three files, each with the SHA-256 of its bytes. */
async function filesOf(report: Report): Promise<StoredFile[]> {
  const sheet = exportSheet(report, LANG);
  const contents: Record<MonthlyFormat, Buffer> = { pdf: await toPdf(report, LANG), xlsx: await toXlsx(sheet), csv: toCsv(sheet) };
  return MONTHLY_FORMATS.map((format) => ({ format, contentHash: createHash('sha256').update(contents[format]).digest('hex'), mediaType: MONTHLY_MEDIA_TYPES[format], content: contents[format] }));
}
