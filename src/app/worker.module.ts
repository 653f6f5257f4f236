import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CoreModule } from '../core/core.module';
import { AuditModule } from '../modules/audit';
import { CardsWorkerModule } from '../modules/cards';
import { CertificatesWorkerModule } from '../modules/certificates';
import { DelegationWorkerModule } from '../modules/delegation';
import { NotificationsWorkerModule } from '../modules/notifications';
import { ReportingWorkerModule } from '../modules/reporting';
import { SupportDutyWorkerModule } from '../modules/support-duty';

/** The worker process: the outbox relay, every queue's processor and the registry's schedules. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, { queues: 'worker' }), AuditModule, NotificationsWorkerModule, CertificatesWorkerModule, CardsWorkerModule, ReportingWorkerModule, SupportDutyWorkerModule, DelegationWorkerModule],
    };
  }
}
