import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { LOGGER } from '../../../core/tokens';
import type { AuditActor } from '../../audit';
import { CertificateIssuer } from '../certificate-issuer.service';
import { CaCertificate, IssuedCertificate } from '../certificates.entity';
import { CertificatesRepository } from '../certificates.repository';
import { HsmService } from '../hsm.service';
import { authorityKeyIdentifier, certificateOf, derBytes, randomSerialHex } from '../pki-extensions';
import { x509 } from '../validation/x509-runtime';
import {
  buildOcspResponse,
  certIdMatchesIssuer,
  ocspErrorResponse,
  OcspRequestError,
  ocspResponderExtensions,
  parseOcspRequest,
  type OcspCertStatus,
  type OcspRevocationReason,
} from './ocsp-protocol';

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
/** Responder certificates are dated this much in the past, for clocks running slightly behind. */
const BACKDATE_MS = 5 * MINUTE_MS;
/** issued_certificate.subject_kind of a delegated responder certificate. */
export const OCSP_RESPONDER_KIND = 'ocsp-responder';
/** issued_certificate.holder_ref of a responder: this prefix and the label of its HSM key. */
const KEY_REF = 'ocsp-key:';
const SYSTEM: AuditActor = { kind: 'system', id: 'ocsp-responder' };

/** A delegated OCSP responder of one of our CAs: its certificate and its key on the HSM. */
export interface OcspResponder {
  caId: number;
  der: Buffer;
  keyLabel: string;
  serialHex: string;
  notAfter: Date;
}

function responderOf(row: IssuedCertificate): OcspResponder {
  return { caId: row.issuerId, der: row.der, keyLabel: (row.holderRef as string).slice(KEY_REF.length), serialHex: row.serialHex, notAfter: row.notAfter };
}

/**
 * The OCSP responder (RFC 6960) of our CAs, answering from issued_certificate itself: a
 * revocation or hold is answered at once, not after the next CRL. Each CA answers through a
 * delegated responder certificate it issued (id-kp-OCSPSigning, id-pkix-ocsp-nocheck, key on the
 * HSM, OCSP_RESPONDER_DAYS), issued when first needed and again in its last third.
 */
@Injectable()
export class OcspResponderService {
  private readonly logger: Logger;
  /** Responders by CA id, and the issuing in progress (one per CA per process). */
  private readonly responders = new Map<number, OcspResponder>();
  private readonly issuing = new Map<number, Promise<OcspResponder>>();

  constructor(
    private readonly repository: CertificatesRepository,
    private readonly hsm: HsmService,
    private readonly issuer: CertificateIssuer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ocsp' });
  }

  /**
   * The DER OCSPResponse to a DER OCSPRequest: signed answers for the CertIDs of one of our CAs
   * ('unknown' for CertIDs of any other issuer), 'unauthorized' when no CertID is of our CAs,
   * 'malformedRequest' for what cannot be read, 'internalError' when the answer cannot be made.
   */
  async respond(request: Uint8Array): Promise<Buffer> {
    let parsed;
    try {
      parsed = parseOcspRequest(request);
    } catch (error) {
      if (error instanceof OcspRequestError) return ocspErrorResponse(error.status);
      throw error;
    }
    try {
      const cas = await this.repository.ownCas();
      const named = parsed.requests.map((identity) => ({ identity, ca: cas.find((ca) => certIdMatchesIssuer(identity, ca.der)) }));
      const ca = named.find((entry) => entry.ca)?.ca;
      if (!ca) return ocspErrorResponse('unauthorized');
      const responder = await this.responderFor(ca);
      const now = new Date();
      const nextUpdate = new Date(now.getTime() + this.config.ocsp.validityMinutes * MINUTE_MS);
      const responses = await Promise.all(
        named.map(async (entry) => ({
          certId: entry.identity.raw,
          status: entry.ca?.id === ca.id ? await this.status(ca.id, entry.identity.serialHex) : ({ kind: 'unknown' } as const),
          thisUpdate: now,
          nextUpdate,
        })),
      );
      return buildOcspResponse({
        responderCertDer: responder.der,
        producedAt: now,
        nonce: parsed.nonce,
        responses,
        sign: (tbs) => this.hsm.signDer(responder.keyLabel, tbs),
      });
    } catch (error) {
      this.logger.error({ err: error }, 'OCSP answer failed');
      return ocspErrorResponse('internalError');
    }
  }

