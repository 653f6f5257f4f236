import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { readMultipart } from '../../common/web/multipart';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { RosterController } from './roster.controller';
import { InsuredMember, SalaryGrade } from './roster.entity';
import { RosterRepository } from './roster.repository';
import { RosterService } from './roster.service';

/** 投保名冊: the unit's insured staff, the business its operators are delegated. */
@Module({
  imports: [TypeOrmModule.forFeature([InsuredMember, SalaryGrade])],
  controllers: [RosterController],
  providers: [
    moduleLinks('insured-roster', {
      nav: [{ href: '/roster', labelKey: 'nav.roster', audience: ['employer_manager', 'employer_operator'], function: 'roster.query', order: 32 }],
      services: [{ href: '/roster', titleKey: 'home.services.roster.title', descriptionKey: 'home.services.roster.description', audienceKey: 'home.audience.employers', audience: ['employer_manager', 'employer_operator'], function: 'roster.query', order: 32 }],
    }),
    RosterRepository,
    RosterService,
  ],
  exports: [RosterService],
})
export class InsuredRosterModule implements NestModule {
  /** The batch upload's multipart body, read before the guards so its _csrf field is checked like any form's (in memory, one file of at most 5 MB). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(readMultipart({ field: 'file', maxFiles: 1, maxFileBytes: UPLOAD_LIMIT, maxFields: 5 })).forRoutes({ path: 'roster/upload', method: RequestMethod.POST });
  }
}

const UPLOAD_LIMIT = 5 * 1024 * 1024;
