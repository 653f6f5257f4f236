import { Inject, Injectable } from '@nestjs/common';
import { taipeiDay } from '../../../common/time/taipei-day';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import type { Tx } from '../../../core/database';
import { ReferenceService } from '../../reference';
import { CaseRepository } from './case.repository';
import { expandPeriods, slotKey, type Slot } from './periods';
import { checkRules, type RuleCheck, type SupportDutyPolicy } from './quota-policy';
import type { SupportDutyCase } from './support-duty.entity';

/**
 * Checks a case against the support-duty rules inside the caller's transaction, after locking
 * the person's registry rows and the supported institution's row (ReferenceService): every
 * submission for the same person or institution waits for the one before it, so the counts it
 * reads cannot change until it commits, and 20 concurrent submissions never exceed a limit.
 */
@Injectable()
export class CaseRules {
  readonly policy: SupportDutyPolicy;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly cases: CaseRepository,
    private readonly reference: ReferenceService,
  ) {
    this.policy = config.supportDuty;
  }

  /** Every rule's outcome for `c` (as on `day`, Taiwan), and its slots. */
  async check(tx: Tx, c: SupportDutyCase, day: string = taipeiDay()): Promise<{ checks: RuleCheck[]; slots: Slot[] }> {
    const locked = await this.reference.lockPersonAndInstitution(tx, c.personIndex, c.supportedInstitutionCode);
    const { slots } = expandPeriods(c.periods);
    const weeks = [...new Set(slots.map((s) => s.weekStart))];
    const exclude = [c.id, ...(c.supersedesCaseId ? [c.supersedesCaseId] : [])];
    const held = await this.cases.personSlots(tx, c.personIndex, weeks, exclude);
    const personWeekCounts = new Map<string, number>();
    for (const s of held) personWeekCounts.set(s.weekStart, (personWeekCounts.get(s.weekStart) ?? 0) + 1);
    const checks = checkRules(this.policy, {
      slots,
      today: day,
      emergency: c.purpose === 'emergency',
      suspended: locked?.suspended ?? true,
      personSlots: new Set(held.map(slotKey)),
      personWeekCounts,
      institutionWeekCounts: await this.cases.institutionWeekCounts(tx, c.supportedInstitutionCode, weeks, exclude),
      institutionWeeklySessions: locked?.weeklySessions ?? null,
    });
    return { checks, slots };
  }
}
