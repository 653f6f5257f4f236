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

/** A service card: its title is the page's own heading (one title per service: docs/ui-conventions.md). */
const reserve = (type: string, audienceKey: string, order: number) => ({
  href: `/cards/reserve/${type}`,
  titleKey: `cards.reserve.${type}.title`,
  descriptionKey: `home.services.reserve${type[0].toUpperCase()}${type.slice(1)}.description`,
  audienceKey,
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
        reserve('personnel', 'home.audience.personnel', 10),
        reserve('institution', 'home.audience.institutions', 11),
        reserve('attached', 'home.audience.institutions', 12),
        reserve('test', 'home.audience.testCards', 13),
        { href: '/cards/lookup', titleKey: 'cards.lookup.title', descriptionKey: 'home.services.reservationLookup.description', audienceKey: 'home.audience.applicants', audience: 'anyone', order: 30 },
      ],
    }),
  ],
  exports: [CardReservationService, ReservationPresenter],
})
export class CardReservationModule {}
