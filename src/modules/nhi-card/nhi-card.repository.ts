import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { Tx } from '../../core/database';
import { NhiCardAccount, NhiCardLink, type NhiLinkPurpose } from './nhi-card.entity';

/** The NHI card registrations' and their e-mail links' queries. */
@Injectable()
export class NhiCardRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  byCard(cardNumber: string): Promise<NhiCardAccount | null> {
    return this.dataSource.getRepository(NhiCardAccount).findOneBy({ cardNumber });
  }

  /** The registration of a card, locked for the rest of the transaction. */
  lockByCard(tx: Tx, cardNumber: string): Promise<NhiCardAccount | null> {
    return tx.getRepository(NhiCardAccount).findOne({ where: { cardNumber }, lock: { mode: 'pessimistic_write' } });
  }

  lockById(tx: Tx, id: string): Promise<NhiCardAccount | null> {
    return tx.getRepository(NhiCardAccount).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  save(tx: Tx, account: NhiCardAccount): Promise<NhiCardAccount> {
    return tx.getRepository(NhiCardAccount).save(account);
  }

  create(tx: Tx, account: Omit<NhiCardAccount, 'id' | 'version'>): Promise<NhiCardAccount> {
    return tx.save(tx.create(NhiCardAccount, account));
  }

  /** Locks the password sign-in (idempotent: the first lock's time is kept). */
  async lock(tx: Tx, id: string): Promise<void> {
    await tx.getRepository(NhiCardAccount).update({ id, lockedAt: IsNull() }, { lockedAt: new Date(), updatedAt: new Date() });
  }

  /** Accepts a one-time code's step once: false when that step (or a later one) was already used. */
  async useOtpStep(id: string, step: number): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(NhiCardAccount)
      .set({ otpLastStep: step })
      .where('id = :id AND otp_enrolled_at IS NOT NULL AND (otp_last_step IS NULL OR otp_last_step < :step)', { id, step })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async addLink(tx: Tx, link: Omit<NhiCardLink, 'id' | 'usedAt' | 'createdAt'>): Promise<void> {
    await tx.getRepository(NhiCardLink).insert({ ...link, usedAt: null, createdAt: new Date() });
  }

  linkByHash(tx: Tx, tokenHash: string, purpose: NhiLinkPurpose): Promise<NhiCardLink | null> {
    return tx.getRepository(NhiCardLink).findOne({ where: { tokenHash, purpose }, lock: { mode: 'pessimistic_write' } });
  }

  /** Uses a link up; false when it was already used (two clicks at once: one wins). */
  async useLink(tx: Tx, id: string): Promise<boolean> {
    const result = await tx.getRepository(NhiCardLink).update({ id, usedAt: IsNull() }, { usedAt: new Date() });
    return (result.affected ?? 0) === 1;
  }

  /** Every unused link of an account for a purpose, used up (a newer one replaces them, or the registration ended). */
  async retireLinks(tx: Tx, accountId: string, purpose: NhiLinkPurpose): Promise<void> {
    await tx.getRepository(NhiCardLink).update({ accountId, purpose, usedAt: IsNull() }, { usedAt: new Date() });
  }
}
