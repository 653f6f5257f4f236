import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../../notifications';
import { ReferenceModule } from '../../reference';
import { CaseRules } from './case-rules.service';
import { CaseLifecycle } from './case-lifecycle.service';
import { CaseRepository } from './case.repository';
import { SupportDutyAttachment, SupportDutyCase, SupportDutyMessage, SupportDutySlot } from './support-duty.entity';

/** What the filing and review journeys share: the case records, their queries and the state machine. */
@Module({
  imports: [TypeOrmModule.forFeature([SupportDutyCase, SupportDutySlot, SupportDutyMessage, SupportDutyAttachment]), NotificationsModule, ReferenceModule],
  providers: [CaseRepository, CaseLifecycle, CaseRules],
  exports: [CaseRepository, CaseLifecycle, CaseRules],
})
export class CaseLifecycleModule {}
