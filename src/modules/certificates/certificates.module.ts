import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../notifications';
import { CaCertificate, CrlRecord, IssuedCertificate } from './certificates.entity';
import { CaRevocationService } from './ca-revocation.service';
import { CertificateIssuer } from './certificate-issuer.service';
import { CertificatesRepository } from './certificates.repository';
import { CrlService } from './crl.service';
import { DevPkiService } from './dev-pki.service';
import { HsmService } from './hsm.service';
import { OcspAnswerCache } from './ocsp/ocsp-answer-cache';
import { OcspHttpFront } from './ocsp/ocsp-http-front';
import { OcspResponderService } from './ocsp/ocsp-responder.service';
import { PkiController } from './pki.controller';
import { PkiProcessor } from './pki.jobs';
import { RevocationService } from './revocation.service';
import { TrustStoreService } from './trust-store.service';

const entities = TypeOrmModule.forFeature([CaCertificate, CrlRecord, IssuedCertificate]);

/**
 * Web app and CLI: the trust store and its validator (TrustStoreService), issuing
 * (CertificateIssuer), revocation (RevocationService), CRLs (CrlService), the development PKI
 * (DevPkiService), the HSM (HsmService), the OCSP responder (OcspResponderService), and the public
 * /pki/crl, /pki/ca and /pki/ocsp addresses. Needs
 * CoreModule and AuditModule (global); uses NotificationsModule's outbox.
 */
@Module({
  imports: [entities, NotificationsModule],
  controllers: [PkiController],
  providers: [CertificatesRepository, HsmService, TrustStoreService, CrlService, CertificateIssuer, RevocationService, DevPkiService, OcspResponderService, OcspAnswerCache, OcspHttpFront, CaRevocationService],
  exports: [HsmService, TrustStoreService, CrlService, CertificateIssuer, RevocationService, DevPkiService, CaRevocationService, OcspResponderService],
})
export class CertificatesModule {}

/**
 * Worker process: the 'pki' queue's processor ('crl-refresh'; its schedule is in the queue
 * registry). Needs CoreModule with the 'worker' BullMQ connection.
 */
@Module({
  imports: [entities],
  providers: [CertificatesRepository, HsmService, TrustStoreService, CrlService, PkiProcessor],
  exports: [CrlService],
})
export class CertificatesWorkerModule {}
