import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { Attempter } from '../../common/access/current-principal.decorator';
import { hashSecret } from '../../common/crypto/secret-hash';
import type { FieldError } from '../../common/errors/domain-error';
import { secretField } from '../../common/forms';
import type { Lang } from '../../common/i18n/i18n';
import { maskCardNumber } from '../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Database, type Tx } from '../../core/database';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { AuditService } from '../audit';
import { NotificationsService } from '../notifications';
import type { InsuredPerson } from '../reference';
import type { NhiCardPresentation } from './card-check';
import { NhiCardCredentialService, NhiRefusal } from './nhi-card-credential.service';
import type { NhiCardAccount, NhiLinkPurpose } from './nhi-card.entity';
import { nhiCardError } from './nhi-card.errors';
import { NhiCardRepository } from './nhi-card.repository';
import { passwordProblems } from './password-policy';
import { normaliseAddress, parseEmail, parseRegistration, parseRegistryAnswers, type RegistryAnswers } from './registration.form';

/** What a form of these journeys comes back with: done, or the field errors and values to re-render. */
export type FormOutcome = { ok: true; email?: string } | { ok: false; errors: FieldError[]; values: Record<string, string> };

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * NHI card online-service registration (健保卡網路服務註冊) and its companions: register (card
 * present, 戶號 and registered address checked against the insured-person registry, phone,
 * e-mail, password), the e-mail verification link (single use, NHI_LINK_VALIDITY_HOURS), resend
 * it, change the password (card + old password), forgotten password (card + registry answers +
 * the registered e-mail → a reset link that also lifts a lock), cancel (card + password).
 * Passwords are hashed with the common secret hasher; every change is audited in its transaction.
 */
