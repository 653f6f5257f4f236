import { Module } from '@nestjs/common';
import { moduleLinks } from '../../../common/web/links';
import { ReferenceModule } from '../../reference';
import { CaseLifecycleModule } from '../lifecycle/lifecycle.module';
import { FilingController } from './filing.controller';
import { FilingService } from './filing.service';

/** Filing support duty: clinicians and institutions (single entry, change, cancel, query). */
@Module({
  imports: [CaseLifecycleModule, ReferenceModule],
  controllers: [FilingController],
  providers: [
    FilingService,
    moduleLinks('support-duty.filing', {
      nav: [{ href: '/support-duty', labelKey: 'nav.supportDuty', audience: ['personnel', 'institution'], order: 30 }],
      services: [
        { href: '/support-duty', titleKey: 'home.services.supportDuty.title', descriptionKey: 'home.services.supportDuty.description', audienceKey: 'home.audience.supportDuty', audience: ['personnel', 'institution'], order: 30 },
      ],
    }),
  ],
  exports: [FilingService],
})
export class FilingModule {}
