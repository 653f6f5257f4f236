import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { AuthModule } from '../auth';
import { CertificatesModule } from '../certificates';
import { NotificationsModule } from '../notifications';
import { ReferenceModule } from '../reference';
import { DevelopmentCaNhiCardCheck, NHI_CARD_CHECK } from './card-check';
import { NhiCardCredentialService } from './nhi-card-credential.service';
import { NhiCardLoginController } from './nhi-card-login.controller';
import { NhiCardLoginService } from './nhi-card-login.service';
import { NhiCardRegistrationController } from './nhi-card-registration.controller';
import { NhiCardRegistrationService } from './nhi-card-registration.service';
import { NhiCardAccount, NhiCardLink } from './nhi-card.entity';
import { NhiCardRepository } from './nhi-card.repository';
import { NhiCardlessController } from './nhi-cardless.controller';
import { NhiCardlessService } from './nhi-cardless.service';
import { NhiOtpController } from './nhi-otp.controller';
import { NhiOtpService } from './nhi-otp.service';
import { NhiUnitAccounts } from './nhi-unit-accounts';
import { secretBoxProvider } from '../../core/secrets';

/**
 * NHI card (健保卡) credentials: the card check (NHI_CARD_CHECK: the development NHI card CA here,
 * the NHIA's verification service in production), the online-service registration and its
 * companions (/nhi-card/*), the NHI card + password sign-in (/auth/nhi-card) and the card-less
 * sign-in (national ID + SMS code + card number, /login/nhi-cardless); the one-time-code
 * enrolment of a unit's responsible person (/nhi-card/otp) and the sign-in with it (/login/nhi-otp);
 * with a unit code, both NHI sign-ins act for a unit's responsible person (NhiUnitAccounts).
 */
@Module({
  imports: [TypeOrmModule.forFeature([NhiCardAccount, NhiCardLink]), AuthModule, CertificatesModule, NotificationsModule, ReferenceModule],
  controllers: [NhiCardRegistrationController, NhiCardLoginController, NhiCardlessController, NhiOtpController],
  providers: [
    moduleLinks('nhi-card', {
      services: [{ href: '/nhi-card', titleKey: 'home.services.nhiCard.title', descriptionKey: 'home.services.nhiCard.description', audienceKey: 'home.audience.everyone', audience: 'signed-out', order: 5 }],
    }),
    { provide: NHI_CARD_CHECK, useClass: DevelopmentCaNhiCardCheck },
    NhiCardRepository,
    NhiCardCredentialService,
    NhiCardRegistrationService,
    NhiCardLoginService,
    NhiCardlessService,
    NhiOtpService,
    NhiUnitAccounts,
    secretBoxProvider('nhi-otp'),
  ],
  exports: [NhiCardCredentialService, NhiOtpService, NhiUnitAccounts],
})
export class NhiCardModule {}
