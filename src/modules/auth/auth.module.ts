import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { moduleLinks } from '../../common/web/links';
import { secretBoxProvider } from '../../core/secrets';
import { CertificatesModule } from '../certificates';
import { ReferenceModule } from '../reference';
import { CertificateAccounts } from './certificate-accounts';
import { CertificateLoginController } from './certificate-login.controller';
import { CertificateLoginService } from './certificate-login.service';
import { ReaderHelperPageController } from './reader-helper-page.controller';
import { CertificateAuthGuard, CertificateStrategy } from './certificate.strategy';
import { ChallengeService } from './challenge.service';
import { SessionRegistry } from './session-registry';
import { SessionService } from './session.service';
import { StaffAccount } from './staff-account.entity';
import { StaffAccountRepository } from './staff-account.repository';
import { StaffLoginController } from './staff-login.controller';
import { StaffService } from './staff.service';
import { TokenProofService } from './token-proof.service';

/**
 * Sign-in: with a card (Web eID token through the 'certificate' passport strategy), the staff
 * break-glass path, sessions; and the proof that a card is present, for the card services.
 */
@Module({
  imports: [TypeOrmModule.forFeature([StaffAccount]), ReferenceModule, CertificatesModule],
  controllers: [CertificateLoginController, StaffLoginController, ReaderHelperPageController],
  providers: [
    moduleLinks('auth', {
      nav: [
        { href: '/login', labelKey: 'nav.login', audience: 'signed-out', order: 90 },
        { href: '/staff/login', labelKey: 'nav.staffLogin', audience: 'signed-out', intranetOnly: true, order: 91 },
      ],
      services: [
        { href: '/login', titleKey: 'home.services.login.title', descriptionKey: 'home.services.login.description', audienceKey: 'home.audience.everyone', audience: 'signed-out', order: 0 },
        { href: '/staff/login', titleKey: 'home.services.staffLogin.title', descriptionKey: 'home.services.staffLogin.description', audienceKey: 'home.audience.staff', audience: 'signed-out', intranetOnly: true, staff: true, order: 80 },
      ],
    }),
    secretBoxProvider('staff-totp'),
    StaffAccountRepository,
    StaffService,
    ChallengeService,
    TokenProofService,
    SessionRegistry,
    SessionService,
    CertificateAccounts,
    CertificateLoginService,
    CertificateStrategy,
    CertificateAuthGuard,
  ],
  exports: [StaffService, TokenProofService, SessionService, SessionRegistry, CertificateAccounts],
})
export class AuthModule {}
