import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { ReferenceModule } from '../reference/reference.module';
import { CertificateLoginController } from './certificate-login.controller';
import { CertificateLoginService } from './certificate-login.service';
import { CertificateAuthGuard, CertificateStrategy } from './certificate.strategy';
import { ChallengeService } from './challenge.service';
import { StaffLoginController } from './staff-login.controller';
import { StaffService } from './staff.service';

/** Sign-in: with a card (Web eID token through the 'certificate' passport strategy) and the staff break-glass path. */
@Module({
  imports: [ReferenceModule, CertificatesModule],
  controllers: [CertificateLoginController, StaffLoginController],
  providers: [StaffService, ChallengeService, CertificateLoginService, CertificateStrategy, CertificateAuthGuard],
  exports: [StaffService, ChallengeService],
})
export class AuthModule {}
