import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isStaffRole, type Role } from '../../common/access/roles';
import type { Principal } from '../../common/context/request-context';
import { SecretBox } from '../../common/crypto/secret-box';
import { ConflictError, ForbiddenError, NotFoundError, TooManyAttemptsError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService, type AuditEntry } from '../audit/audit.service';
import { ReferenceService } from '../reference/reference.service';
import { DUMMY_HASH, generatePassword, hashSecret, verifySecret } from './password';
import { StaffAccount } from './staff-account.entity';
import { generateTotpSecret, matchTotp, otpauthUri } from './totp';

export interface NewStaff {
  username: string;
  displayName: string;
  role: Role;
  countyCode?: string | null;
  counterCode?: string | null;
  email?: string | null;
}

export interface StaffCredentials {
  account: StaffAccount;
  password: string;
  totpSecret: string;
  otpauthUri: string;
}

export type StaffView = Pick<StaffAccount, 'id' | 'username' | 'displayName' | 'role' | 'countyCode' | 'counterCode' | 'email' | 'lastLoginAt' | 'disabledAt' | 'lockedUntil'>;

/** Raised for any failed password/TOTP sign-in; the message never says which part was wrong. */
export class StaffLoginFailed extends Error {
  constructor(readonly attemptsLeft: number) {
    super('staff-login-failed');
  }
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/**
 * Staff accounts and the break-glass sign-in (password + TOTP, locked after repeated failures).
 * Accounts are created, listed and disabled only through the CLI; each change is audited.
 */
@Injectable()
export class StaffService {
  private readonly totpBox: SecretBox;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly reference: ReferenceService,
  ) {
    this.totpBox = new SecretBox(config.dataKey, 'staff-totp');
  }

