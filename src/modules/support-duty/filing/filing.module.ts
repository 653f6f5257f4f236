import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { moduleLinks } from '../../../common/web/links';
import { ReferenceModule } from '../../reference';
import { CaseLifecycleModule } from '../lifecycle/lifecycle.module';
import { FilingController } from './filing.controller';
import { AttachmentStore } from './attachments.service';
import { DashboardService } from './dashboard.service';
import { FilingService } from './filing.service';
import { readMultipart } from '../../../common/web/multipart';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from './attachments.service';

/** Filing support duty: clinicians and institutions (single entry, change, cancel, query). */
/** The `files` field of a case's attachments (and of a batch file): at most MAX_ATTACHMENTS of MAX_ATTACHMENT_BYTES. */
export const readAttachments = readMultipart({ field: 'files', maxFiles: MAX_ATTACHMENTS, maxFileBytes: MAX_ATTACHMENT_BYTES, maxFields: 10 });

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
    consumer.apply(readAttachments).forRoutes({ path: 'support-duty/cases/:id/attachments', method: RequestMethod.POST });
  }
}
