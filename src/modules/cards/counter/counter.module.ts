import { Module } from '@nestjs/common';
import { CertificatesModule } from '../../certificates/certificates.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { ReferenceModule } from '../../reference/reference.module';
import { CardIssuanceService } from '../card-issuance.service';
import { CardsModule } from '../cards.module';
import { ReservationPresenter } from '../reservation-presenter';
import { CounterController } from './counter.controller';
import { CounterRepository } from './counter.repository';
import { CounterService } from './counter.service';

/**
 * Registration counter (RA) processing: the counter staff's reservation list and decision, and
 * card issuance (CardIssuanceService, exported for renewal and reissue). Needs CoreModule and
 * AuditModule (global); uses CardsModule (reservations, CardLifecycle), CertificatesModule (HSM,
 * issuing, revocation), NotificationsModule and ReferenceModule.
 */
@Module({
  imports: [CardsModule, CertificatesModule, NotificationsModule, ReferenceModule],
  controllers: [CounterController],
  providers: [CounterRepository, CounterService, CardIssuanceService, ReservationPresenter],
  exports: [CardIssuanceService],
})
export class CounterModule {}
