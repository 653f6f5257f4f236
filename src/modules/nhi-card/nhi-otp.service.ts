import { Injectable } from '@nestjs/common';
import { toString as qrSvg } from 'qrcode';
import type { SecretBox } from '../../common/crypto/secret-box';
import { maskCardNumber, validateNationalId } from '../../common/identifiers';
import { InjectSecretBox } from '../../core/secrets';
import { Database } from '../../core/database';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { AuditService } from '../audit';
import { generateTotpSecret, matchTotp, otpauthUri, type TotpWindow } from '../auth';
import { ReferenceService, type InsuredPerson } from '../reference';
import type { NhiCardPresentation } from './card-check';
import { NhiCardCredentialService, NhiRefusal } from './nhi-card-credential.service';
import { NhiCardRepository } from './nhi-card.repository';
import { ROC_YEAR_OFFSET } from '../../common/i18n/dates';

/**
 * 30-second steps (what every authenticator app shows), each code accepted for 3 minutes after
 * it appeared (the 健保快易通 OTP's validity, seed 004): the 5 steps before the current one, the
 * current one, and one ahead for a phone clock a little fast. Each code is accepted once.
 */
export const OTP_WINDOW: TotpWindow = { past: 5, future: 1 };
const ISSUER = 'NHI Services';

export interface OtpEnrolment {
  /** The otpauth:// QR code as inline SVG (rendered here: nothing leaves the server). */
  qrSvg: string;
  /** The secret in base32, for typing into an app that cannot scan. */
  secret: string;
  accountId: string;
}

/** A responsible person's one-time-code check: what the employer registry asks with its unit code. */
export interface NhiOtpAttempt {
  nationalId: string;
  /** 民國 year, month, day as typed. */
  birth: { rocYear: number; month: number; day: number };
  code: string;
  clientIp: string | null;
}

/**
 * The one-time code of a unit's responsible person (seed 004, 健保快易通 OTP): enrolment after an
 * NHI card + password check (the QR code shown once), confirmed by a first code; then `verify`
 * with national ID, birth date (民國) and the code. Refusals count per ID and per client.
 */
@Injectable()
export class NhiOtpService {
  private readonly failures: RatePolicy<'id' | 'client'>;

  constructor(
    @InjectSecretBox('nhi-otp') private readonly box: SecretBox,
    private readonly credentials: NhiCardCredentialService,
    private readonly repository: NhiCardRepository,
    private readonly reference: ReferenceService,
    private readonly database: Database,
    private readonly limiter: RateLimiter,
    private readonly audit: AuditService,
  ) {
    this.failures = { name: 'nhi:otp-failures', windowSeconds: 15 * 60, limits: { id: 5, client: 30 } };
  }

  /** Step 1: the card and password; a new secret (replacing any earlier one), shown once. Throws NhiRefusal. */
  async begin(presentation: NhiCardPresentation, password: string): Promise<OtpEnrolment> {
    const holder = await this.credentials.cardAndPassword(presentation, password);
    const secret = generateTotpSecret();
    await this.database.transaction(async (tx) => {
      const account = await this.repository.lockById(tx, holder.account.id);
      if (!account) throw new NhiRefusal('not-registered', holder.cardNumber);
      account.otpSecretCipher = this.box.seal(secret);
      account.otpEnrolledAt = null;
      account.otpLastStep = null;
      account.updatedAt = new Date();
      await this.repository.save(tx, account);
      await this.audit.record(tx, { action: 'nhi-card.otp-enrol', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(holder.cardNumber) }, actor: { kind: 'nhi-card', credential: holder.credential } });
    });
    const uri = otpauthUri(secret, maskCardNumber(holder.cardNumber), ISSUER);
    return { qrSvg: await qrSvg(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 240 }), secret, accountId: holder.account.id };
  }

  /** Step 2: the first code from the app confirms the enrolment. */
  async confirm(accountId: string, code: string): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const account = await this.repository.lockById(tx, accountId);
      if (!account?.otpSecretCipher || account.otpEnrolledAt) return false;
      const step = matchTotp(this.box.open(account.otpSecretCipher), code, new Date(), OTP_WINDOW);
      if (step === null) return false;
      account.otpEnrolledAt = new Date();
      account.otpLastStep = step;
      account.updatedAt = new Date();
      await this.repository.save(tx, account);
      await this.audit.record(tx, { action: 'nhi-card.otp-confirm', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(account.cardNumber) }, actor: { kind: 'nhi-card', credential: `nhi-card:${maskCardNumber(account.cardNumber)}` } });
      return true;
    });
  }

  /**
   * National ID + birth date (民國) + the 6-digit code → the insured person, or NhiRefusal
   * ('otp-wrong' for every mismatch, so nothing tells which part was wrong; 'rate-limited').
   */
  async verify(attempt: NhiOtpAttempt, at: Date = new Date()): Promise<{ insured: InsuredPerson; cardNumber: string; credential: string }> {
    const id = validateNationalId(attempt.nationalId);
    const index = id.ok ? this.reference.nationalIdIndex(id.value) : null;
    const subject = { id: index, client: attempt.clientIp ?? 'unknown' };
    if (await this.limiter.blocked(this.failures, subject)) throw new NhiRefusal('rate-limited');
    const refuse = async (detail: string): Promise<never> => {
      await this.limiter.record(this.failures, subject);
      await this.audit.recordAlone({ action: 'nhi-card.otp-verify', outcome: 'failure', targetType: 'insured_person', summary: { detail }, actor: { kind: 'nhi-otp' } });
      throw new NhiRefusal('otp-wrong', null, detail);
    };
    const insured = index ? await this.reference.insuredByNationalIdIndex(index) : null;
    if (!insured) return refuse('unknown-id');
    const { rocYear, month, day } = attempt.birth;
    const birthDate = `${String(rocYear + ROC_YEAR_OFFSET).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (birthDate !== insured.birthDate) return refuse('birth-date');
    const account = await this.repository.byCard(insured.cardNumber);
    if (!account || account.status !== 'active' || !account.otpEnrolledAt || !account.otpSecretCipher) return refuse('not-enrolled');
    const step = matchTotp(this.box.open(account.otpSecretCipher), attempt.code, at, OTP_WINDOW);
    if (step === null) return refuse('code');
    if (!(await this.repository.useOtpStep(account.id, step))) return refuse('replayed');
    const credential = `nhi-otp:${maskCardNumber(insured.cardNumber)}`;
    await this.audit.recordAlone({ action: 'nhi-card.otp-verify', targetType: 'nhi_card_account', targetId: account.id, summary: { card: maskCardNumber(insured.cardNumber) }, actor: { kind: 'nhi-otp', credential } });
    return { insured, cardNumber: insured.cardNumber, credential };
  }
}
