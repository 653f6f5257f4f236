// The support-duty rules (issue 12, DOMAIN.md "Support-duty quota rules"), as configurable policy
// with these defaults: a case starts at least one day after its submission (an emergency the
// same day); a suspended registration (停業) cannot file; a person's periods may not overlap; at
// most 8 half-day sessions of support per person per week; an institution's supported sessions
// at most 40% of its weekly sessions. Pure: the service gathers the counts under row locks.
import { slotKey, type Session, type Slot } from './periods';
import { addDays } from '../../../common/time/taipei-day';

export interface SupportDutyPolicy {
  leadDays: number;
  maxWeeklySessions: number;
  institutionSharePercent: number;
  defaultInstitutionWeeklySessions: number;
  maxPeriodDays: number;
  /** Each session's clock times ("08:00–12:00"), for display. */
  sessionTimes: Record<Session, string>;
}

export const RULES = ['lead-time', 'suspended', 'overlap', 'weekly-sessions', 'institution-share'] as const;
export type Rule = (typeof RULES)[number];

/** One rule's outcome, as the refusal and the reviewer's page show it (message supportDuty.rules.<rule>.ok|failed). */
export interface RuleCheck {
  rule: Rule;
  ok: boolean;
  params: Record<string, string | number>;
}

/** What the rules are checked against: the case's slots and what the database holds besides it. */
export interface QuotaFacts {
  slots: Slot[];
  /** The Taiwan day of the submission. */
  today: string;
  emergency: boolean;
  suspended: boolean;
  /** The person's live slots in other cases ('day/session'), in the weeks of the case. */
  personSlots: Set<string>;
  /** The person's live sessions per week in other cases (distinct day and session). */
  personWeekCounts: Map<string, number>;
  /** The supported institution's live supported sessions per week in other cases (distinct person, day and session). */
  institutionWeekCounts: Map<string, number>;
  /** The institution's weekly sessions (null: the policy's default). */
  institutionWeeklySessions: number | null;
}

/** The supported share of an institution's week, in sessions (rounded down). */
export function institutionLimit(policy: SupportDutyPolicy, weeklySessions: number | null): number {
  return Math.floor(((weeklySessions ?? policy.defaultInstitutionWeeklySessions) * policy.institutionSharePercent) / 100);
}

/** Every rule's outcome, in RULES order; the worst week is reported for the weekly rules. */
export function checkRules(policy: SupportDutyPolicy, facts: QuotaFacts): RuleCheck[] {
  const first = facts.slots[0]?.day ?? facts.today;
  const earliest = facts.emergency ? facts.today : addDays(facts.today, policy.leadDays);
  const overlapping = facts.slots.filter((s) => facts.personSlots.has(slotKey(s)));

  // the case's new sessions per week: for the person, a slot they already hold is not counted twice
  const fresh = facts.slots.filter((s) => !facts.personSlots.has(slotKey(s)));
  const week = (counts: Map<string, number>, added: Slot[], limit: number) => {
    const adding = new Map<string, number>();
    for (const s of added) adding.set(s.weekStart, (adding.get(s.weekStart) ?? 0) + 1);
    let worst = { week: facts.slots[0]?.weekStart ?? '', used: 0, adding: 0, total: 0 };
    for (const [weekStart, n] of adding) {
      const used = counts.get(weekStart) ?? 0;
      if (used + n > worst.total) worst = { week: weekStart, used, adding: n, total: used + n };
    }
    return { ok: worst.total <= limit, params: { week: worst.week, used: worst.used, adding: worst.adding, total: worst.total, max: limit } };
  };
  const limit = institutionLimit(policy, facts.institutionWeeklySessions);
  const share = week(facts.institutionWeekCounts, facts.slots, limit);

  return [
    { rule: 'lead-time', ok: first >= earliest, params: { first, earliest, days: facts.emergency ? 0 : policy.leadDays } },
    { rule: 'suspended', ok: !facts.suspended, params: {} },
    { rule: 'overlap', ok: overlapping.length === 0, params: { count: overlapping.length, first: overlapping[0] ? overlapping[0].day : '' } },
    { rule: 'weekly-sessions', ...week(facts.personWeekCounts, fresh, policy.maxWeeklySessions) },
    {
      rule: 'institution-share',
      ok: share.ok,
      params: { ...share.params, percent: policy.institutionSharePercent, weekly: facts.institutionWeeklySessions ?? policy.defaultInstitutionWeeklySessions },
    },
  ];
}
