import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { AuthModule } from '../auth';
import { EmployerRegistryModule, EmployerRegistryWorkerModule } from '../employer-registry';
import { NhiCardModule } from '../nhi-card';
import { NotificationsModule, NotificationsWorkerModule } from '../notifications';
import { DelegationEndReminders, DelegationProcessor } from './delegation.jobs';
import { DelegationController } from './delegation.controller';
import { Delegation, DelegationHistory } from './delegation.entity';
import { DelegationRepository } from './delegation.repository';
import { DelegationService } from './delegation.service';
import { OperatorGuard } from './operator.guard';
import { OperatorUnitController } from './operator-unit.controller';

/** 授權指派: a unit's operators with their granted functions, the operators' sign-in (a certificate, or an NHI card through nhi-card's NhiUnitAccounts), and the per-request check of their delegation. */
@Module({
  imports: [TypeOrmModule.forFeature([Delegation, DelegationHistory]), AuthModule, EmployerRegistryModule, NhiCardModule, NotificationsModule],
  controllers: [DelegationController, OperatorUnitController],
  providers: [
    moduleLinks('delegation', {
      nav: [
        { href: '/employers/delegation', labelKey: 'nav.delegation', audience: ['employer_manager'], order: 31 },
        { href: '/employers/operator/unit', labelKey: 'nav.operatorUnit', audience: ['employer_operator'], order: 29 },
      ],
      services: [
        { href: '/employers/delegation', titleKey: 'home.services.delegation.title', descriptionKey: 'home.services.delegation.description', audienceKey: 'home.audience.employers', audience: ['employer_manager'], order: 31 },
      ],
    }),
    DelegationRepository,
    DelegationService,
    { provide: APP_GUARD, useClass: OperatorGuard },
  ],
  exports: [DelegationService],
})
export class DelegationModule {}

/** Worker process: the 'delegation' queue (the reminder before a delegation ends, scheduled daily by the queue registry). */
@Module({
  imports: [TypeOrmModule.forFeature([Delegation, DelegationHistory]), EmployerRegistryWorkerModule, NotificationsWorkerModule],
  providers: [DelegationRepository, DelegationEndReminders, DelegationProcessor],
})
export class DelegationWorkerModule {}
