import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccessGuard } from '../common/access/access.guard';
import { CsrfGuard } from '../common/access/csrf.guard';
import { ErrorsFilter } from '../common/errors/errors.filter';
import type { AppConfig } from '../config/app-config';
import { CoreModule } from '../core/core.module';
import { AuditModule } from '../modules/audit/audit.module';
import { AuthModule } from '../modules/auth/auth.module';
import { CardsModule } from '../modules/cards/cards.module';
import { CounterModule } from '../modules/cards/counter/counter.module';
import { CardServicesModule } from '../modules/cards/services/card-services.module';
import { CertificatesModule } from '../modules/certificates/certificates.module';
import { HomeModule } from '../modules/home/home.module';
import { NotificationsModule } from '../modules/notifications/notifications.module';
import { OpsModule } from '../modules/ops/ops.module';
import { ReferenceModule } from '../modules/reference/reference.module';

/** The web application: every module's pages, behind the access and CSRF guards. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config), AuditModule, ReferenceModule, CertificatesModule, AuthModule, NotificationsModule, HomeModule, OpsModule, CardsModule, CounterModule, CardServicesModule],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: CsrfGuard },
        { provide: APP_FILTER, useClass: ErrorsFilter },
      ],
    };
  }
}
