import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { AuthModule } from '../auth';
import { EmployerRegistryController } from './employer-registry.controller';
import { EmployerRegistryRepository } from './employer-registry.repository';
import { EmployerRegistrySeeder } from './employer-registry.seeder';
import { EmployerRegistryService } from './employer-registry.service';
import { EmployerUnit } from './employer-unit.entity';

/**
 * The employer registry (要保機關 / 投保單位): reference data of units with the identifier their
 * organisation certificate must carry, and the sign-in of a unit with that certificate.
 */
@Module({
  imports: [TypeOrmModule.forFeature([EmployerUnit]), AuthModule],
  controllers: [EmployerRegistryController],
  providers: [
    moduleLinks('employer-registry', {
      nav: [{ href: '/employers/unit', labelKey: 'nav.employerUnit', audience: ['employer_manager', 'employer_operator'], order: 30 }],
      services: [
        { href: '/employers/unit', titleKey: 'home.services.employerUnit.title', descriptionKey: 'home.services.employerUnit.description', audienceKey: 'home.audience.employers', audience: ['employer_manager', 'employer_operator'], order: 30 },
      ],
    }),
    EmployerRegistryRepository,
    EmployerRegistryService,
    EmployerRegistrySeeder,
  ],
  exports: [EmployerRegistryService, EmployerRegistrySeeder],
})
export class EmployerRegistryModule {}
