import { Inject, Injectable } from '@nestjs/common';
import { isStaffRole, type Role } from '../../common/access/roles';
import { textProblem } from '../../common/forms';
import type { Principal } from '../../common/context/request-context';
import type { SecretBox } from '../../common/crypto/secret-box';
import { DUMMY_HASH, generatePassword, hashSecret, verifySecret } from '../../common/crypto/secret-hash';
import type { FieldError } from '../../common/errors/domain-error';
import { maskCardNumber, validateEmail } from '../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { InjectSecretBox } from '../../core/secrets';
import { Database } from '../../core/database';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { AuditService, type AuditEntry } from '../audit';
import { ReferenceService } from '../reference';
import { authError } from './auth.errors';
import type { StaffAccount } from './staff-account.entity';
import { SessionRegistry } from './session-registry';
import { StaffAccountRepository, type StaffView } from './staff-account.repository';
import type { StaffLoginInput } from './staff-login.form';
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

export type { StaffView } from './staff-account.repository';

/** A break-glass sign-in: the principal, or the form's error (which never says which part was wrong). */
export type StaffLoginResult = { principal: Principal; errors: [] } | { principal: null; errors: FieldError[] };

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/**
 * Staff accounts and the break-glass sign-in (password + TOTP, locked after repeated failures).
 * Accounts are created, listed and disabled only through the CLI; each change is audited.
 */
