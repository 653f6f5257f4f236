import { Module } from '@nestjs/common';
import { moduleLinks } from '../../../common/web/links';
import { AuthModule } from '../../auth';
import { CertificatesModule } from '../../certificates';
import { NotificationsModule, NotificationsWorkerModule } from '../../notifications';
import { CardLifecycleModule } from '../lifecycle/lifecycle.module';
import { CardReservationModule } from '../reservation/reservation.module';
import { CardAccess } from './card-access.service';
import { CardExpiryReminders, CardServicesProcessor } from './card-expiry.jobs';
import { CardOpenController } from './card-open.controller';
import { CardPresenceService } from './card-presence.service';
import { CardRenewalController } from './card-renewal.controller';
import { CardRenewalService } from './card-renewal.service';
import { CardStateChanges } from './card-state-changes.service';
import { CardStateController } from './card-state.controller';
import { CardStatusController } from './card-status.controller';
import { CardUnlockController } from './card-unlock.controller';
import { CardUnlock } from './card-unlock.service';
import { HolderPages } from './holder-pages';
import { cardServicesConfigProvider } from './holder-services.config';
import { UserCodeReminders } from './user-code-reminder.service';
import { UserCodeService } from './user-code.service';

/**
 * Web app: the card holder's services by card number (/cards/services: status, open, change PIN,
 * unlock, user-code reminder, suspend/resume, revoke, report lost and reissue, renewal).
 * CardExpiryReminders is provided here too, so the CLI and tests can run a reminder pass
 * without the worker.
 */
@Module({
  imports: [CardLifecycleModule, CardReservationModule, CertificatesModule, AuthModule, NotificationsModule],
  controllers: [CardStatusController, CardOpenController, CardUnlockController, CardStateController, CardRenewalController],
  providers: [
    cardServicesConfigProvider,
    CardAccess,
    UserCodeService,
    CardPresenceService,
    HolderPages,
    CardStateChanges,
    CardUnlock,
    UserCodeReminders,
    CardRenewalService,
    CardExpiryReminders,
    moduleLinks('cards.holder-services', {
      services: [{ href: '/cards/services', titleKey: 'cardServices.entry.title', descriptionKey: 'home.services.cardServices.description', audienceKey: 'home.audience.cardHolders', audience: 'anyone', order: 20 }],
    }),
  ],
  exports: [CardExpiryReminders],
})
export class HolderServicesModule {}

/**
 * Worker process: the 'card-services' queue's processor ('expiry-reminders', scheduled daily by
 * the queue registry). Needs CoreModule with the 'worker' BullMQ connection and AuditModule.
 */
@Module({
  imports: [CardLifecycleModule, NotificationsWorkerModule],
  providers: [cardServicesConfigProvider, CardExpiryReminders, CardServicesProcessor],
})
export class HolderServicesWorkerModule {}
