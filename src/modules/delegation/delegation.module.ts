import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { AuthModule } from '../auth';
import { EmployerRegistryModule } from '../employer-registry';
import { NotificationsModule } from '../notifications';
import { DelegationController } from './delegation.controller';
import { Delegation, DelegationHistory } from './delegation.entity';
import { DelegationRepository } from './delegation.repository';
import { DelegationService } from './delegation.service';
import { OperatorGuard } from './operator.guard';
import { OperatorUnitController } from './operator-unit.controller';

/** 授權指派: a unit's operators with their granted functions, the operators' sign-in, and the per-request check of their delegation. */
@Module({
  imports: [TypeOrmModule.forFeature([Delegation, DelegationHistory]), AuthModule, EmployerRegistryModule, NotificationsModule],
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