@Injectable()
export class StaffService {
  private readonly clientFailures: RatePolicy<'client'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectSecretBox('staff-totp') private readonly totpBox: SecretBox,
    private readonly accounts: StaffAccountRepository,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly reference: ReferenceService,
    private readonly sessions: SessionRegistry,
    private readonly limiter: RateLimiter,
  ) {
    this.clientFailures = { name: 'auth:staff-login-failures', windowSeconds: config.loginLockoutMinutes * 60, limits: { client: config.loginMaxFailuresPerClient } };
  }

  /** Validates a new account; returns the problems (empty when fine). */
  async validateNew(input: NewStaff): Promise<string[]> {
    const problems: string[] = [];
    if (!USERNAME_PATTERN.test(input.username)) problems.push('username: 3-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');
    if (!input.displayName.trim() || textProblem(input.displayName, 100)) problems.push('name: required, at most 100 characters, no control or invisible characters');
    if (!isStaffRole(input.role)) problems.push('role: one of counter_staff, county_reviewer, ministry_staff, admin');
    if (input.role === 'county_reviewer' && !input.countyCode) problems.push('county: a county reviewer needs --county <code>');
    if (input.role === 'counter_staff' && !input.counterCode) problems.push('counter: counter staff need --counter <code>');
    if (input.countyCode && !(await this.reference.countyExists(input.countyCode))) problems.push(`county: no county with code ${input.countyCode}`);
    if (input.counterCode && !(await this.reference.counterExists(input.counterCode))) problems.push(`counter: no counter with code ${input.counterCode}`);
    if (input.email && !validateEmail(input.email).ok) problems.push('email: not an e-mail address');
    if (await this.accounts.existsByUsername(input.username)) problems.push(`username: ${input.username} already exists`);
    return problems;
  }

  async create(input: NewStaff, actor: AuditEntry['actor']): Promise<StaffCredentials> {
    const password = generatePassword();
    const totpSecret = generateTotpSecret();
    const passwordHash = await hashSecret(password);
    const account = await this.database.transaction(async (tx) => {
      const now = new Date();
      const saved = await this.accounts.insert(tx, {
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
      });
      await this.audit.record(tx, {
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
    const account = await this.accounts.findByCertificate(serialHex.toUpperCase(), issuerDn);
    return account && !account.disabledAt ? account : null;
  }

  /** Binds a staff member's citizen certificate (serial + issuer DN) to the account, so they sign in with it. */
  async bindCertificate(username: string, serialHex: string, issuerDn: string, actor: AuditEntry['actor']): Promise<StaffView> {
    return this.database.transaction(async (tx) => {
      const account = await this.accounts.lockByUsername(tx, username);
      if (!account) throw authError.notFound('staff-not-found', 'staff.errors.notFound', { username });
      const before = { serial: account.certSerial, issuer: account.certIssuer };
      account.certSerial = serialHex.toUpperCase();
      account.certIssuer = issuerDn;
      account.updatedAt = new Date();
      await this.accounts.save(tx, account);
      await this.audit.record(tx, { action: 'staff.bind-certificate', targetType: 'staff_account', targetId: username, summary: { from: before, to: { serial: account.certSerial, issuer: issuerDn } }, actor });
      return account;
    });
  }

  /** The enabled account bound to an NHI card, if any. */
  async findByNhiCard(cardNumber: string): Promise<StaffAccount | null> {
    const account = await this.accounts.findByNhiCard(cardNumber);
    return account && !account.disabledAt ? account : null;
  }

  /** Binds an operator's NHI card (12-digit number) to the account: they sign in with it and its registered password. */
  async bindNhiCard(username: string, cardNumber: string, actor: AuditEntry['actor']): Promise<StaffView> {
    if (!/^\d{12}$/.test(cardNumber)) throw authError.badRequest('staff-nhi-card-invalid', 'staff.errors.nhiCardInvalid');
    return this.database.transaction(async (tx) => {
      const account = await this.accounts.lockByUsername(tx, username);
      if (!account) throw authError.notFound('staff-not-found', 'staff.errors.notFound', { username });
      const before = account.nhiCardNumber ? maskCardNumber(account.nhiCardNumber) : null;
      account.nhiCardNumber = cardNumber;
      account.updatedAt = new Date();
      await this.accounts.save(tx, account);
      await this.audit.record(tx, { action: 'staff.bind-nhi-card', targetType: 'staff_account', targetId: username, summary: { from: before, to: maskCardNumber(cardNumber) }, actor });
      return account;
    });
  }

  async list(): Promise<StaffView[]> {
    return this.accounts.list();
  }

  /** Disables the account and ends its sessions at once (every web process: they live in Redis). */
  async disable(username: string, actor: AuditEntry['actor']): Promise<StaffView> {
    const disabled = await this.database.transaction(async (tx) => {
      const account = await this.accounts.lockByUsername(tx, username);
      if (!account) throw authError.notFound('staff-not-found', 'staff.errors.notFound', { username });
      if (account.disabledAt) throw authError.conflict('staff-already-disabled', 'staff.errors.alreadyDisabled', { username });
      account.disabledAt = new Date();
      account.updatedAt = account.disabledAt;
      await this.accounts.save(tx, account);
      await this.audit.record(tx, { action: 'staff.disable', targetType: 'staff_account', targetId: username, summary: { disabledAt: account.disabledAt.toISOString() }, actor });
      return account;
    });
    await this.sessions.endAll('staff', String(disabled.id));
    return disabled;
  }

  /**
   * Break-glass sign-in. Every attempt is audited, and every refusal answers the same (the form
   * again, "wrong username, password or code") in the same time (the password hash is always
   * computed), whatever the account's state: unknown, disabled, locked or a wrong secret. A
   * client address is paused after LOGIN_MAX_FAILURES_PER_CLIENT failures; an account is locked
   * after LOGIN_MAX_FAILURES (more), counted atomically, so one computer cannot lock anybody out.
   */
  async login(input: StaffLoginInput, clientIp: string | null): Promise<StaffLoginResult> {
    const { username, password, code } = input;
    const attempt = { kind: 'staff', id: username, credential: 'password+totp' };
    const refuse = (reason: string, summary: Record<string, unknown> = {}) =>
      this.audit.recordAlone({ action: 'staff.login', outcome: 'failure', targetType: 'staff_account', targetId: username, summary: { reason, ...summary }, actor: attempt });
    if (!this.config.breakGlassLogin) {
      await refuse('break-glass-disabled');
      throw authError.forbidden('break-glass-disabled', 'staff.login.disabled');
    }
    const client = { client: clientIp ?? 'unknown' };
    if (await this.limiter.blocked(this.clientFailures, client)) {
      await refuse('client-paused');
      throw authError.tooMany('staff-login-paused', 'staff.login.locked', { minutes: this.config.loginLockoutMinutes });
    }
    const failed = async (): Promise<StaffLoginResult> => {
      await this.limiter.record(this.clientFailures, client);
      return { principal: null, errors: [{ field: 'username', messageKey: 'staff.login.errors.failed' }] };
    };

    const account = await this.accounts.findByUsername(username);
    const passwordOk = await verifySecret(password, account?.passwordHash ?? DUMMY_HASH);
    if (!account || account.disabledAt) {
      await refuse(account ? 'disabled' : 'unknown-user');
      return failed();
    }
    if (account.lockedUntil && account.lockedUntil > new Date()) {
      await refuse('locked', { lockedUntil: account.lockedUntil.toISOString() });
      return failed();
    }
    const step = matchTotp(this.totpBox.open(account.totpSecretCipher), code);
    const codeOk = step !== null && (account.totpLastStep === null || step > account.totpLastStep);

    if (!passwordOk || !codeOk) {
      await this.database.transaction(async (tx) => {
        const failures = await this.accounts.countFailure(tx, account.id, this.config.loginMaxFailures, this.config.loginLockoutMinutes);
        await this.audit.record(tx, {
          action: 'staff.login',
          outcome: 'failure',
          targetType: 'staff_account',
          targetId: username,
          summary: { reason: passwordOk ? 'bad-totp' : 'bad-password', failures, locked: failures >= this.config.loginMaxFailures },
          actor: attempt,
        });
      });
      return failed();
    }

    const principal = staffPrincipal(account, 'password+totp');
    await this.database.transaction(async (tx) => {
      await this.accounts.signedIn(tx, account.id, step);
      await this.audit.record(tx, { action: 'staff.login', targetType: 'staff_account', targetId: username, summary: { method: 'break-glass' }, actor: principal });
    });
    return { principal, errors: [] };
  }
}

/** The principal of a staff account, signed in with `credential`. */
export function staffPrincipal(account: StaffAccount, credential: string): Principal {
  return {
    kind: 'staff',
    id: String(account.id),
    role: account.role,
    displayName: account.displayName,
    credential,
    countyCode: account.countyCode,
    counterCode: account.counterCode,
  };
}
