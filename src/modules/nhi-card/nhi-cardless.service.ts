import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { createHash, randomInt } from 'node:crypto';
import type { Attempter } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import type { FieldError } from '../../common/errors/domain-error';
import { translate, type Lang } from '../../common/i18n/i18n';
import { maskCardNumber, validateNationalId, validateNhiCardNumber } from '../../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RateLimiter, type RatePolicy } from '../../core/rate-limiter';
import { REDIS } from '../../core/tokens';
import { AuditService } from '../audit';
import { SmsService } from '../notifications';
import { ReferenceService } from '../reference';
import { nhiCardError } from './nhi-card.errors';

/** How long a code is valid, how many tries one code allows, the resend cooldown; sends per ID and per number per hour. */
export const SMS_CODE = { validSeconds: 180, triesPerCode: 5, cooldownSeconds: 60, sendsPerHour: 5 } as const;

export type CodeOutcome = 'ok' | 'code-expired' | 'code-wrong' | 'code-exhausted';

/**
 * Atomically check a code against the latest one sent (a newer send replaced the older, so an
 * old code is simply wrong): expired, used up (5 tries), wrong (one try less) or right (gone).
 * KEYS[1] the code key; ARGV[1] the hash of the code entered; ARGV[2] now (ms); ARGV[3] tries per code.
 */
const CHECK = `
local v = redis.call('GET', KEYS[1])
if not v then return 'code-expired' end
local hash, expires, tries = string.match(v, '^(%x+)|(%d+)|(%d+)$')
if tonumber(ARGV[2]) > tonumber(expires) then return 'code-expired' end
if tonumber(tries) >= tonumber(ARGV[3]) then return 'code-exhausted' end
if hash == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 'ok'
end
redis.call('SET', KEYS[1], hash .. '|' .. expires .. '|' .. (tonumber(tries) + 1), 'KEEPTTL')
if tonumber(tries) + 1 >= tonumber(ARGV[3]) then return 'code-exhausted' end
return 'code-wrong'
`;

/**
 * Card-less sign-in for clinicians (seed 002, 健保卡(無卡)): national ID → a 6-digit code by SMS
 * to the mobile in the insured-person registry (valid 3 minutes, only the latest counts, 5 tries,
 * a new one after 60 s, at most 5 per ID and per number per hour) → the NHI card number → the
 * personnel principal. The weakest of the sign-ins (something known plus a phone): the page says
 * so and offers the card options. An unknown ID gets the same answer as a known one.
 */
