import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CoreModule } from '../core/core.module';
import { AuditModule } from '../modules/audit/audit.module';
import { CardServicesWorkerModule } from '../modules/cards/services/card-services.module';
import { CertificatesWorkerModule } from '../modules/certificates/certificates.module';
import { NotificationsWorkerModule } from '../modules/notifications/notifications.module';

/** The worker process: the outbox relay and the BullMQ processors (notifications, statistics). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, { queues: 'worker' }), AuditModule, NotificationsWorkerModule, CertificatesWorkerModule, CardServicesWorkerModule],
    };
  }
}
