import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { secretBoxProvider, secretBoxToken } from '../../../core/secrets';
import { CardLifecycle } from './card-lifecycle.service';
import { CardReservation, CounterClosedDay } from './card-reservation.entity';
import { Card } from './card.entity';
import { CardRepository } from './card.repository';
import { ReservationRepository } from './reservation.repository';

/**
 * What every card journey shares: the reservation and card records, their queries, the card
 * state machine applied by CardLifecycle, and the sealed PUKs' box (SecretBox 'card-puk').
 */
@Module({
  imports: [TypeOrmModule.forFeature([CardReservation, CounterClosedDay, Card])],
  providers: [CardRepository, ReservationRepository, CardLifecycle, secretBoxProvider('card-puk')],
  exports: [CardRepository, ReservationRepository, CardLifecycle, secretBoxToken('card-puk')],
})
export class CardLifecycleModule {}
