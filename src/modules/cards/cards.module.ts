import { Module } from '@nestjs/common';
import { CounterModule } from './counter/counter.module';
import { HolderServicesModule, HolderServicesWorkerModule } from './holder-services/holder-services.module';
import { CardIssuanceModule } from './issuance/issuance.module';
import { CardReservationModule } from './reservation/reservation.module';

/**
 * Cards: the HCA card lifecycle, one folder per journey (see README.md): reservation (預約申請),
 * counter (臨櫃審核), issuance (製卡), holder-services (卡片作業), and lifecycle (the records and
 * the state machine they share).
 */
@Module({
  imports: [CardReservationModule, CounterModule, CardIssuanceModule, HolderServicesModule],
})
export class CardsModule {}

/** Worker process: the cards' jobs (expiry reminders). */
@Module({ imports: [HolderServicesWorkerModule] })
export class CardsWorkerModule {}
