import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { AuditEvent } from './audit-event.entity';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** Global: every module records its changes through AuditService. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditController],
  providers: [
    AuditRepository,
    AuditService,
    moduleLinks('audit', {
      nav: [{ href: '/admin/audit', labelKey: 'nav.audit', audience: ['admin', 'ministry_staff'], order: 30 }],
      services: [{ href: '/admin/audit', titleKey: 'home.services.audit.title', descriptionKey: 'home.services.audit.description', audienceKey: 'home.audience.staff', audience: ['admin', 'ministry_staff'], staff: true, order: 60 }],
    }),
  ],
  exports: [AuditService],
})
export class AuditModule {}
