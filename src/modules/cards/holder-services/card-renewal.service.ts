import { Inject, Injectable } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretBox } from '../../../common/crypto/secret-box';
import { Database } from '../../../core/database';
import { InjectSecretBox } from '../../../core/secrets';
import { LOGGER } from '../../../core/tokens';
import { writeCardCertificate } from '../../../shared/pkcs11';
import { AuditService, type AuditActor } from '../../audit';
import { CertificateIssuer, HsmService, RevocationService, TrustStoreService, type LeafSubject } from '../../certificates';
import { cardsError } from '../cards.errors';
import type { Card } from '../lifecycle/card.entity';
import { CardRepository } from '../lifecycle/card.repository';
import { CardPresenceService, type PresenceAttempt } from './card-presence.service';
import { requireRenewalOpen } from './card-service-rules';
import { CARD_SERVICES_CONFIG, type CardServicesConfig } from './holder-services.config';

/**
 * Online renewal before expiry (醫事憑證到期線上插卡換發) with the current card in the reader.
 * The card signs this session's challenge; its certificate must be this card's and still valid
 * (chain, dates, revocation). A card's key pair cannot be generated again through the reader
 * helper, so the new certificate certifies the card's existing key (the SubjectPublicKeyInfo of
 * the current certificate) with the current certificate's subject. Writing it onto the card is
 * the helper's job on a real card; a development card is a SoftHSM2 token on this machine, so
 * the server writes it with the card's SO PIN (the sealed PUK). The old certificate is revoked
 * as superseded in the same transaction that points the card at the new one.
 */
@Injectable()
export class CardRenewalService {
  private readonly logger: Logger;

  constructor(
    @Inject(CARD_SERVICES_CONFIG) readonly config: CardServicesConfig,
    @InjectSecretBox('card-puk') private readonly pukBox: SecretBox,
    @Inject(LOGGER) logger: Logger,
    private readonly database: Database,
    private readonly cards: CardRepository,
    private readonly presence: CardPresenceService,
    private readonly trustStore: TrustStoreService,
    private readonly issuer: CertificateIssuer,
    private readonly revocation: RevocationService,
    private readonly hsm: HsmService,
    private readonly audit: AuditService,
  ) {
    this.logger = logger.child({ component: 'card-renewal' });
  }

  /** Whether the card's token is reachable from this server (development cards), so the server can write the new certificate. */
  cardWritableHere(card: Card): boolean {
    const module = this.hsm.module();
    module.rescan();
    return module.findToken(card.tokenLabel) !== undefined;
  }

  async renew(card: Card, attempt: Omit<PresenceAttempt, 'purpose'>): Promise<{ notAfter: Date; serial: string }> {
    requireRenewalOpen(card, this.config.renewalWindowDays);
    const actor: AuditActor = { kind: 'card-holder', id: card.cardNumber, credential: 'card' };
    const der = await this.presence.verify(card, { ...attempt, purpose: 'renew' });
    const current = await this.trustStore.validate(der, { purpose: 'client-auth' });
    if (!current.valid) {
      await this.audit.recordAlone({ action: 'card.renew', outcome: 'failure', targetType: 'card', targetId: card.cardNumber, summary: { reason: current.code }, actor });
      throw cardsError.conflict('card-renewal-certificate-invalid', 'cardServices.renew.errors.certificateInvalid', { code: current.code });
    }
    if (!this.cardWritableHere(card)) throw cardsError.conflict('card-renewal-not-writable', 'cardServices.renew.errors.notWritable');

    const subject: LeafSubject =
      card.cardType === 'personnel'
        ? { name: current.subject.commonName ?? card.holderName, nationalId: current.subject.serialNumber, ...(current.subject.organization ? { organization: current.subject.organization } : {}) }
        : { name: current.subject.commonName ?? card.holderName, institutionCode: current.subject.serialNumber };
    const spki = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
    const issued = await this.issuer.issue({ family: 'hca', subjectType: card.cardType, subject, spki, holderRef: `card:${card.id}` }, actor);

    let written = false;
    try {
      await this.database.transaction(async (manager) => {
        const row = await this.cards.lock(manager, card.id);
        if (row.state !== 'active' || row.certificateId !== card.certificateId) {
          throw cardsError.conflict('card-changed', 'cards.errors.changedMeanwhile');
        }
        if (row.certificateId !== null) await this.revocation.revoke(row.certificateId, 'superseded', { manager, actor });
        if (!(await this.cards.setCertificate(manager, row, issued))) throw cardsError.conflict('card-changed', 'cards.errors.changedMeanwhile');
        await this.audit.record(manager, {
          action: 'card.renew',
          targetType: 'card',
          targetId: row.cardNumber,
          summary: { oldSerial: current.serialNumber, newSerial: issued.serialHex, notAfter: issued.notAfter.toISOString() },
          actor,
        });
        // Last: when writing to the card fails, the database changes above roll back.
        this.writeToCard(row, issued.der);
        written = true;
      });
    } catch (err) {
      // Only a failed commit after the write leaves the new certificate on the card: put the old one back.
      if (written) {
        try {
          this.writeToCard(card, der);
        } catch (writeErr) {
          this.logger.error({ err: writeErr, card: card.cardNumber }, 'could not put the old certificate back on the card');
        }
      }
      // The new certificate is not the card's (or the card changed meanwhile): take it out of use.
      await this.revocation.revoke(issued.id, 'cessationOfOperation', { actor }).catch((revokeErr: unknown) => {
        this.logger.error({ err: revokeErr, certificateId: issued.id }, 'could not revoke the unused renewal certificate');
      });
      throw err;
    }
    return { notAfter: issued.notAfter, serial: issued.serialHex };
  }

  private writeToCard(card: Card, certificate: Buffer): void {
    writeCardCertificate({ module: this.hsm.module(), label: card.tokenLabel, soPin: this.pukBox.open(card.pukCipher), certificate });
  }
}
