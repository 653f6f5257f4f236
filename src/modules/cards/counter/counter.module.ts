import { Module } from '@nestjs/common';
import { moduleLinks } from '../../../common/web/links';
import { NotificationsModule } from '../../notifications';
import { ReferenceModule } from '../../reference';
import { CardIssuanceModule } from '../issuance/issuance.module';
import { CardLifecycleModule } from '../lifecycle/lifecycle.module';
import { CardReservationModule } from '../reservation/reservation.module';
import { CounterController } from './counter.controller';
import { CounterService } from './counter.service';

/** Registration counter (RA) processing: the counter staff's reservation list and decision. */
@Module({
  imports: [CardLifecycleModule, CardReservationModule, CardIssuanceModule, NotificationsModule, ReferenceModule],
  controllers: [CounterController],
  providers: [
    CounterService,
    moduleLinks('cards.counter', {
      nav: [{ href: '/counter', labelKey: 'cards.counter.list.title', audience: ['counter_staff'], order: 20 }],
      services: [{ href: '/counter', titleKey: 'cards.counter.list.title', descriptionKey: 'home.services.counter.description', audienceKey: 'home.audience.staff', audience: ['counter_staff'], staff: true, order: 50 }],
    }),
  ],
})
export class CounterModule {}
