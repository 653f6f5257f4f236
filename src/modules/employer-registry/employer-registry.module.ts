import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { AuthModule } from '../auth';
import { CounterCalendarModule } from '../cards';
import { CertificatesModule } from '../certificates';
import { NhiCardModule } from '../nhi-card';
import { NotificationsModule } from '../notifications';
import { CertificateReader } from './certificate-reader';
import { EmployerRegistryController } from './employer-registry.controller';
import { EmployerRegistryRepository } from './employer-registry.repository';
import { EmployerRegistrySeeder } from './employer-registry.seeder';
import { EmployerRegistryService } from './employer-registry.service';
import { EmployerUnit } from './employer-unit.entity';
import { RegistrationController } from './registration.controller';
import { EmployerRegistration, EmployerReviewCase } from './registration.entity';
import { RegistrationRepository } from './registration.repository';
import { RegistrationService } from './registration.service';
import { QueriesController } from './queries.controller';
import { QueriesService } from './queries.service';
import { ReplacementController } from './replacement.controller';
import { ReplacementService } from './replacement.service';
import { ReviewController } from './review.controller';
import { ResponsiblePersonSignIn } from './responsible-person';
import { ReviewService } from './review.service';
import { UnitContacts } from './unit-contacts';

/**
 * The employer registry (要保機關 / 投保單位): reference data of units with the identifier their
 * organisation certificate must carry, and the sign-in of a unit with that certificate.
 */
@Module({
  imports: [TypeOrmModule.forFeature([EmployerUnit, EmployerRegistration, EmployerReviewCase]), AuthModule, CertificatesModule, NotificationsModule, CounterCalendarModule, NhiCardModule],
  controllers: [EmployerRegistryController, RegistrationController, ReplacementController, QueriesController, ReviewController],
  providers: [
    moduleLinks('employer-registry', {
      nav: [
        { href: '/review/employers', labelKey: 'nav.employerReview', audience: ['ministry_staff'], intranetOnly: true, order: 60 },
        { href: '/employers/unit', labelKey: 'nav.employerUnit', audience: ['employer_manager', 'employer_operator'], order: 30 },
      ],
      services: [
        { href: '/employers/register', titleKey: 'employers.register.title', descriptionKey: 'home.services.employerRegister.description', audienceKey: 'home.audience.employers', audience: 'signed-out', order: 6 },
        { href: '/employers/replace', titleKey: 'employers.replace.title', descriptionKey: 'home.services.employerReplace.description', audienceKey: 'home.audience.employers', audience: ['employer_manager'], order: 31 },
        { href: '/employers/queries', titleKey: 'employers.queries.title', descriptionKey: 'home.services.employerQueries.description', audienceKey: 'home.audience.employers', audience: 'anyone', order: 7 },
        { href: '/review/employers', titleKey: 'home.services.employerReview.title', descriptionKey: 'home.services.employerReview.description', audienceKey: 'home.audience.staff', audience: ['ministry_staff'], intranetOnly: true, staff: true, order: 60 },
        { href: '/employers/unit', titleKey: 'home.services.employerUnit.title', descriptionKey: 'home.services.employerUnit.description', audienceKey: 'home.audience.employers', audience: ['employer_manager', 'employer_operator'], order: 30 },
      ],
    }),
    EmployerRegistryRepository,
    EmployerRegistryService,
    EmployerRegistrySeeder,
    CertificateReader,
    RegistrationRepository,
    RegistrationService,
    ReplacementService,
    QueriesService,
    ReviewService,
    ResponsiblePersonSignIn,
    UnitContacts,
  ],
  exports: [EmployerRegistryService, EmployerRegistrySeeder, CertificateReader, RegistrationService, UnitContacts],
})
export class EmployerRegistryModule {}

/** Worker process: the units' contacts, for jobs that e-mail a unit's manager (the delegation reminders). */
@Module({
  imports: [TypeOrmModule.forFeature([EmployerRegistration, EmployerReviewCase])],
  providers: [RegistrationRepository, UnitContacts],
  exports: [UnitContacts],
})
export class EmployerRegistryWorkerModule {}
