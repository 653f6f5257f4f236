import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { moduleLinks } from '../../../common/web/links';
import { ReferenceModule } from '../../reference';
import { CaseLifecycleModule } from '../lifecycle/lifecycle.module';
import { FilingController } from './filing.controller';
import { AttachmentStore } from './attachments.service';
import { DashboardService } from './dashboard.service';
import { FilingService } from './filing.service';
import { UploadMiddleware } from './upload.middleware';

/** Filing support duty: clinicians and institutions (single entry, change, cancel, query). */
@Module({
  imports: [CaseLifecycleModule, ReferenceModule],
  controllers: [FilingController],
  providers: [
    FilingService,
    AttachmentStore,
    DashboardService,
    moduleLinks('support-duty.filing', {
      nav: [{ href: '/support-duty', labelKey: 'nav.supportDuty', audience: ['personnel', 'institution'], order: 30 }],
      services: [
        { href: '/support-duty/dashboard', titleKey: 'home.services.supportDutyDashboard.title', descriptionKey: 'home.services.supportDutyDashboard.description', audienceKey: 'home.audience.institution', audience: ['institution'], order: 31 },
        { href: '/support-duty', titleKey: 'home.services.supportDuty.title', descriptionKey: 'home.services.supportDuty.description', audienceKey: 'home.audience.supportDuty', audience: ['personnel', 'institution'], order: 30 },
      ],
    }),
  ],
  exports: [FilingService],
})
export class FilingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UploadMiddleware).forRoutes({ path: 'support-duty/cases/:id/attachments', method: RequestMethod.POST });
  }
}