@Injectable()
export class NhiCardRegistrationService {
  private readonly asks: RatePolicy<'client' | 'card'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: NhiCardCredentialService,
    private readonly repository: NhiCardRepository,
    private readonly database: Database,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly limiter: RateLimiter,
  ) {
    this.asks = { name: 'nhi:registration', windowSeconds: 3600, limits: { client: 30, card: 10 } };
  }

  /** The card, or a field error on the card block (the limiter counts every submission per client). */
  private async presentCard(presentation: NhiCardPresentation, attempter: Attempter, errors: FieldError[]) {
    if (await this.limiter.take(this.asks, { client: attempter.clientIp ?? 'unknown' })) throw nhiCardError.tooMany('registration-rate-limited', 'nhiCard.errors.registration-rate-limited');
    try {
      const card = await this.credentials.card(presentation);
      if (await this.limiter.take(this.asks, { card: card.cardNumber })) throw nhiCardError.tooMany('registration-rate-limited', 'nhiCard.errors.registration-rate-limited');
      return card;
    } catch (err) {
      if (!(err instanceof NhiRefusal)) throw err;
      errors.unshift({ field: 'card', messageKey: `nhiCard.errors.${err.code}` });
      return null;
    }
  }

  private registryErrors(insured: InsuredPerson, answers: RegistryAnswers): FieldError[] {
    const errors: FieldError[] = [];
    if (answers.householdNumber && answers.householdNumber !== insured.householdNumber) errors.push({ field: 'householdNumber', messageKey: 'nhiCard.register.errors.householdNumberMismatch' });
    if (answers.registeredAddress && normaliseAddress(answers.registeredAddress) !== normaliseAddress(insured.registeredAddress)) {
      errors.push({ field: 'registeredAddress', messageKey: 'nhiCard.register.errors.registeredAddressMismatch' });
    }
    return errors;
  }

  async register(presentation: NhiCardPresentation, body: unknown, lang: Lang, attempter: Attempter): Promise<FormOutcome> {
    const form = parseRegistration(body);
    const errors = [...form.errors];
    const card = await this.presentCard(presentation, attempter, errors);
    const input = form.input!;
    if (card) {
      errors.push(...this.registryErrors(card.insured, input));
      const existing = await this.repository.byCard(card.cardNumber);
      if (existing && existing.status !== 'cancelled') errors.unshift({ field: 'card', messageKey: existing.status === 'pending' ? 'nhiCard.register.errors.pending' : 'nhiCard.register.errors.alreadyRegistered' });
    }
    errors.push(...passwordProblems(input.password, input.passwordConfirm, card?.cardNumber ?? null));
    if (!card || errors.length) return { ok: false, errors, values: form.values };

    const passwordHash = await hashSecret(input.password);
    await this.database.transaction(async (tx) => {
      const now = new Date();
      let account = await this.repository.lockByCard(tx, card.cardNumber);
      if (account && account.status !== 'cancelled') throw nhiCardError.conflict('not-registered', 'nhiCard.register.errors.alreadyRegistered');
      const fields = { nationalIdIndex: card.insured.nationalIdIndex, phone: input.phone, email: input.email, passwordHash, status: 'pending' as const, lang, verifiedAt: null, lockedAt: null, otpSecretCipher: null, otpEnrolledAt: null, otpLastStep: null, updatedAt: now };
      if (account) {
        Object.assign(account, fields);
        account = await this.repository.save(tx, account);
      } else {
        account = await this.repository.create(tx, { cardNumber: card.cardNumber, createdAt: now, ...fields });
      }
      await this.audit.record(tx, {
        action: 'nhi-card.register',
        targetType: 'nhi_card_account',
        targetId: account.id,
        summary: { card: maskCardNumber(card.cardNumber) },
        actor: { kind: 'nhi-card', credential: card.credential },
      });
      await this.sendLink(tx, account, 'verify', card.insured.nameZh);
    });
    await this.credentials.forgetFailures(card.cardNumber);
    return { ok: true, email: input.email };
  }

  /** A new single-use link by e-mail (older unused ones of the same purpose stop working). */
  private async sendLink(tx: Tx, account: NhiCardAccount, purpose: NhiLinkPurpose, name: string): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const hours = this.config.nhiCard.linkValidityHours;
    await this.repository.retireLinks(tx, account.id, purpose);
    await this.repository.addLink(tx, { accountId: account.id, purpose, tokenHash: sha256(token), expiresAt: new Date(Date.now() + hours * 3600_000) });
    await this.notifications.notify(tx, {
      to: account.email,
      template: purpose === 'verify' ? 'nhi-card.verify' : 'nhi-card.reset',
      lang: account.lang === 'en' ? 'en' : 'zh-TW',
      params: { name, card: maskCardNumber(account.cardNumber), link: `${this.config.publicOrigin}/nhi-card/${purpose}/${token}`, hours },
    });
  }

  /** Uses a link up (one click wins); refuses an unknown, used or expired one. Returns the account, locked in `tx`. */
  private async useLink(tx: Tx, token: string, purpose: NhiLinkPurpose): Promise<NhiCardAccount> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw nhiCardError.notFound('link-unknown', 'nhiCard.errors.link-unknown');
    const link = await this.repository.linkByHash(tx, sha256(token), purpose);
    if (!link) throw nhiCardError.notFound('link-unknown', 'nhiCard.errors.link-unknown');
    if (link.usedAt) throw nhiCardError.conflict('link-used', 'nhiCard.errors.link-used');
    if (link.expiresAt.getTime() < Date.now()) throw nhiCardError.conflict('link-expired', 'nhiCard.errors.link-expired');
    const account = await this.repository.lockById(tx, link.accountId);
    if (!account || account.status === 'cancelled' || !(await this.repository.useLink(tx, link.id))) throw nhiCardError.conflict('link-used', 'nhiCard.errors.link-used');
    return account;
  }

  /** The verification link: the registration becomes active. */
  async verify(token: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      const account = await this.useLink(tx, token, 'verify');
      account.status = 'active';
      account.verifiedAt = new Date();
      account.updatedAt = new Date();
      await this.repository.save(tx, account);
      await this.audit.record(tx, { action: 'nhi-card.verify-email', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(account.cardNumber) }, actor: { kind: 'nhi-card', credential: `nhi-card:${maskCardNumber(account.cardNumber)}` } });
    });
  }

  /** Resend the verification e-mail of a registration not yet verified (card present). */
  async resend(presentation: NhiCardPresentation, attempter: Attempter): Promise<FormOutcome> {
    const errors: FieldError[] = [];
    const card = await this.presentCard(presentation, attempter, errors);
    if (!card) return { ok: false, errors, values: {} };
    const account = await this.repository.byCard(card.cardNumber);
    if (!account || account.status !== 'pending') {
      return { ok: false, errors: [{ field: 'card', messageKey: account?.status === 'active' ? 'nhiCard.resend.errors.alreadyVerified' : 'nhiCard.errors.not-registered' }], values: {} };
    }
    await this.database.transaction(async (tx) => {
      await this.audit.record(tx, { action: 'nhi-card.resend-verification', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(card.cardNumber) }, actor: { kind: 'nhi-card', credential: card.credential } });
      await this.sendLink(tx, account, 'verify', card.insured.nameZh);
    });
    return { ok: true, email: account.email };
  }

  /** Change the password: card + old password (counts towards the pause like a sign-in) + the new one twice. */
  async changePassword(presentation: NhiCardPresentation, body: unknown): Promise<FormOutcome> {
    const oldPassword = secretField(body, 'oldPassword');
    const password = secretField(body, 'password');
    const errors = passwordProblems(password, secretField(body, 'passwordConfirm'), null);
    if (!oldPassword) errors.unshift({ field: 'oldPassword', messageKey: 'nhiCard.password.errors.oldRequired' });
    if (errors.length) return { ok: false, errors, values: {} };
    let holder;
    try {
      holder = await this.credentials.cardAndPassword(presentation, oldPassword);
    } catch (err) {
      if (!(err instanceof NhiRefusal)) throw err;
      return { ok: false, errors: [{ field: err.code === 'password-wrong' ? 'oldPassword' : 'card', messageKey: `nhiCard.errors.${err.code}` }], values: {} };
    }
    const more = passwordProblems(password, password, holder.cardNumber);
    if (more.length) return { ok: false, errors: more, values: {} };
    const passwordHash = await hashSecret(password);
    await this.database.transaction(async (tx) => {
      const account = await this.repository.lockById(tx, holder.account.id);
      if (!account) throw nhiCardError.notFound('not-registered', 'nhiCard.errors.not-registered');
      account.passwordHash = passwordHash;
      account.updatedAt = new Date();
      await this.repository.save(tx, account);
      await this.audit.record(tx, { action: 'nhi-card.change-password', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(account.cardNumber) }, actor: { kind: 'nhi-card', credential: holder.credential } });
    });
    return { ok: true };
  }

  /**
   * Forgotten password: card + 戶號 + registered address + the registered e-mail address → a
   * reset link to that address. The answer is the same whether the e-mail matched or not.
   */
  async forgotten(presentation: NhiCardPresentation, body: unknown, attempter: Attempter): Promise<FormOutcome> {
    const errors: FieldError[] = [];
    const answers = parseRegistryAnswers(body, errors);
    const email = parseEmail(body, errors);
    const values = { householdNumber: answers.householdNumber, registeredAddress: answers.registeredAddress, email };
    const card = await this.presentCard(presentation, attempter, errors);
    if (card) errors.push(...this.registryErrors(card.insured, answers));
    if (!card || errors.length) return { ok: false, errors, values };
    const account = await this.repository.byCard(card.cardNumber);
    if (!account || account.status === 'cancelled') return { ok: false, errors: [{ field: 'card', messageKey: 'nhiCard.errors.not-registered' }], values };
    await this.database.transaction(async (tx) => {
      const matches = account.email.toLowerCase() === email.toLowerCase();
      await this.audit.record(tx, { action: 'nhi-card.forgotten-password', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(card.cardNumber), emailMatched: matches }, actor: { kind: 'nhi-card', credential: card.credential } });
      if (matches) await this.sendLink(tx, account, 'reset', card.insured.nameZh);
    });
    return { ok: true, email };
  }

  /** Whether a reset link can still be used (to show its form, or say why not). Throws the link's error. */
  async checkResetLink(token: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw nhiCardError.notFound('link-unknown', 'nhiCard.errors.link-unknown');
    await this.database.transaction(async (tx) => {
      const link = await this.repository.linkByHash(tx, sha256(token), 'reset');
      if (!link) throw nhiCardError.notFound('link-unknown', 'nhiCard.errors.link-unknown');
      if (link.usedAt) throw nhiCardError.conflict('link-used', 'nhiCard.errors.link-used');
      if (link.expiresAt.getTime() < Date.now()) throw nhiCardError.conflict('link-expired', 'nhiCard.errors.link-expired');
    });
  }

  /** The reset link's form: a new password; lifts the lock and the pause, and proves the e-mail address. */
  async reset(token: string, body: unknown): Promise<FormOutcome> {
    const password = secretField(body, 'password');
    const errors = passwordProblems(password, secretField(body, 'passwordConfirm'), null);
    if (errors.length) {
      await this.checkResetLink(token);
      return { ok: false, errors, values: {} };
    }
    const passwordHash = await hashSecret(password);
    const cardNumber = await this.database.transaction(async (tx) => {
      const account = await this.useLink(tx, token, 'reset');
      const wasLocked = account.lockedAt !== null;
      account.passwordHash = passwordHash;
      account.lockedAt = null;
      if (account.status === 'pending') {
        account.status = 'active';
        account.verifiedAt = new Date();
      }
      account.updatedAt = new Date();
      await this.repository.save(tx, account);
      await this.audit.record(tx, { action: 'nhi-card.reset-password', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(account.cardNumber), unlocked: wasLocked }, actor: { kind: 'nhi-card', credential: `nhi-card:${maskCardNumber(account.cardNumber)}` } });
      return account.cardNumber;
    });
    await this.credentials.forgetFailures(cardNumber);
    return { ok: true };
  }

  /** Cancel the registration: card + password. The card may register again later. */
  async cancel(presentation: NhiCardPresentation, body: unknown): Promise<FormOutcome> {
    const password = secretField(body, 'password');
    if (!password) return { ok: false, errors: [{ field: 'password', messageKey: 'nhiCard.password.errors.required' }], values: {} };
    let holder;
    try {
      holder = await this.credentials.cardAndPassword(presentation, password, { allowPending: true });
    } catch (err) {
      if (!(err instanceof NhiRefusal)) throw err;
      return { ok: false, errors: [{ field: err.code === 'password-wrong' ? 'password' : 'card', messageKey: `nhiCard.errors.${err.code}` }], values: {} };
    }
    await this.database.transaction(async (tx) => {
      const account = await this.repository.lockById(tx, holder.account.id);
      if (!account) throw nhiCardError.notFound('not-registered', 'nhiCard.errors.not-registered');
      account.status = 'cancelled';
      account.updatedAt = new Date();
      await this.repository.save(tx, account);
      await this.repository.retireLinks(tx, account.id, 'verify');
      await this.repository.retireLinks(tx, account.id, 'reset');
      await this.audit.record(tx, { action: 'nhi-card.cancel', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(account.cardNumber) }, actor: { kind: 'nhi-card', credential: holder.credential } });
    });
    return { ok: true };
  }
}
