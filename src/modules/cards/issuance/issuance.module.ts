import { Module } from '@nestjs/common';
import { CertificatesModule } from '../../certificates';
import { NotificationsModule } from '../../notifications';
import { ReferenceModule } from '../../reference';
import { CardLifecycleModule } from '../lifecycle/lifecycle.module';
import { CardReservationModule } from '../reservation/reservation.module';
import { CardIssuanceService } from './card-issuance.service';

/** Card issuance (製卡): the key generated on the card, its certificate, the PIN mailer and the sealed PUK. */
@Module({
  imports: [CardLifecycleModule, CardReservationModule, CertificatesModule, NotificationsModule, ReferenceModule],
  providers: [CardIssuanceService],
  exports: [CardIssuanceService],
})
export class CardIssuanceModule {}