  /** What issued_certificate says of a serial of this CA. */
  private async status(caId: number, serialHex: string): Promise<OcspCertStatus> {
    const row = serialHex.startsWith('-') ? null : await this.repository.findIssuedBySerial(caId, serialHex);
    if (!row) return { kind: 'unknown' };
    if (row.status === 'good') return { kind: 'good' };
    const revokedAt = row.revokedAt ?? row.updatedAt;
    if (row.status === 'on-hold') return { kind: 'revoked', revokedAt, reason: 'certificateHold' };
    return { kind: 'revoked', revokedAt, reason: (row.revocationReason ?? undefined) as OcspRevocationReason | undefined };
  }

  /** The CA's current responder; a new one when there is none or it is in its last third. */
  async responderFor(ca: CaCertificate): Promise<OcspResponder> {
    const renewAt = (responder: OcspResponder) => responder.notAfter.getTime() - (this.config.ocsp.responderDays * DAY_MS) / 3;
    const fresh = (responder: OcspResponder | undefined | null): responder is OcspResponder => !!responder && Date.now() < renewAt(responder);
    const cached = this.responders.get(ca.id);
    if (fresh(cached)) return cached;
    let pending = this.issuing.get(ca.id);
    if (!pending) {
      pending = (async () => {
        const stored = await this.repository.latestValidOfKind(ca.id, OCSP_RESPONDER_KIND);
        const responder = stored && fresh(responderOf(stored)) ? responderOf(stored) : await this.issueResponder(ca);
        this.responders.set(ca.id, responder);
        return responder;
      })().finally(() => this.issuing.delete(ca.id));
      this.issuing.set(ca.id, pending);
    }
    return pending;
  }

  /** Issues a delegated responder certificate for a key generated on the HSM, recorded and audited. */
  async issueResponder(ca: CaCertificate, actor: AuditActor = SYSTEM): Promise<OcspResponder> {
    if (!ca.hsmKeyLabel) throw new Error(`CA ${ca.slug} is not one of ours (no HSM key)`);
    const caCert = certificateOf(ca.der);
    const keyLabel = `ocsp-${ca.slug}-${randomBytes(4).toString('hex')}`;
    const spki = derBytes(this.hsm.generateKey(keyLabel));
    const subject = new x509.Name(caCert.subjectName.toJSON().map((rdn) => ('CN' in rdn ? { CN: rdn.CN.map((cn) => `${cn} OCSP Responder`) } : rdn)));
    const notBefore = new Date(Date.now() - BACKDATE_MS);
    const notAfter = new Date(Math.min(notBefore.getTime() + this.config.ocsp.responderDays * DAY_MS, caCert.notAfter.getTime()));
    const serialHex = randomSerialHex();
    const cert = await this.hsm.createCertificate(ca.hsmKeyLabel, {
      serialNumber: serialHex,
      subject,
      issuer: caCert.subjectName,
      notBefore,
      notAfter,
      publicKey: spki,
      extensions: [
        ...ocspResponderExtensions(),
        await x509.SubjectKeyIdentifierExtension.create(spki, false, this.hsm.crypto),
        await authorityKeyIdentifier(caCert, this.hsm.crypto),
      ],
    });
    const row = await this.issuer.record(
      ca,
      cert,
      { family: ca.family, subjectKind: OCSP_RESPONDER_KIND, subjectDn: cert.subject, holderRef: `${KEY_REF}${keyLabel}` },
      'pki.ocsp-responder.issue',
      actor,
    );
    this.logger.info({ ca: ca.slug, serial: serialHex, notAfter: cert.notAfter.toISOString() }, 'OCSP responder certificate issued');
    return responderOf(row);
  }
}
