import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CoreModule } from '../core/core.module';
import { AuditModule } from '../modules/audit';
import { AuthModule } from '../modules/auth';
import { CertificatesModule } from '../modules/certificates';
import { EmployerRegistryModule } from '../modules/employer-registry';
import { ReferenceModule } from '../modules/reference';
import { ReportingCliModule } from '../modules/reporting';
import { DbCommand, DbMigrateCommand } from './db.command';
import { DEV_CARD_COMMANDS } from './dev-card.command';
import { PKI_COMMANDS } from './pki.command';
import { REPORTING_COMMANDS } from './reporting.command';
import { SeedCommand } from './seed.command';
import { StaffBindCertCommand, StaffBindNhiCardCommand, StaffCommand, StaffCreateCommand, StaffDisableCommand, StaffListCommand } from './staff.command';

@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [CoreModule.forRoot(config), AuditModule, ReferenceModule, CertificatesModule, AuthModule, ReportingCliModule, EmployerRegistryModule],
      providers: [DbCommand, DbMigrateCommand, SeedCommand, StaffCommand, StaffCreateCommand, StaffListCommand, StaffDisableCommand, StaffBindCertCommand, StaffBindNhiCardCommand, ...PKI_COMMANDS, ...DEV_CARD_COMMANDS, ...REPORTING_COMMANDS],
    };
  }
}
