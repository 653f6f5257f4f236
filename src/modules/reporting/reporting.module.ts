import { Module } from '@nestjs/common';
import { moduleLinks } from '../../common/web/links';
import { AuthModule } from '../auth';
import { NotificationsModule, NotificationsWorkerModule } from '../notifications';
import { ReferenceModule } from '../reference';
import { CaseSummaryRepository } from './case-summary.repository';
import { CaseSummaryService } from './case-summary.service';
import { SyntheticCasesRepository } from './synthetic-cases.repository';
import { SyntheticCasesService } from './synthetic-cases.service';
import { FiguresController } from './figures.controller';
import { FiguresRepository } from './figures.repository';
import { FiguresService } from './figures.service';
import { MonthlyReportsController } from './monthly-reports.controller';
import { ReportFilesRepository } from './report-files.repository';
import { MonthlyReportsService } from './monthly-reports.service';
import { ReportCache } from './report-cache';
import { ReportPdfJobs } from './report-pdf-jobs.service';
import { ReportingController } from './reporting.controller';
import { StatisticsProcessor, SupportDutyEventsProcessor } from './reporting.jobs';
import { ReportingService } from './reporting.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** The support-duty summaries: kept current by the worker, rebuilt by the CLI, read by the pages. */
@Module({
  providers: [CaseSummaryRepository, CaseSummaryService, SyntheticCasesRepository, SyntheticCasesService],
  exports: [CaseSummaryRepository, CaseSummaryService, SyntheticCasesService],
})
export class CaseSummaryModule {}

/** What makes, lists and serves the monthly county reports, the large PDFs and the card and employer figures (with the notifications module of the process). */
const MONTHLY_REPORTS = [ReportCache, ReportsService, ReportFilesRepository, MonthlyReportsService, ReportPdfJobs, FiguresRepository, FiguresService];

/** Web app: the reports' pages and the jobs that compute them. */
@Module({
  imports: [NotificationsModule, ReferenceModule, AuthModule, CaseSummaryModule],
  controllers: [ReportingController, ReportsController, MonthlyReportsController, FiguresController],
  providers: [
    ReportingService,
    ...MONTHLY_REPORTS,
    moduleLinks('reporting', {
      nav: [{ href: '/reports', labelKey: 'nav.reports', audience: ['county_reviewer', 'ministry_staff', 'institution'], order: 28 }],
      services: [
        { href: '/reports', titleKey: 'home.services.reports.title', descriptionKey: 'home.services.reports.description', audienceKey: 'home.audience.reports', audience: ['county_reviewer', 'ministry_staff', 'institution'], staff: false, order: 57 },
      ],
    }),
  ],
})
export class ReportingModule {}

/** Worker process: the 'statistics' and 'support-duty-events' queues' processors. */
@Module({
  imports: [ReferenceModule, AuthModule, NotificationsWorkerModule, CaseSummaryModule],
  providers: [...MONTHLY_REPORTS, StatisticsProcessor, SupportDutyEventsProcessor],
})
export class ReportingWorkerModule {}

/** CLI: the summaries (rebuild, dev generate) and the monthly county reports (`reporting monthly`). */
@Module({
  imports: [NotificationsModule, ReferenceModule, AuthModule, CaseSummaryModule],
  providers: MONTHLY_REPORTS,
  exports: [CaseSummaryModule, MonthlyReportsService, FiguresService],
})
export class ReportingCliModule {}
