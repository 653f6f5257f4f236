import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications';
import { ReferenceModule } from '../reference';
import { CaseSummaryRepository } from './case-summary.repository';
import { CaseSummaryService } from './case-summary.service';
import { ReportingController } from './reporting.controller';
import { StatisticsProcessor, SupportDutyEventsProcessor } from './reporting.jobs';
import { ReportingService } from './reporting.service';

/** The support-duty summaries: kept current by the worker, rebuilt by the CLI, read by the pages. */
@Module({
  providers: [CaseSummaryRepository, CaseSummaryService],
  exports: [CaseSummaryRepository, CaseSummaryService],
})
export class CaseSummaryModule {}

/** Web app: the reports' pages and the jobs that compute them. */
@Module({
  imports: [NotificationsModule, CaseSummaryModule],
  controllers: [ReportingController],
  providers: [ReportingService],
})
export class ReportingModule {}

/** Worker process: the 'statistics' and 'support-duty-events' queues' processors. */
@Module({
  imports: [ReferenceModule, CaseSummaryModule],
  providers: [StatisticsProcessor, SupportDutyEventsProcessor],
})
export class ReportingWorkerModule {}