@Injectable()
export class NhiCardlessService {
  private readonly sends: RatePolicy<'id' | 'mobile'>;
  private readonly cardTries: RatePolicy<'id'>;
  private readonly failures: RatePolicy<'client'>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly limiter: RateLimiter,
    private readonly reference: ReferenceService,
    private readonly sms: SmsService,
    private readonly audit: AuditService,
  ) {
    this.sends = { name: 'nhi:sms-sends', windowSeconds: 3600, limits: { id: SMS_CODE.sendsPerHour, mobile: SMS_CODE.sendsPerHour } };
    this.cardTries = { name: 'nhi:cardless-card', windowSeconds: SMS_CODE.validSeconds * 2, limits: { id: 3 } };
    const { perClient, windowMinutes } = config.loginRateLimit;
    this.failures = { name: 'nhi:cardless-failures', windowSeconds: windowMinutes * 60, limits: { client: perClient } };
  }

  private codeKey(index: string) {
    return `nhi:sms-code:${index}`;
  }

  private hash(index: string, code: string) {
    return createHash('sha256').update(`${index}:${code}`).digest('hex');
  }

  /** Step 1: the national ID. Returns the blind index to remember in the session, or the field errors. */
  async sendCode(nationalIdInput: string, lang: Lang, attempter: Attempter): Promise<{ index: string; errors: [] } | { index: null; errors: FieldError[] }> {
    const checked = validateNationalId(nationalIdInput);
    if (!checked.ok) return { index: null, errors: [{ field: 'nationalId', messageKey: nationalIdInput ? 'nhiCard.cardless.errors.nationalIdFormat' : 'nhiCard.cardless.errors.nationalIdRequired' }] };
    if (await this.limiter.blocked(this.failures, { client: attempter.clientIp ?? 'unknown' })) throw nhiCardError.tooMany('rate-limited', 'nhiCard.errors.rate-limited');
    const index = this.reference.nationalIdIndex(checked.value);
    return (await this.send(index, lang)) ?? { index, errors: [] };
  }

  /** Sends a new code (step 1, or "send again"); the field errors when it may not yet. */
  async send(index: string, lang: Lang): Promise<{ index: null; errors: FieldError[] } | null> {
    const cooling = await this.redis.set(`nhi:sms-cooldown:${index}`, '1', 'EX', SMS_CODE.cooldownSeconds, 'NX');
    if (cooling !== 'OK') return { index: null, errors: [{ field: 'nationalId', messageKey: 'nhiCard.cardless.errors.cooldown' }] };
    const insured = await this.reference.insuredByNationalIdIndex(index);
    const mobile = insured?.mobile.replace(/\D/g, '') ?? null;
    if (await this.limiter.take(this.sends, { id: index, mobile })) {
      await this.auditCode(index, 'sms-rate-limited');
      return { index: null, errors: [{ field: 'nationalId', messageKey: 'nhiCard.cardless.errors.sms-rate-limited' }] };
    }
    if (insured && mobile) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await this.redis.set(this.codeKey(index), `${this.hash(index, code)}|${Date.now() + SMS_CODE.validSeconds * 1000}|0`, 'EX', SMS_CODE.validSeconds + 60);
      await this.sms.send(mobile, translate(lang, 'nhiCard.cardless.sms', { code, minutes: SMS_CODE.validSeconds / 60 }));
    }
    await this.auditCode(index, insured ? 'sent' : 'unknown-id');
    return null;
  }

  private auditCode(index: string, outcome: string) {
    return this.audit.recordAlone({ action: 'auth.nhi-cardless-code', outcome: outcome === 'sent' ? 'success' : 'failure', targetType: 'insured_person', summary: { outcome, id: index.slice(0, 12) }, actor: { kind: 'nhi-sms' } });
  }

  /** Step 2: the code. */
  async checkCode(index: string, code: string, attempter: Attempter): Promise<FieldError[]> {
    if (!/^\d{6}$/.test(code)) return [{ field: 'code', messageKey: 'nhiCard.cardless.errors.codeFormat' }];
    const outcome = (await this.redis.eval(CHECK, 1, this.codeKey(index), this.hash(index, code), String(Date.now()), String(SMS_CODE.triesPerCode))) as CodeOutcome;
    if (outcome === 'ok') return [];
    await this.refuse(outcome, index, null, attempter);
    return [{ field: 'code', messageKey: `nhiCard.cardless.errors.${outcome}` }];
  }

  /** Step 3: the NHI card number; right → the personnel principal. */
  async signIn(index: string, cardNumberInput: string, attempter: Attempter): Promise<{ principal: Principal; errors: [] } | { principal: null; errors: FieldError[] }> {
    const checked = validateNhiCardNumber(cardNumberInput);
    if (!checked.ok) return { principal: null, errors: [{ field: 'cardNumber', messageKey: 'nhiCard.cardless.errors.cardNumberFormat' }] };
    if (await this.limiter.take(this.cardTries, { id: index })) {
      await this.refuse('card-tries-used', index, checked.value, attempter);
      return { principal: null, errors: [{ field: 'cardNumber', messageKey: 'nhiCard.cardless.errors.card-tries-used' }] };
    }
    const insured = await this.reference.insuredByNationalIdIndex(index);
    if (!insured || insured.cardNumber !== checked.value) {
      await this.refuse('card-number-wrong', index, checked.value, attempter);
      return { principal: null, errors: [{ field: 'cardNumber', messageKey: 'nhiCard.cardless.errors.card-number-wrong' }] };
    }
    const person = await this.reference.professionalOfInsured(insured);
    const credential = `nhi-sms:${maskCardNumber(insured.cardNumber)}`;
    if (!person) {
      await this.refuse('no-account', index, checked.value, attempter);
      return { principal: null, errors: [{ field: 'cardNumber', messageKey: 'nhiCard.errors.no-account' }] };
    }
    const principal: Principal = { kind: 'personnel', id: String(person.id), role: 'personnel', displayName: person.nameZh, credential };
    await this.audit.recordAlone({ action: 'auth.nhi-cardless-login', targetType: 'personnel', targetId: principal.id, summary: { card: maskCardNumber(insured.cardNumber), credentialType: 'national-id+sms+nhi-card-number' }, actor: principal });
    return { principal, errors: [] };
  }

  private async refuse(code: string, index: string, cardNumber: string | null, attempter: Attempter): Promise<void> {
    await this.limiter.record(this.failures, { client: attempter.clientIp ?? 'unknown' });
    await this.audit.recordAlone({
      action: 'auth.nhi-cardless-login',
      outcome: 'failure',
      targetType: 'insured_person',
      targetId: cardNumber ? maskCardNumber(cardNumber) : undefined,
      summary: { code, id: index.slice(0, 12), credentialType: 'national-id+sms+nhi-card-number' },
      actor: { kind: 'nhi-sms', credential: cardNumber ? `nhi-sms:${maskCardNumber(cardNumber)}` : null },
    });
  }
}
