import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { LOGGER } from '../../core/tokens';
import { AuditService, type AuditActor } from '../audit';
import { CaCertificate, CrlRecord, IssuedCertificate } from './certificates.entity';
import { CertificatesRepository } from './certificates.repository';
import { HsmService } from './hsm.service';
import { TrustStoreService } from './trust-store.service';
import * as asn1X509 from '@peculiar/asn1-x509';
import { certificateFields } from '../../shared/pkcs11';
import { authorityKeyIdentifier, certificateOf, crlNumberExtension, crlNumberOf, derBytes } from './pki-extensions';
import { encodeCertificateList, encodeTbsCertList, loadCrls, normalizeName, parseCertificate, SignatureVerifier, type CrlDocument, type CrlEntry } from './validation';
import { x509 } from './validation/x509-runtime';

const HOUR_MS = 60 * 60 * 1000;
/** CRLs kept per CA (the newest is served and used). */
const CRLS_KEPT = 10;
const FETCH_TIMEOUT_MS = 10_000;
const FETCH_MAX_BYTES = 20 * 1024 * 1024;

export interface PublishedCrl {
  caId: number;
  slug: string;
  crlNumber: number;
  entries: number;
  thisUpdate: Date;
  nextUpdate: Date;
}

export type FetchOutcome = 'stored' | 'unchanged' | 'older' | 'failed';

export interface FetchedCrl {
  caId: number;
  slug: string;
  url: string;
  outcome: FetchOutcome;
  detail?: string;
}

export interface RefreshReport {
  published: PublishedCrl[];
  fetched: FetchedCrl[];
}

export interface RefreshOptions {
  /** Only this CA (ours: publish; another's: fetch). */
  issuerId?: number;
  /** Publish a new CRL for every CA of ours even when the current one is fresh and nothing changed. */
  force?: boolean;
  /** Who asked (the CLI): the refresh is audited. The scheduled job is not. */
  actor?: AuditActor;
}

/** ecdsa-with-SHA256 (1.2.840.10045.4.3.2), no parameters: how our CA keys sign. */
const ECDSA_WITH_SHA256 = Buffer.from('300a06082a8648ce3d040302', 'hex');

/** The CRL entries of revoked and held issued_certificate rows (revocation_reason absent: unspecified). */
export function crlEntriesOf(rows: readonly Pick<IssuedCertificate, 'serialHex' | 'revokedAt' | 'updatedAt' | 'revocationReason'>[]): CrlEntry[] {
  return rows.map((row) => ({
    serialHex: row.serialHex,
    revokedAt: row.revokedAt ?? row.updatedAt,
    reason: row.revocationReason === null ? undefined : asn1X509.CRLReasons[row.revocationReason as keyof typeof asn1X509.CRLReasons],
  }));
}

function sha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

/**
 * CRLs: ours, made from issued_certificate and signed in the HSM (crlNumber increasing,
 * thisUpdate now, nextUpdate now + CRL_VALIDITY_HOURS, reason codes including certificateHold),
 * and other CAs', fetched from their crl_url. Also what /pki/crl and /pki/ca serve.
 */
@Injectable()
export class CrlService {
  private readonly logger: Logger;
  /** Checks the signatures of CRLs fetched from other CAs. */
  private readonly verifier = new SignatureVerifier({ maxKeys: 50, maxRememberedSignatures: 1 });

