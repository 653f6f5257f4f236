import { Module } from '@nestjs/common';
import { moduleLinks } from '../../../common/web/links';
import { secretBoxProvider } from '../../../core/secrets';
import { NotificationsModule } from '../../notifications';
import { ReferenceModule } from '../../reference';
import { CardLifecycleModule } from '../lifecycle/lifecycle.module';
import { CardReservationController } from './card-reservation.controller';
import { CardReservationService } from './card-reservation.service';
import { CardReservationsController } from './card-reservations.controller';
import { ReservationFlow } from './reservation-flow';
import { ReservationPresenter } from './reservation-presenter';

const reserve = (type: string, order: number) => ({
  href: `/cards/reserve/${type}`,
  titleKey: `home.services.reserve${type[0].toUpperCase()}${type.slice(1)}.title`,
  descriptionKey: `home.services.reserve${type[0].toUpperCase()}${type.slice(1)}.description`,
  audienceKey: 'home.audience.everyone',
  audience: 'anyone' as const,
  order,
});

/** The online card reservation journey, its lookup and reprint, and the application's progress. */
@Module({
  imports: [CardLifecycleModule, ReferenceModule, NotificationsModule],
  controllers: [CardReservationController, CardReservationsController],
  providers: [
    CardReservationService,
    ReservationPresenter,
    ReservationFlow,
    secretBoxProvider('reservation-user-code'),
    moduleLinks('cards.reservation', {
      services: [
        reserve('personnel', 10),
        reserve('institution', 11),
        reserve('attached', 12),
        reserve('test', 13),
        { href: '/cards/lookup', titleKey: 'home.services.reservationLookup.title', descriptionKey: 'home.services.reservationLookup.description', audienceKey: 'home.audience.everyone', audience: 'anyone', order: 30 },
      ],
    }),
  ],
  exports: [CardReservationService, ReservationPresenter],
})
export class CardReservationModule {}
