import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccessGuard } from '../common/access/access.guard';
import { CsrfGuard } from '../common/access/csrf.guard';
import { ErrorsFilter } from '../common/errors/errors.filter';
import { LinksModule } from '../common/web/links';
import type { AppConfig } from '../config/app-config';
import { CoreModule } from '../core/core.module';
import { AuditModule } from '../modules/audit';
import { AuthModule } from '../modules/auth';
import { CardsModule } from '../modules/cards';
import { CertificatesModule } from '../modules/certificates';
import { DelegationModule } from '../modules/delegation';
import { EmployerRegistryModule } from '../modules/employer-registry';
import { HomeModule } from '../modules/home';
import { InsuredRosterModule } from '../modules/insured-roster';
import { NhiCardModule } from '../modules/nhi-card';
import { NotificationsModule } from '../modules/notifications';
import { OpsModule } from '../modules/ops';
import { ReferenceModule } from '../modules/reference';
import { ReportingModule } from '../modules/reporting';
import { SupportDutyModule } from '../modules/support-duty';

/** The web application: every module's pages, behind the access and CSRF guards. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config), LinksModule, AuditModule, ReferenceModule, CertificatesModule, AuthModule, NotificationsModule, HomeModule, OpsModule, CardsModule, ReportingModule, NhiCardModule, SupportDutyModule, EmployerRegistryModule, DelegationModule, InsuredRosterModule],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: CsrfGuard },
        { provide: APP_FILTER, useClass: ErrorsFilter },
      ],
    };
  }
}
