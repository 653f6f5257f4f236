import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications';
import { ReferenceModule } from '../reference';
import { ReportingController } from './reporting.controller';
import { StatisticsProcessor } from './reporting.jobs';
import { ReportingService } from './reporting.service';

/** Web app: the reports' pages and the jobs that compute them. */
@Module({
  imports: [NotificationsModule],
  controllers: [ReportingController],
  providers: [ReportingService],
})
export class ReportingModule {}

/** Worker process: the 'statistics' queue's processor. */
@Module({
  imports: [ReferenceModule],
  providers: [StatisticsProcessor],
})
export class ReportingWorkerModule {}
