import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Tx } from '../../core/database';
import { StaffAccount } from './staff-account.entity';

export type StaffView = Pick<StaffAccount, 'id' | 'username' | 'displayName' | 'role' | 'countyCode' | 'counterCode' | 'email' | 'lastLoginAt' | 'disabledAt' | 'lockedUntil'>;

/** The staff accounts' queries. */
@Injectable()
export class StaffAccountRepository {
  constructor(@InjectRepository(StaffAccount) private readonly accounts: Repository<StaffAccount>) {}

  existsByUsername(username: string): Promise<boolean> {
    return this.accounts.existsBy({ username });
  }

  findByUsername(username: string): Promise<StaffAccount | null> {
    return this.accounts.findOneBy({ username });
  }

  findByCertificate(serialHex: string, issuerDn: string): Promise<StaffAccount | null> {
    return this.accounts.findOneBy({ certSerial: serialHex, certIssuer: issuerDn });
  }

  findByNhiCard(nhiCardNumber: string): Promise<StaffAccount | null> {
    return this.accounts.findOneBy({ nhiCardNumber });
  }

  /** The account, locked for the rest of the transaction. */
  lockByUsername(tx: Tx, username: string): Promise<StaffAccount | null> {
    return tx.getRepository(StaffAccount).findOne({ where: { username }, lock: { mode: 'pessimistic_write' } });
  }

  insert(tx: Tx, account: Omit<StaffAccount, 'id' | 'version' | 'totpLastStep' | 'lockedUntil' | 'lastLoginAt' | 'disabledAt' | 'certSerial' | 'certIssuer' | 'nhiCardNumber'>): Promise<StaffAccount> {
    return tx.save(tx.create(StaffAccount, account));
  }

  save(tx: Tx, account: StaffAccount): Promise<StaffAccount> {
    return tx.getRepository(StaffAccount).save(account);
  }

  list(): Promise<StaffView[]> {
    return this.accounts.find({
      select: ['id', 'username', 'displayName', 'role', 'countyCode', 'counterCode', 'email', 'lastLoginAt', 'disabledAt', 'lockedUntil'],
      order: { username: 'ASC' },
    });
  }

  /**
   * One more failed sign-in, atomically (parallel guesses cannot slip past the limit), locking the
   * account for `lockMinutes` when it reaches `maxFailures`; returns the failures now counted.
   */
  async countFailure(tx: Tx, id: number, maxFailures: number, lockMinutes: number): Promise<number> {
    await tx.query(
      `UPDATE staff_account
          SET failed_attempts = failed_attempts + 1,
              locked_until = CASE WHEN failed_attempts + 1 >= ? THEN DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MINUTE) ELSE locked_until END
        WHERE id = ?`,
      [maxFailures, lockMinutes, id],
    );
    const [row] = await tx.query('SELECT failed_attempts AS n FROM staff_account WHERE id = ?', [id]);
    return Number(row.n);
  }

  /** A successful sign-in: the failure count cleared, the TOTP step used up. */
  async signedIn(tx: Tx, id: number, totpStep: number | null): Promise<void> {
    await tx.update(StaffAccount, { id }, { failedAttempts: 0, lockedUntil: null, lastLoginAt: new Date(), totpLastStep: totpStep });
  }
}