  /** Validates a new account; returns the problems (empty when fine). */
  async validateNew(input: NewStaff): Promise<string[]> {
    const problems: string[] = [];
    if (!USERNAME_PATTERN.test(input.username)) problems.push('username: 3-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');
    if (!input.displayName.trim() || input.displayName.length > 100) problems.push('name: required, at most 100 characters');
    if (!isStaffRole(input.role)) problems.push('role: one of counter_staff, county_reviewer, ministry_staff, admin');
    if (input.role === 'county_reviewer' && !input.countyCode) problems.push('county: a county reviewer needs --county <code>');
    if (input.role === 'counter_staff' && !input.counterCode) problems.push('counter: counter staff need --counter <code>');
    if (input.countyCode && !(await this.reference.countyExists(input.countyCode))) problems.push(`county: no county with code ${input.countyCode}`);
    if (input.counterCode && !(await this.reference.counterExists(input.counterCode))) problems.push(`counter: no counter with code ${input.counterCode}`);
    if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) problems.push('email: not an e-mail address');
    if (await this.dataSource.getRepository(StaffAccount).existsBy({ username: input.username })) problems.push(`username: ${input.username} already exists`);
    return problems;
  }

  async create(input: NewStaff, actor: AuditEntry['actor']): Promise<StaffCredentials> {
    const password = generatePassword();
    const totpSecret = generateTotpSecret();
    const passwordHash = await hashSecret(password);
    const account = await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const saved = await manager.save(
        manager.create(StaffAccount, {
          username: input.username,
          displayName: input.displayName.trim(),
          role: input.role,
          countyCode: input.countyCode ?? null,
          counterCode: input.counterCode ?? null,
          email: input.email ?? null,
          passwordHash,
          totpSecretCipher: this.totpBox.seal(totpSecret),
          failedAttempts: 0,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await this.audit.record(manager, {
        action: 'staff.create',
        targetType: 'staff_account',
        targetId: saved.username,
        summary: { role: saved.role, county: saved.countyCode, counter: saved.counterCode, displayName: saved.displayName },
        actor,
      });
      return saved;
    });
    return { account, password, totpSecret, otpauthUri: otpauthUri(totpSecret, account.username, 'NHI Certificate Services') };
  }

  /** The enabled staff account a citizen certificate is bound to, if any. */
  async findByCertificate(serialHex: string, issuerDn: string): Promise<StaffAccount | null> {
    const account = await this.dataSource.getRepository(StaffAccount).findOneBy({ certSerial: serialHex.toUpperCase(), certIssuer: issuerDn });
    return account && !account.disabledAt ? account : null;
  }

  /** Binds a staff member's citizen certificate (serial + issuer DN) to the account, so they sign in with it. */
  async bindCertificate(username: string, serialHex: string, issuerDn: string, actor: AuditEntry['actor']): Promise<StaffView> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(StaffAccount);
      const account = await repo.findOne({ where: { username }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new NotFoundError('staff-not-found', 'staff.errors.notFound', { username });
      const before = { serial: account.certSerial, issuer: account.certIssuer };
      account.certSerial = serialHex.toUpperCase();
      account.certIssuer = issuerDn;
      account.updatedAt = new Date();
      await repo.save(account);
      await this.audit.record(manager, { action: 'staff.bind-certificate', targetType: 'staff_account', targetId: username, summary: { from: before, to: { serial: account.certSerial, issuer: issuerDn } }, actor });
      return account;
    });
  }

  async list(): Promise<StaffView[]> {
    return this.dataSource.getRepository(StaffAccount).find({
      select: ['id', 'username', 'displayName', 'role', 'countyCode', 'counterCode', 'email', 'lastLoginAt', 'disabledAt', 'lockedUntil'],
      order: { username: 'ASC' },
    });
  }

  async disable(username: string, actor: AuditEntry['actor']): Promise<StaffView> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(StaffAccount);
      const account = await repo.findOne({ where: { username }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new NotFoundError('staff-not-found', 'staff.errors.notFound', { username });
      if (account.disabledAt) throw new ConflictError('staff-already-disabled', 'staff.errors.alreadyDisabled', { username });
      account.disabledAt = new Date();
      account.updatedAt = account.disabledAt;
      await repo.save(account);
      await this.audit.record(manager, { action: 'staff.disable', targetType: 'staff_account', targetId: username, summary: { disabledAt: account.disabledAt.toISOString() }, actor });
      return account;
    });
  }

  /**
   * Break-glass sign-in. Every attempt is audited. Failures count towards a lockout of
   * LOGIN_LOCKOUT_MINUTES after LOGIN_MAX_FAILURES; the count is kept with an atomic UPDATE so
   * parallel guesses cannot slip past it.
   */
  async login(username: string, password: string, code: string): Promise<Principal> {
    const attempt = { kind: 'staff', id: username, credential: 'password+totp' };
    if (!this.config.breakGlassLogin) {
      await this.audit.recordAlone({ action: 'staff.login', outcome: 'failure', targetType: 'staff_account', targetId: username, summary: { reason: 'break-glass-disabled' }, actor: attempt });
      throw new ForbiddenError('break-glass-disabled', 'staff.login.disabled');
    }
    const repo = this.dataSource.getRepository(StaffAccount);
    const account = await repo.findOneBy({ username });
    if (!account || account.disabledAt) {
      await verifySecret(password, DUMMY_HASH);
      await this.audit.recordAlone({ action: 'staff.login', outcome: 'failure', targetType: 'staff_account', targetId: username, summary: { reason: account ? 'disabled' : 'unknown-user' }, actor: attempt });
      throw new StaffLoginFailed(this.config.loginMaxFailures);
    }
    if (account.lockedUntil && account.lockedUntil > new Date()) {
      await this.audit.recordAlone({ action: 'staff.login', outcome: 'failure', targetType: 'staff_account', targetId: username, summary: { reason: 'locked', lockedUntil: account.lockedUntil.toISOString() }, actor: attempt });
      throw new TooManyAttemptsError('staff-locked', 'staff.login.locked', { minutes: Math.ceil((account.lockedUntil.getTime() - Date.now()) / 60_000) });
    }
    const passwordOk = await verifySecret(password, account.passwordHash);
    const step = matchTotp(this.totpBox.open(account.totpSecretCipher), code.trim());
    const codeOk = step !== null && (account.totpLastStep === null || step > account.totpLastStep);

    if (!passwordOk || !codeOk) {
      const left = await this.dataSource.transaction(async (manager) => {
        await manager.query(
          `UPDATE staff_account
              SET failed_attempts = failed_attempts + 1,
                  locked_until = CASE WHEN failed_attempts + 1 >= ? THEN DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MINUTE) ELSE locked_until END
            WHERE id = ?`,
          [this.config.loginMaxFailures, this.config.loginLockoutMinutes, account.id],
        );
        const [row] = await manager.query('SELECT failed_attempts AS n FROM staff_account WHERE id = ?', [account.id]);
        const failures = Number(row.n);
        await this.audit.record(manager, {
          action: 'staff.login',
          outcome: 'failure',
          targetType: 'staff_account',
          targetId: username,
          summary: { reason: passwordOk ? 'bad-totp' : 'bad-password', failures, locked: failures >= this.config.loginMaxFailures },
          actor: attempt,
        });
        return this.config.loginMaxFailures - failures;
      });
      if (left <= 0) throw new TooManyAttemptsError('staff-locked', 'staff.login.locked', { minutes: this.config.loginLockoutMinutes });
      throw new StaffLoginFailed(left);
    }

    const principal: Principal = {
      kind: 'staff',
      id: String(account.id),
      role: account.role,
      displayName: account.displayName,
      credential: 'password+totp',
      countyCode: account.countyCode,
      counterCode: account.counterCode,
    };
    await this.dataSource.transaction(async (manager) => {
      await manager.update(StaffAccount, { id: account.id }, { failedAttempts: 0, lockedUntil: null, lastLoginAt: new Date(), totpLastStep: step });
      await this.audit.record(manager, { action: 'staff.login', targetType: 'staff_account', targetId: username, summary: { method: 'break-glass' }, actor: principal });
    });
    return principal;
  }
}
