import { Inject, Injectable } from '@nestjs/common';
import { taipeiDay } from '../../../common/time/taipei-day';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import type { Tx } from '../../../core/database';
import { ReferenceService } from '../../reference';
import { CaseRepository, type WeekCounts } from './case.repository';
import { expandPeriods, slotKey, type Slot } from './periods';
import { checkRules, type RuleCheck, type SupportDutyPolicy } from './quota-policy';
import type { SupportDutyCase } from './support-duty.entity';

/** What the rules need of a case (a batch row has no id yet). */
export type CheckedCase = Pick<SupportDutyCase, 'personIndex' | 'supportedInstitutionCode' | 'periods' | 'purpose'> & Partial<Pick<SupportDutyCase, 'id' | 'supersedesCaseId'>>;

/**
 * Checks cases against the support-duty rules inside the caller's transaction, after locking
 * the people's registry rows and then the supported institutions' rows (ReferenceService, in key
 * order): every submission for the same person or institution waits for the one before it, so
 * the counts it reads cannot change until it commits, and 20 concurrent submissions never exceed
 * a limit. A batch's rows are checked in order, each against the database and the rows before it
 * that passed (what submitting them one after the other would have found), in memory.
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
  async check(tx: Tx, c: CheckedCase, day: string = taipeiDay()): Promise<{ checks: RuleCheck[]; slots: Slot[] }> {
    return (await this.checkMany(tx, [c], day))[0];
  }

  /** Every rule's outcome for each case in order (each also against the earlier ones that passed), and its slots. */
  async checkMany(tx: Tx, cases: CheckedCase[], day: string = taipeiDay()): Promise<Array<{ checks: RuleCheck[]; slots: Slot[] }>> {
    const people = [...new Set(cases.map((c) => c.personIndex))];
    const institutions = [...new Set(cases.map((c) => c.supportedInstitutionCode))];
    const locked = await this.reference.lockPeopleAndInstitutions(tx, people, institutions);
    const expanded = cases.map((c) => expandPeriods(c.periods).slots);
    const weeks = [...new Set(expanded.flat().map((s) => s.weekStart))];
    const exclude = cases.flatMap((c) => [c.id, c.supersedesCaseId].filter((id): id is string => !!id));

    // what the database holds: each person's slots and sessions per week, each institution's sessions per week
    const held = new Map<string, { slots: Set<string>; weeks: WeekCounts }>();
    for (const p of people) held.set(p, { slots: new Set(), weeks: new Map() });
    for (const s of await this.cases.peopleSlots(tx, people, weeks, exclude)) {
      const h = held.get(s.personIndex)!;
      h.slots.add(slotKey(s));
      h.weeks.set(s.weekStart, (h.weeks.get(s.weekStart) ?? 0) + 1);
    }
    const institutionWeeks = await this.cases.institutionsWeekCounts(tx, institutions, weeks, exclude);

    return cases.map((c, i) => {
      const slots = expanded[i];
      const person = held.get(c.personIndex)!;
      if (!institutionWeeks.has(c.supportedInstitutionCode)) institutionWeeks.set(c.supportedInstitutionCode, new Map());
      const institution = institutionWeeks.get(c.supportedInstitutionCode)!;
      const checks = checkRules(this.policy, {
        slots,
        today: day,
        emergency: c.purpose === 'emergency',
        suspended: locked.suspended.get(c.personIndex) ?? true,
        personSlots: person.slots,
        personWeekCounts: person.weeks,
        institutionWeekCounts: institution,
        institutionWeeklySessions: locked.weeklySessions.has(c.supportedInstitutionCode) ? locked.weeklySessions.get(c.supportedInstitutionCode)! : null,
      });
      // a case that passes holds its slots for the cases after it
      if (checks.every((r) => r.ok)) {
        for (const s of slots) {
          if (!person.slots.has(slotKey(s))) person.weeks.set(s.weekStart, (person.weeks.get(s.weekStart) ?? 0) + 1);
          person.slots.add(slotKey(s));
          institution.set(s.weekStart, (institution.get(s.weekStart) ?? 0) + 1);
        }
      }
      return { checks, slots };
    });
  }
}
