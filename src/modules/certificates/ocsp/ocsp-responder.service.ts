import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { LOGGER } from '../../../core/tokens';
import type { Tx } from '../../../core/database';
import type { AuditActor } from '../../audit';
import { CertificateIssuer } from '../certificate-issuer.service';
import { CaCertificate, IssuedCertificate } from '../certificates.entity';
import { CertificatesRepository } from '../certificates.repository';
import { HsmService } from '../hsm.service';
import { authorityKeyIdentifier, certificateOf, derBytes, randomSerialHex } from '../pki-extensions';
import { serialKey } from '../validation/parse';
import { x509 } from '../validation/x509-runtime';
import { ocspCacheCa, ocspEtag, OcspAnswerCache, type CachedOcspAnswer, type OcspCacheKey, type OcspCacheLookup } from './ocsp-answer-cache';
import {
  buildOcspResponse,
  issuerHashes,
  ocspErrorResponse,
  OcspRequestError,
  ocspRequestFromGetPath,
  ocspResponderExtensions,
  parseOcspRequest,
  type CertIdentity,
  type OcspCertStatus,
  type OcspHashAlgorithm,
  type OcspRevocationReason,
  type ParsedOcspRequest,
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
/** How long one process may take to re-sign an answer before another may try. */
const REFRESH_LOCK_MS = 30_000;
const OCSP_HASH_ALGORITHMS: readonly OcspHashAlgorithm[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

const issuerIndexKey = (hash: OcspHashAlgorithm, nameHash: Buffer, keyHash: Buffer) => `${hash}:${nameHash.toString('hex')}:${keyHash.toString('hex')}`;

/** GET paths whose parsing is kept (cachedGetAnswer). */
const GET_TARGETS_KEPT = 10_000;

interface GetTarget {
  ca: CaCertificate;
  identity: CertIdentity;
  key: OcspCacheKey;
}

/** An OCSP answer, with its HTTP caching data when it is a pre-signed (nonce-less) one. */
export interface OcspAnswer {
  der: Buffer;
  cache?: CachedOcspAnswer;
}

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
  private readonly responders = new Map<number, OcspResponder & { epoch?: string }>();
  private readonly issuing = new Map<number, Promise<OcspResponder>>();
  /** Our CAs by `<hash>:<name hash>:<key hash>` of their CertIDs. */
  private issuerIndex = new Map<string, CaCertificate>();
  private indexing: Promise<void> | undefined;
  /** What GET paths name (cachedGetAnswer), null for those that take the full path; the oldest forgotten first. */
  private readonly getTargets = new Map<string, GetTarget | null>();

  constructor(
    private readonly repository: CertificatesRepository,
    private readonly hsm: HsmService,
    private readonly issuer: CertificateIssuer,
    private readonly cache: OcspAnswerCache,
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
    return (await this.answer(request)).der;
  }

  /**
   * respond(), with what HTTP caching needs. A request for one certificate without a nonce (RFC
   * 5019: what relying parties' caches send, by GET) is answered from the pre-signed answer
   * shared in Redis (OcspAnswerCache), signed when there is none and re-signed in the background
   * once past its refresh time; a request with a nonce, or for several certificates, is signed
   * afresh.
   */
  async answer(request: Uint8Array): Promise<OcspAnswer> {
    let parsed: ParsedOcspRequest;
    try {
      parsed = parseOcspRequest(request);
    } catch (error) {
      if (error instanceof OcspRequestError) return { der: ocspErrorResponse(error.status) };
      throw error;
    }
    try {
      const named = await Promise.all(parsed.requests.map(async (identity) => ({ identity, ca: await this.caOf(identity) })));
      const ca = named.find((entry) => entry.ca)?.ca;
      if (!ca) return { der: ocspErrorResponse('unauthorized') };
      if (named.length === 1 && !parsed.nonce) return await this.preSigned(ca, named[0].identity);
      const epoch = await this.cache.epoch(ocspCacheCa(ca)).catch(() => undefined);
      return { der: (await this.sign(ca, named, epoch, parsed.nonce)).der };
    } catch (error) {
      this.logger.error({ err: error }, 'OCSP answer failed');
      return { der: ocspErrorResponse('internalError') };
    }
  }

  /**
   * The pre-signed answer to `GET /pki/ocsp/{pathPart}`, when one is cached and still usable, or
   * null (then the request takes the full path: controller, answer()). What a path names is kept
   * in memory (parsing is the same for the same bytes); the answer comes from
   * OcspAnswerCache.servable (this process's copy, dropped by every bump, or Redis).
   */
  async cachedGetAnswer(pathPart: string): Promise<CachedOcspAnswer | null> {
    let target = this.getTargets.get(pathPart);
    if (target === undefined) {
      target = await this.getTarget(pathPart);
      if (this.getTargets.size >= GET_TARGETS_KEPT) this.getTargets.delete(this.getTargets.keys().next().value as string);
      this.getTargets.set(pathPart, target);
    }
    if (!target) return null;
    const answer = await this.cache.servable(target.key);
    if (answer && Date.now() >= answer.refreshAt.getTime()) this.refreshLater(target.ca, target.identity, target.key);
    return answer;
  }

  private async getTarget(pathPart: string): Promise<GetTarget | null> {
    let parsed: ParsedOcspRequest;
    try {
      parsed = parseOcspRequest(ocspRequestFromGetPath(pathPart));
    } catch {
      return null;
    }
    if (parsed.requests.length !== 1 || parsed.nonce) return null;
    const identity = parsed.requests[0];
    const ca = await this.caOf(identity);
    return ca ? { ca, identity, key: { ca: ocspCacheCa(ca), serialHex: identity.serialHex, hash: identity.hashAlgorithm } } : null;
  }

  /** The cached answer about one certificate, or a new one (then cached). */
  private async preSigned(ca: CaCertificate, identity: CertIdentity): Promise<OcspAnswer> {
    const key: OcspCacheKey = { ca: ocspCacheCa(ca), serialHex: identity.serialHex, hash: identity.hashAlgorithm };
    let lookup: OcspCacheLookup;
    try {
      lookup = await this.cache.lookup(key);
    } catch (error) {
      // Without Redis: signed afresh, not cached (never an answer that could be stale).
      this.logger.warn({ err: error }, 'OCSP answer cache unavailable; signing afresh');
      return { der: (await this.sign(ca, [{ identity, ca }])).der };
    }
    if (lookup.answer) {
      if (Date.now() >= lookup.answer.refreshAt.getTime()) this.refreshLater(ca, identity, key);
      return { der: lookup.answer.der, cache: lookup.answer };
    }
    const made = await this.sign(ca, [{ identity, ca }], lookup.stamp.epoch);
    await this.cache.store(key, made, lookup.stamp).catch((error) => this.logger.warn({ err: error }, 'OCSP answer not cached'));
    return { der: made.der, cache: made };
  }

  /** Re-signs a cached answer past its refresh time, once across processes, while it is still served. */
  private refreshLater(ca: CaCertificate, identity: CertIdentity, key: OcspCacheKey): void {
    void (async () => {
      if (!(await this.cache.claimRefresh(key, REFRESH_LOCK_MS))) return;
      const { stamp } = await this.cache.lookup(key); // read before the state, as preSigned does
      await this.cache.store(key, await this.sign(ca, [{ identity, ca }], stamp.epoch), stamp);
    })().catch((error) => this.logger.warn({ err: error }, 'OCSP answer refresh failed'));
  }

  /** A signed answer, valid OCSP_VALIDITY_MINUTES, to re-sign after half of that. */
  private async sign(
    ca: CaCertificate,
    named: Array<{ identity: CertIdentity; ca: CaCertificate | undefined }>,
    epoch?: string,
    nonce?: Buffer,
  ): Promise<CachedOcspAnswer> {
    const responder = await this.responderFor(ca, epoch);
    const now = new Date();
    const lifetime = this.config.ocsp.validityMinutes * MINUTE_MS;
    const nextUpdate = new Date(now.getTime() + lifetime);
    const responses = await Promise.all(
      named.map(async (entry) => ({
        certId: entry.identity.raw,
        status: entry.ca?.id === ca.id ? await this.status(ca.id, entry.identity.serialHex) : ({ kind: 'unknown' } as const),
        thisUpdate: now,
        nextUpdate,
      })),
    );
    const der = buildOcspResponse({ responderCertDer: responder.der, producedAt: now, nonce, responses, sign: (tbs) => this.hsm.signDer(responder.keyLabel, tbs) });
    // Times as written in the answer (whole seconds), for Last-Modified and max-age.
    const producedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    return { der, producedAt, nextUpdate: new Date(Math.floor(nextUpdate.getTime() / 1000) * 1000), refreshAt: new Date(now.getTime() + lifetime / 2), etag: ocspEtag(der) };
  }

  /** Which of our CAs a CertID names, from hashes kept in memory (reloaded when one is not found). */
  private async caOf(identity: CertIdentity): Promise<CaCertificate | undefined> {
    if (identity.hashAlgorithm === 'unsupported') return undefined;
    const key = issuerIndexKey(identity.hashAlgorithm, identity.issuerNameHash, identity.issuerKeyHash);
    const known = this.issuerIndex.get(key);
    if (known) return known;
    this.indexing ??= this.repository
      .ownCas()
      .then((cas) => {
        const index = new Map<string, CaCertificate>();
        for (const ca of cas) {
          for (const hash of OCSP_HASH_ALGORITHMS) {
            const { nameHash, keyHash } = issuerHashes(ca.der, hash);
            index.set(issuerIndexKey(hash, nameHash, keyHash), ca);
          }
        }
        this.issuerIndex = index;
      })
      .finally(() => (this.indexing = undefined));
    await this.indexing;
    return this.issuerIndex.get(key);
  }

  /**
   * Before a change of this certificate's revocation state commits, and again once it has
   * committed: every cached answer about it becomes unusable in every process (OcspAnswerCache).
   * The first bump runs in the transaction, so a change is refused while the cache cannot be
   * reached; the second is retried, and a failure is logged (the data is committed by then).
   */
  async certificateChanging(manager: Tx, issuerId: number, serialHex: string): Promise<void> {
    const issuer = await this.repository.findCa(issuerId, manager);
    if (!issuer) return;
    const ca = ocspCacheCa(issuer);
    const lifetime = this.config.ocsp.validityMinutes * MINUTE_MS;
    await this.cache.invalidateCertificate(ca, serialHex, lifetime);
    this.repository.afterCommit(manager, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.cache.invalidateCertificate(ca, serialHex, lifetime);
        } catch (error) {
          if (attempt >= 3) return void this.logger.error({ err: error, issuerId, serialHex }, 'OCSP answers of a changed certificate not invalidated');
        }
      }
    });
  }

  /**
   * What issued_certificate says of a serial of this CA; a CA certificate it issued that is not
   * recorded there (only revoked ones are: CaRevocationService) is good.
   */
  private async status(caId: number, serialHex: string): Promise<OcspCertStatus> {
    if (serialHex.startsWith('-')) return { kind: 'unknown' };
    const row = await this.repository.findIssuedBySerial(caId, serialHex);
    if (!row) return (await this.repository.allChildCas(caId)).some((child) => serialKey(child.serialHex) === serialHex) ? { kind: 'good' } : { kind: 'unknown' };
    if (row.status === 'good') return { kind: 'good' };
    const revokedAt = row.revokedAt ?? row.updatedAt;
    if (row.status === 'on-hold') return { kind: 'revoked', revokedAt, reason: 'certificateHold' };
    return { kind: 'revoked', revokedAt, reason: (row.revocationReason ?? undefined) as OcspRevocationReason | undefined };
  }

  /**
   * The CA's current responder; a new one when there is none or it is in its last third. With an
   * epoch (OcspAnswerCache) different from the one it was loaded under, it is read again: another
   * process may have rotated it.
   */
  async responderFor(ca: CaCertificate, epoch?: string): Promise<OcspResponder> {
    const renewAt = (responder: OcspResponder) => responder.notAfter.getTime() - (this.config.ocsp.responderDays * DAY_MS) / 3;
    const fresh = (responder: OcspResponder | undefined | null): responder is OcspResponder => !!responder && Date.now() < renewAt(responder);
    const cached = this.responders.get(ca.id);
    if (fresh(cached) && (epoch === undefined || cached.epoch === epoch)) return cached;
    let pending = this.issuing.get(ca.id);
    if (!pending) {
      pending = (async () => {
        const stored = await this.repository.latestValidOfKind(ca.id, OCSP_RESPONDER_KIND);
        const responder = stored && fresh(responderOf(stored)) ? responderOf(stored) : await this.issueResponder(ca);
        const loaded = { ...responder, epoch: epoch ?? cached?.epoch };
        this.responders.set(ca.id, loaded);
        return loaded;
      })().finally(() => this.issuing.delete(ca.id));
      this.issuing.set(ca.id, pending);
    }
    return pending;
  }

  /** The CA's responder certificate now in use (the valid one that expires last), or null. */
  async currentResponder(ca: CaCertificate): Promise<OcspResponder | null> {
    const stored = await this.repository.latestValidOfKind(ca.id, OCSP_RESPONDER_KIND);
    return stored ? responderOf(stored) : null;
  }

  /**
   * `pki ocsp-responder rotate`: a new responder certificate (and key) for the CA, audited as
   * pki.ocsp-responder.rotate; every process signs with it from its next answer on, and the
   * answers cached under the old one are no longer served (the CA's epoch is bumped).
   */
  async rotate(ca: CaCertificate, actor: AuditActor): Promise<{ previous: OcspResponder | null; current: OcspResponder }> {
    const previous = await this.currentResponder(ca);
    const current = await this.issueResponder(ca, actor, 'pki.ocsp-responder.rotate');
    this.responders.delete(ca.id);
    await this.cache.invalidateCa(ocspCacheCa(ca));
    return { previous, current };
  }

  /** Issues a delegated responder certificate for a key generated on the HSM, recorded and audited. */
  async issueResponder(ca: CaCertificate, actor: AuditActor = SYSTEM, action = 'pki.ocsp-responder.issue'): Promise<OcspResponder> {
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
      action,
      actor,
    );
    this.logger.info({ ca: ca.slug, serial: serialHex, notAfter: cert.notAfter.toISOString() }, 'OCSP responder certificate issued');
    return responderOf(row);
  }
}
