import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService, type AuditActor } from '../audit';
import { CA_FAMILY_PROFILES, SUBJECT_KIND_PROFILES, type SubjectKind } from './ca-profiles';
import { CaCertificate, CredentialFamilyCode, IssuedCertificate } from './certificates.entity';
import { CertificatesRepository } from './certificates.repository';
import { HsmService } from './hsm.service';
import { buildSubject, directoryAttributesExtension, LeafSubject, subjectProblems } from './leaf-subject';
import { authorityKeyIdentifier, caCertUrlFor, certificateOf, crlUrlFor, ocspUrlFor, publicationExtensions, randomSerialHex } from './pki-extensions';
import { x509 } from './validation/x509-runtime';
import { serialKey } from './validation';
import { certificatesError } from './certificates.errors';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Leaves are dated this much in the past, for clocks running slightly behind. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface IssueRequest {
  /** The CA family that issues it (must issue `subjectType`). */
  family: CredentialFamilyCode;
  subjectType: SubjectKind;
  subject: LeafSubject;
  /** The holder's public key, SubjectPublicKeyInfo DER (generated on the card). */
  spki: Uint8Array;
  /** Who holds it, in the caller's terms (at most 64 characters), e.g. 'card:42'. */
  holderRef?: string;
  /** Default: from now (less 5 minutes) for the profile's validity, ending no later than the CA. */
  validity?: { notBefore?: Date; notAfter?: Date; days?: number };
  /** x509.KeyUsageFlags; default the profile's (digitalSignature | nonRepudiation). */
  keyUsage?: number;
  /** Extended key usages; default clientAuth + emailProtection. An empty list leaves the extension out. */
  extKeyUsage?: readonly string[];
  /** Replaces the subject type OID (and the policy) of the profile: test certificates of no family. */
  subjectTypeOid?: string;
}

export interface IssuedResult {
  id: number;
  der: Buffer;
  pem: string;
  /** Hex uppercase without a sign octet. */
  serialHex: string;
  /** The DN, national IDs masked. */
  subjectDn: string;
  notBefore: Date;
  notAfter: Date;
  issuer: { id: number; slug: string; subjectDn: string };
}

/** Bad issuing input: every problem listed. */
export class IssueInputError extends Error {
  override readonly name = 'IssueInputError';
  constructor(readonly problems: string[]) {
    super(`cannot issue: ${problems.join('; ')}`);
  }
}

function spkiProblem(spki: Uint8Array): string | undefined {
  try {
    const key = new x509.PublicKey(new Uint8Array(spki));
    const name = key.algorithm.name;
    if (name !== 'ECDSA' && name !== 'RSASSA-PKCS1-v1_5' && name !== 'RSA-PSS') return `spki: unsupported key algorithm ${name}`;
    return undefined;
  } catch (error) {
    return `spki: not a SubjectPublicKeyInfo (${(error as Error).message})`;
  }
}

/**
 * Issues leaf certificates with our CAs (the development hierarchy's issuing CA of the family),
 * signed in the HSM, and records each in issued_certificate with an audit row. Used by the card
 * lifecycle, `dev card create` and the tests.
 */