  constructor(
    private readonly repository: CertificatesRepository,
    private readonly hsm: HsmService,
    private readonly trustStore: TrustStoreService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'crl' });
  }

  /** Signs and stores a new CRL for one of our CAs. */
  async publish(caId: number): Promise<PublishedCrl> {
    const published = await this.repository.transaction(async (manager) => {
      const ca = await this.repository.lockCa(manager, caId);
      if (!ca?.hsmKeyLabel) throw new Error(`CA ${caId} is not one of ours (no HSM key)`);
      const crlNumber = (await this.repository.maxCrlNumber(manager, ca.id)) + 1;
      const entries = crlEntriesOf(await this.repository.listedOnCrl(manager, ca.id));
      const thisUpdate = new Date();
      const nextUpdate = new Date(thisUpdate.getTime() + this.config.crlValidityHours * HOUR_MS);
      const der = await this.signCrl(ca, { thisUpdate, nextUpdate, crlNumber, entries });
      await this.repository.insertCrl(manager, { issuerId: ca.id, crlNumber, thisUpdate, nextUpdate, fingerprint: sha256(der), der, fetchedFrom: null });
      await this.repository.pruneCrls(manager, ca.id, CRLS_KEPT);
      return { caId: ca.id, slug: ca.slug, crlNumber, entries: entries.length, thisUpdate, nextUpdate };
    });
    this.trustStore.invalidate();
    return published;
  }

  /**
   * A CRL of our CA `ca`, signed with its HSM key: v2, the issuer exactly as in the CA
   * certificate, authorityKeyIdentifier and CRL number, ecdsa-with-SHA256. DER.
   */
  async signCrl(ca: CaCertificate, content: { thisUpdate: Date; nextUpdate: Date; crlNumber: number; entries: readonly CrlEntry[] }): Promise<Buffer> {
    if (!ca.hsmKeyLabel) throw new Error(`CA ${ca.slug} is not one of ours (no HSM key)`);
    const caCert = certificateOf(ca.der);
    const tbs = encodeTbsCertList({
      signatureAlgorithm: ECDSA_WITH_SHA256,
      issuer: certificateFields(Buffer.from(ca.der)).subject,
      thisUpdate: content.thisUpdate,
      nextUpdate: content.nextUpdate,
      entries: content.entries,
      extensions: [await authorityKeyIdentifier(caCert, this.hsm.crypto), crlNumberExtension(content.crlNumber)].map((e) => new Uint8Array(e.rawData)),
    });
    return encodeCertificateList(tbs, ECDSA_WITH_SHA256, this.hsm.signDer(ca.hsmKeyLabel, tbs));
  }

  /**
   * Whether our CA needs a new CRL: none yet, past half its validity, or certificates changed
   * state since it was made (a missed job is caught up here).
   */
  private async needsPublishing(ca: CaCertificate): Promise<boolean> {
    const latest = await this.repository.latestCrl(ca.id);
    if (!latest?.nextUpdate) return true;
    const half = latest.thisUpdate.getTime() + (latest.nextUpdate.getTime() - latest.thisUpdate.getTime()) / 2;
    if (Date.now() >= half) return true;
    const changed = await this.repository.lastIssuedChange(ca.id);
    return changed !== null && changed.getTime() >= latest.thisUpdate.getTime();
  }

  /** Fetches the CRL of another CA from its crl_url and stores it when it is newer and signed by that CA. */
  async fetch(ca: CaCertificate): Promise<FetchedCrl> {
    const url = ca.crlUrl as string;
    const result = (outcome: FetchOutcome, detail?: string): FetchedCrl => ({ caId: ca.id, slug: ca.slug, url, outcome, detail });
    let crl: CrlDocument;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
      if (!response.ok) return result('failed', `HTTP ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > FETCH_MAX_BYTES) return result('failed', `too large (${declared} bytes)`);
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.length > FETCH_MAX_BYTES) return result('failed', `too large (${body.length} bytes)`);
      [crl] = loadCrls(body);
    } catch (error) {
      return result('failed', (error as Error).message);
    }
    const issuer = parseCertificate(derBytes(ca.der));
    if (normalizeName(crl.issuer).key !== issuer.subjectName.key) return result('failed', `issued by "${new x509.Name(derBytes(crl.issuerDer)).toString()}", not by this CA`);
    const problem = await this.verifier.signatureProblem(crl, crl.signatureAlgorithm, issuer);
    if (problem) return result('failed', problem);
    const der = crl.rawData;
    const fingerprint = sha256(der);
    const crlNumber = crlNumberOf(crl);
    const latest = await this.repository.latestCrl(ca.id);
    if (latest?.fingerprint === fingerprint) return result('unchanged');
    if (latest && (crlNumber < latest.crlNumber || crl.thisUpdate.getTime() <= latest.thisUpdate.getTime())) return result('older');
    await this.repository.transaction(async (manager) => {
      await this.repository.insertCrl(manager, {
        issuerId: ca.id,
        crlNumber,
        thisUpdate: crl.thisUpdate,
        nextUpdate: crl.nextUpdate ?? null,
        fingerprint,
        der,
        fetchedFrom: url,
      });
      await this.repository.pruneCrls(manager, ca.id, CRLS_KEPT);
    });
    this.trustStore.invalidate();
    return result('stored');
  }

  /**
   * The 'crl-refresh' job: new CRLs for our CAs that need one (or every one with `force`, or
   * just `issuerId`), and the CRLs of the other CAs with a crl_url.
   */
  async refresh(options: RefreshOptions = {}): Promise<RefreshReport> {
    const report: RefreshReport = { published: [], fetched: [] };
    const own = (await this.repository.ownCas()).filter((ca) => options.issuerId === undefined || ca.id === options.issuerId);
    for (const ca of own) {
      if (options.issuerId !== undefined || options.force || (await this.needsPublishing(ca))) report.published.push(await this.publish(ca.id));
    }
    const remote = (await this.repository.remoteCrlSources()).filter((ca) => options.issuerId === undefined || ca.id === options.issuerId);
    for (const ca of remote) {
      const fetched = await this.fetch(ca);
      if (fetched.outcome === 'failed') this.logger.warn({ ca: ca.slug, url: fetched.url, detail: fetched.detail }, 'CRL fetch failed');
      report.fetched.push(fetched);
    }
    if (options.actor) {
      await this.audit.recordAlone({
        action: 'pki.crl.refresh',
        targetType: 'crl',
        targetId: options.issuerId,
        summary: {
          force: !!options.force,
          published: report.published.map((crl) => `${crl.slug}#${crl.crlNumber}`),
          fetched: report.fetched.map((crl) => `${crl.slug}:${crl.outcome}`),
        },
        actor: options.actor,
      });
    }
    return report;
  }

  /** The newest CRL of the CA with this slug (DER), or null. */
  async latestCrlBySlug(slug: string): Promise<CrlRecord | null> {
    const ca = await this.repository.findCaBySlug(slug);
    return ca ? this.repository.latestCrl(ca.id) : null;
  }

  /** The certificate of the CA with this slug, or null. */
  async caBySlug(slug: string): Promise<CaCertificate | null> {
    return this.repository.findCaBySlug(slug);
  }
}
