import { Module } from '@nestjs/common';
import { moduleLinks } from '../../../common/web/links';
import { NotificationsModule } from '../../notifications';
import { ReferenceModule } from '../../reference';
import { FilingModule } from '../filing/filing.module';
import { CaseLifecycleModule } from '../lifecycle/lifecycle.module';
import { ReviewController } from './review.controller';
import { ReviewService } from './review.service';

/** County review (審查) of support-duty cases. */
@Module({
  imports: [CaseLifecycleModule, FilingModule, ReferenceModule, NotificationsModule],
  controllers: [ReviewController],
  providers: [
    ReviewService,
    moduleLinks('support-duty.review', {
      nav: [{ href: '/review/support-duty', labelKey: 'nav.supportDutyReview', audience: ['county_reviewer', 'ministry_staff'], intranetOnly: true, order: 25 }],
      services: [
        { href: '/review/support-duty', titleKey: 'home.services.supportDutyReview.title', descriptionKey: 'home.services.supportDutyReview.description', audienceKey: 'home.audience.staff', audience: ['county_reviewer', 'ministry_staff'], intranetOnly: true, staff: true, order: 55 },
      ],
    }),
  ],
})
export class ReviewModule {}