@Injectable()
export class CertificateIssuer {
  constructor(
    private readonly repository: CertificatesRepository,
    private readonly hsm: HsmService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Problems with a request (empty when it can be issued as far as its input goes); the key is checked when given. */
  problems(request: Omit<IssueRequest, 'spki'> & { spki?: Uint8Array }): string[] {
    const problems: string[] = [];
    const family = CA_FAMILY_PROFILES[request.family];
    if (!family) return [`family: one of ${Object.keys(CA_FAMILY_PROFILES).join(', ')}`];
    if (!family.subjectKinds.includes(request.subjectType)) {
      problems.push(`subjectType: ${family.label} issues ${family.subjectKinds.join(', ')}, not "${request.subjectType}"`);
    } else {
      problems.push(...subjectProblems(request.subjectType, request.subject));
    }
    const key = request.spki && spkiProblem(request.spki);
    if (key) problems.push(key);
    if (request.holderRef !== undefined && (request.holderRef.length === 0 || request.holderRef.length > 64)) problems.push('holderRef: 1 to 64 characters');
    if (request.subjectTypeOid !== undefined && !/^[0-2](\.\d+)+$/.test(request.subjectTypeOid)) problems.push('subjectTypeOid: an OID');
    const { notBefore, notAfter, days } = request.validity ?? {};
    if (days !== undefined && (!Number.isInteger(days) || days < 1)) problems.push('validity.days: a whole number of days, at least 1');
    if (notBefore && notAfter && notBefore.getTime() >= notAfter.getTime()) problems.push('validity: notBefore must be before notAfter');
    return problems;
  }

  /** The enabled, unrevoked issuing CA of a family whose key is in our HSM (the newest). */
  async issuingCa(family: CredentialFamilyCode): Promise<CaCertificate> {
    const revoked = new Set((await this.repository.revokedCaRecords()).map((row) => `${row.issuerId}:${row.serialHex}`));
    const [ca] = (await this.repository.ownCas())
      .filter((row) => row.family === family && row.role === 'issuing' && row.enabled && !revoked.has(`${row.parentId}:${serialKey(row.serialHex)}`))
      .reverse();
    if (!ca) throw certificatesError.conflict('no-issuing-ca', 'errors.409.message', { family });
    return ca;
  }

  /** A certificate we issued, by its id (null when there is none). */
  issued(id: number): Promise<IssuedCertificate | null> {
    return this.repository.findIssued(id);
  }

  /**
   * Records a certificate one of our CAs just signed (status good) with its audit row `action`,
   * in one transaction: what every issuing path (leaves, OCSP responders) does after signing.
   */
  async record(
    ca: CaCertificate,
    cert: x509.X509Certificate,
    fields: Pick<IssuedCertificate, 'family' | 'subjectKind' | 'subjectDn' | 'holderRef'>,
    action: string,
    actor?: AuditActor,
  ): Promise<IssuedCertificate> {
    const der = Buffer.from(cert.rawData);
    const serialHex = serialKey(cert.serialNumber);
    return this.repository.transaction(async (manager) => {
      const saved = await this.repository.insertIssued(manager, {
        ...fields,
        issuerId: ca.id,
        serialHex,
        der,
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
        status: 'good',
        revocationReason: null,
        revokedAt: null,
      });
      await this.audit.record(manager, {
        action,
        targetType: 'issued_certificate',
        targetId: saved.id,
        summary: {
          issuer: ca.slug,
          serial: serialHex,
          subject: fields.subjectDn,
          subjectKind: fields.subjectKind,
          notBefore: cert.notBefore.toISOString(),
          notAfter: cert.notAfter.toISOString(),
          holderRef: fields.holderRef,
          sha256: createHash('sha256').update(der).digest('hex'),
        },
        actor,
      });
      return saved;
    });
  }

  async issue(request: IssueRequest, actor?: AuditActor): Promise<IssuedResult> {
    const problems = this.problems(request);
    if (problems.length) throw new IssueInputError(problems);
    const ca = await this.issuingCa(request.family);
    const caCert = certificateOf(ca.der);
    const profile = SUBJECT_KIND_PROFILES[request.subjectType];
    const subjectTypeOid = request.subjectTypeOid ?? profile.subjectTypeOid;
    const subject = buildSubject(request.subjectType, request.subject, subjectTypeOid);

    const now = Date.now();
    const notBefore = request.validity?.notBefore ?? new Date(now - BACKDATE_MS);
    const days = request.validity?.days ?? profile.validityDays;
    const notAfter = request.validity?.notAfter ?? new Date(Math.min(notBefore.getTime() + days * DAY_MS, caCert.notAfter.getTime()));
    const extKeyUsage = request.extKeyUsage ?? profile.extKeyUsage;
    const spki = new Uint8Array(request.spki);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(request.keyUsage ?? profile.keyUsage, true),
      ...(extKeyUsage.length ? [new x509.ExtendedKeyUsageExtension([...extKeyUsage], false)] : []),
      await x509.SubjectKeyIdentifierExtension.create(spki, false, this.hsm.crypto),
      await authorityKeyIdentifier(caCert, this.hsm.crypto),
      new x509.CertificatePolicyExtension([subjectTypeOid], false),
      directoryAttributesExtension(subject.attributes),
      ...publicationExtensions({
        crl: ca.crlUrl ?? crlUrlFor(this.config.publicOrigin, ca.slug),
        issuerCert: caCertUrlFor(this.config.publicOrigin, ca.slug),
        ocsp: ocspUrlFor(this.config.publicOrigin),
      }),
    ];
    const serialHex = randomSerialHex();
    const cert = await this.hsm.createCertificate(ca.hsmKeyLabel as string, {
      serialNumber: serialHex,
      subject: subject.name,
      issuer: caCert.subjectName,
      notBefore,
      notAfter,
      publicKey: spki,
      extensions,
    });
    const der = Buffer.from(cert.rawData);
    const row = await this.record(
      ca,
      cert,
      { family: request.family, subjectKind: request.subjectType, subjectDn: subject.maskedDn, holderRef: request.holderRef ?? null },
      'pki.certificate.issue',
      actor,
    );
    return {
      id: row.id,
      der,
      pem: cert.toString('pem'),
      serialHex,
      subjectDn: subject.maskedDn,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      issuer: { id: ca.id, slug: ca.slug, subjectDn: ca.subjectDn },
    };
  }
}
