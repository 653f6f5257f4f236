import { canTake, nextCaseState, IllegalCaseTransition } from '../../src/modules/support-duty/lifecycle/case-state';
import { expandPeriods, weekStartOf, type Slot } from '../../src/modules/support-duty/lifecycle/periods';
import { checkRules, institutionLimit, type QuotaFacts, type SupportDutyPolicy } from '../../src/modules/support-duty/lifecycle/quota-policy';
import { checkCaseForm } from '../../src/modules/support-duty/filing/case-form';
import { periodLines } from '../../src/modules/support-duty/lifecycle/case-view';

const POLICY: SupportDutyPolicy = { leadDays: 1, maxWeeklySessions: 8, institutionSharePercent: 40, defaultInstitutionWeeklySessions: 100, maxPeriodDays: 366, sessionTimes: { morning: '08:00–12:00', afternoon: '13:00–17:00', night: '18:00–21:00' } };

function facts(slots: Slot[], extra: Partial<QuotaFacts> = {}): QuotaFacts {
  return { slots, today: '2026-12-01', emergency: false, suspended: false, personSlots: new Set(), personWeekCounts: new Map(), institutionWeekCounts: new Map(), institutionWeeklySessions: null, ...extra };
}
const failed = (f: QuotaFacts, policy = POLICY) => checkRules(policy, f).filter((r) => !r.ok).map((r) => r.rule);

describe('support-duty case state machine', () => {
  it('allows only the legal transitions', () => {
    expect(nextCaseState('draft', 'submit')).toBe('submitted');
    expect(nextCaseState('submitted', 'approve')).toBe('approved');
    expect(nextCaseState('approved', 'supersede')).toBe('superseded');
    expect(() => nextCaseState('rejected', 'approve')).toThrow(IllegalCaseTransition);
    expect(() => nextCaseState('draft', 'approve')).toThrow(IllegalCaseTransition);
    expect(canTake('approved', 'cancel')).toBe(true);
    expect(canTake('rejected', 'cancel')).toBe(false);
  });
});

describe('support periods', () => {
  it('expands date range × weekdays × sessions into slots, by day and session', () => {
    // 2026-12-07 is a Monday
    const { slots, repeated } = expandPeriods([{ from: '2026-12-07', to: '2026-12-20', weekdays: [1, 3], sessions: ['night', 'morning'] }]);
    expect(slots.map((s) => `${s.day}/${s.session}`)).toEqual([
      '2026-12-07/morning', '2026-12-07/night', '2026-12-09/morning', '2026-12-09/night',
      '2026-12-14/morning', '2026-12-14/night', '2026-12-16/morning', '2026-12-16/night',
    ]);
    expect(repeated).toEqual([]);
    expect(weekStartOf('2026-12-13')).toBe('2026-12-07');
  });

  it('reports the same slot named twice and periods without any day', () => {
    const result = expandPeriods([
      { from: '2026-12-07', to: '2026-12-07', weekdays: [1], sessions: ['morning'] },
      { from: '2026-12-07', to: '2026-12-08', weekdays: [1, 2], sessions: ['morning'] },
      { from: '2026-12-07', to: '2026-12-07', weekdays: [5], sessions: ['morning'] },
    ]);
    expect(result.repeated.map((s) => s.day)).toEqual(['2026-12-07']);
    expect(result.emptyPeriods).toEqual([2]);
  });

  it('reads the form untrusted: repeated, structured or unknown values are nothing entered', () => {
    const check = checkCaseForm({ supportedInstitution: ['a', 'b'], department: '01', purpose: 'bribe', p1From: '2026-12-07', p1To: '2026-12-07', p1Weekdays: ['9', { x: 1 }], p1Sessions: ['morning'] }, false, 366);
    expect(check.input).toBeNull();
    expect(check.errors.map((e) => e.field).sort()).toEqual(['p1Weekdays', 'purpose', 'supportedInstitution']);
  });
});

describe('support-duty rules (policy defaults)', () => {
  const week = expandPeriods([{ from: '2026-12-07', to: '2026-12-10', weekdays: [1, 2, 3, 4], sessions: ['morning', 'afternoon'] }]).slots;

  it('8 sessions a week pass, a 9th fails with the numbers', () => {
    expect(failed(facts(week))).toEqual([]);
    const ninth = checkRules(POLICY, facts(week, { personWeekCounts: new Map([['2026-12-07', 1]]) })).find((r) => r.rule === 'weekly-sessions')!;
    expect(ninth).toEqual({ rule: 'weekly-sessions', ok: false, params: { week: '2026-12-07', used: 1, adding: 8, total: 9, max: 8 } });
  });

  it('the institution share is 40% of its weekly sessions, rounded down', () => {
    expect(institutionLimit(POLICY, 10)).toBe(4);
    expect(institutionLimit(POLICY, 11)).toBe(4);
    expect(institutionLimit(POLICY, null)).toBe(40);
    const four = week.slice(0, 4);
    expect(failed(facts(four, { institutionWeeklySessions: 10 }))).toEqual([]);
    expect(failed(facts(week.slice(0, 5), { institutionWeeklySessions: 10 }))).toEqual(['institution-share']);
    expect(failed(facts(week.slice(0, 1), { institutionWeeklySessions: 10, institutionWeekCounts: new Map([['2026-12-07', 4]]) }))).toEqual(['institution-share']);
  });

  it('lead time: at least one day ahead unless an emergency; suspended and overlap fail', () => {
    const monday = week.slice(0, 1);
    expect(failed(facts(monday, { today: '2026-12-07' }))).toEqual(['lead-time']);
    expect(failed(facts(monday, { today: '2026-12-07', emergency: true }))).toEqual([]);
    expect(failed(facts(monday, { today: '2026-12-06' }))).toEqual([]);
    expect(failed(facts(monday, { suspended: true }))).toEqual(['suspended']);
    expect(failed(facts(monday, { personSlots: new Set(['2026-12-07/morning']), personWeekCounts: new Map([['2026-12-07', 1]]) }))).toEqual(['overlap']);
  });

  it('follows a configured policy', () => {
    expect(failed(facts(week), { ...POLICY, maxWeeklySessions: 7 })).toEqual(['weekly-sessions']);
    expect(failed(facts(week.slice(0, 1), { today: '2026-12-05' }), { ...POLICY, leadDays: 3 })).toEqual(['lead-time']);
  });
});

describe('session times', () => {
  it('each session is shown with the clock times of the policy, in both languages', () => {
    const c = { periods: [{ from: '2026-12-07', to: '2026-12-13', weekdays: [1, 3], sessions: ['morning', 'night'] as Array<'morning' | 'night'> }] };
    expect(periodLines(c, 'zh-TW', POLICY.sessionTimes)).toEqual(['2026-12-07 至 2026-12-13，週一、週三：上午（08:00–12:00）、晚上（18:00–21:00）']);
    expect(periodLines(c, 'en', { ...POLICY.sessionTimes, morning: '07:30–11:30' })[0]).toContain('Morning (07:30–11:30)');
  });
});
