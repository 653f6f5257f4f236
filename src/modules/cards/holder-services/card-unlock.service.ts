import { Injectable } from '@nestjs/common';
import type { SecretBox } from '../../../common/crypto/secret-box';
import { InjectSecretBox } from '../../../core/secrets';
import { AuditService } from '../../audit';
import type { Card } from '../lifecycle/card.entity';
import { holder } from './card-access.service';
import { grant, takeGrant, type CardServicesSession } from './holder-session';

/**
 * Unlocking a card (解鎖卡): after the user code, the card's PUK is shown once; the holder types it
 * with a new PIN into the reader helper, which unlocks the card (the PUK and PIN never come here).
 */
@Injectable()
export class CardUnlock {
  constructor(
    @InjectSecretBox('card-puk') private readonly pukBox: SecretBox,
    private readonly audit: AuditService,
  ) {}

  /** After the user-code check: this session may see the PUK once. */
  allow(session: CardServicesSession, card: Card): void {
    grant(session, card.cardNumber, 'unlock');
  }

  /** The card's PUK, once per user-code check (null: check the user code first); audited without the PUK. */
  async releasePuk(session: CardServicesSession, card: Card): Promise<string | null> {
    if (!takeGrant(session, card.cardNumber, 'unlock')) return null;
    const puk = this.pukBox.open(card.pukCipher);
    await this.audit.recordAlone({ action: 'card.puk-released', targetType: 'card', targetId: card.cardNumber, actor: holder(card, 'user-code') });
    return puk;
  }
}
