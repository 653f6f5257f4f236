import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { CountersController } from './counters.controller';
import { County, Department, InsuredPerson, Institution, PersonnelCategory, Professional, RegistrationCounter } from './reference.entity';
import { ReferenceRepository } from './reference.repository';
import { ReferenceSeeder } from './reference.seeder';
import { ReferenceService } from './reference.service';

/** Reference data: counties, personnel categories, departments, institutions, counters, the professional and insured-person registries. */
@Module({
  imports: [TypeOrmModule.forFeature([County, PersonnelCategory, Department, Institution, RegistrationCounter, Professional, InsuredPerson])],
  controllers: [CountersController],
  providers: [
    ReferenceRepository,
    ReferenceService,
    ReferenceSeeder,
    moduleLinks('reference', {
      nav: [{ href: '/counters', labelKey: 'counters.title', audience: 'anyone', order: 10 }],
      services: [{ href: '/counters', titleKey: 'counters.title', descriptionKey: 'home.services.counters.description', audienceKey: 'home.audience.healthcare', audience: 'anyone', order: 40 }],
    }),
  ],
  exports: [ReferenceService, ReferenceSeeder],
})
export class ReferenceModule {}
