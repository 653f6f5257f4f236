import { catalogKeys } from '../../src/common/i18n/i18n';
import { RESERVATION_CARD_TYPES } from '../../src/modules/cards/lifecycle/card-reservation.entity';
import { CARD_STATES } from '../../src/modules/cards/lifecycle/card-state';
import type { CounterDateProblem } from '../../src/modules/cards/lifecycle/counter-date';
import { documentKeys, progressSteps } from '../../src/modules/cards/reservation/reservation-view';

describe('cards: messages built from parts, and the progress steps', () => {
  it('has every key the module builds at run time, in both languages', () => {
    const reasons: CounterDateProblem[] = ['empty', 'format', 'past', 'today', 'tooFar', 'weekend', 'closed'];
    const keys = [
      ...RESERVATION_CARD_TYPES.flatMap((type) => [
        `cards.type.${type}`,
        `cards.reserve.${type}.title`,
        `cards.start.${type}.intro`,
        `cards.start.${type}.who`,
        `cards.applicant.${type}.title`,
        `cards.check.applicantHeading.${type}`,
        `cards.pdf.title.${type}`,
        `cards.pdf.section.applicant.${type}`,
        `cards.pdf.sign.applicant.${type}`,
        ...documentKeys(type, false),
        ...documentKeys(type, true),
      ]),
      ...['nationalId', 'certificate', 'name', 'institutionCode', 'responsible', 'phone', 'email', 'userCode', 'address', 'agent'].map((k) => `cards.start.need.${k}`),
      ...CARD_STATES.map((state) => `cards.status.${state}`),
      ...CARD_STATES.flatMap((state) => progressSteps(state).flatMap((s) => [s.labelKey, s.statusKey])),
      ...reasons.map((r) => `cards.errors.counterDate.${r}`),
      ...['empty', 'format', 'checksum'].map((r) => `cards.errors.nationalId.${r}`),
      ...['empty', 'format', 'unknown'].map((r) => `cards.errors.institutionCode.${r}`),
      ...['empty', 'format'].map((r) => `cards.errors.phone.${r}`),
      ...['empty', 'format', 'mismatch'].map((r) => `cards.errors.userCode.${r}`),
    ];
    for (const lang of ['zh-TW', 'en'] as const) {
      const catalog = new Set(catalogKeys(lang));
      expect(keys.filter((k) => !catalog.has(k))).toEqual([]);
    }
  });

  it('lists the documents of seed 000: four in person, six by an agent', () => {
    expect(documentKeys('personnel', false)).toHaveLength(4);
    expect(documentKeys('personnel', true)).toHaveLength(6);
  });

  it('puts a reservation at the counter step, and an active card past every step', () => {
    const at = (state: (typeof CARD_STATES)[number]) => progressSteps(state).map((s) => (s.done ? 'done' : s.current ? 'current' : 'later'));
    expect(at('reserved')).toEqual(['done', 'current', 'later', 'later']);
    expect(at('approved')).toEqual(['done', 'done', 'current', 'later']);
    expect(at('issued')).toEqual(['done', 'done', 'done', 'current']);
    expect(at('active')).toEqual(['done', 'done', 'done', 'done']);
    expect(at('revoked')).toEqual(['done', 'done', 'done', 'done']);
    expect(progressSteps('reserved').map((s) => s.number)).toEqual([1, 2, 3, 4]);
    // a rejected or cancelled application shows its status only
    expect(progressSteps('rejected')).toEqual([]);
    expect(progressSteps('cancelled')).toEqual([]);
  });
});
