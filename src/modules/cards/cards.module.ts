import { Module } from '@nestjs/common';
import { CardLifecycle } from './card-lifecycle.service';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReferenceModule } from '../reference/reference.module';
import { CardReservationController } from './card-reservation.controller';
import { CardReservationRepository } from './card-reservation.repository';
import { CardReservationService } from './card-reservation.service';
import { CardReservationsController } from './card-reservations.controller';
import { ReservationPresenter } from './reservation-presenter';

/**
 * Cards: the card lifecycle. So far the online reservation (personnel and institution cards), its
 * lookup and reprint, and the application's progress. Needs CoreModule and AuditModule (global).
 */
@Module({
  imports: [ReferenceModule, NotificationsModule],
  controllers: [CardReservationController, CardReservationsController],
  providers: [CardReservationRepository, CardReservationService, ReservationPresenter, CardLifecycle],
  exports: [CardReservationService, CardLifecycle],
})
export class CardsModule {}
