import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { CertificatesModule } from '../../certificates/certificates.module';
import { NotificationsModule, NotificationsWorkerModule } from '../../notifications/notifications.module';
import { CardLifecycle } from '../card-lifecycle.service';
import { CardsModule } from '../cards.module';
import { CardExpiryReminders, CardServicesProcessor, CardServicesScheduler } from './card-expiry.jobs';
import { CardPresenceService } from './card-presence.service';
import { CardRenewalService } from './card-renewal.service';
import { cardServicesConfigProvider } from './card-services.config';
import { CardServicesController } from './card-services.controller';
import { CardServicesRepository } from './card-services.repository';
import { CardServicesService } from './card-services.service';
import { UserCodeService } from './user-code.service';


/**
 * Web app: the card services by card number (/cards/services: status, open, change PIN, unlock,
 * user-code reminder, suspend/resume, revoke, report lost and reissue, renewal). Needs CoreModule
 * and AuditModule (global). CardExpiryReminders is provided here too, so the CLI and tests can run
 * a reminder pass without the worker.
 */
@Module({
  imports: [CardsModule, CertificatesModule, AuthModule, NotificationsModule],
  controllers: [CardServicesController],
  providers: [cardServicesConfigProvider, CardServicesRepository, UserCodeService, CardPresenceService, CardServicesService, CardRenewalService, CardExpiryReminders],
  exports: [CardServicesService, CardExpiryReminders],
})
export class CardServicesModule {}

/**
 * Worker process: the 'card-services' queue's processor ('expiry-reminders') and the daily
 * schedule. Needs CoreModule with the 'worker' BullMQ connection and AuditModule.
 */
@Module({
  imports: [NotificationsWorkerModule],
  providers: [cardServicesConfigProvider, CardServicesRepository, CardLifecycle, CardExpiryReminders, CardServicesProcessor, CardServicesScheduler],
})
export class CardServicesWorkerModule {}
