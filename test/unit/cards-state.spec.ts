import { allowedCardEvents, CARD_EVENTS, CARD_STATES, IllegalCardTransition, nextCardState, type CardEvent } from '../../src/modules/cards/lifecycle/card-state';

describe('card state machine', () => {
  it('walks the lifecycle of a card: reserved → approved → issued → active ⇄ suspended → revoked', () => {
    let state = nextCardState('reserved', 'approve');
    expect(state).toBe('approved');
    state = nextCardState(state, 'issue');
    expect(state).toBe('issued');
    state = nextCardState(state, 'open');
    expect(state).toBe('active');
    state = nextCardState(state, 'suspend');
    expect(state).toBe('suspended');
    state = nextCardState(state, 'resume');
    expect(state).toBe('active');
    expect(nextCardState(state, 'revoke')).toBe('revoked');
    expect(nextCardState('suspended', 'revoke')).toBe('revoked');
    expect(nextCardState('issued', 'expire')).toBe('expired');
  });

  it.each([
    ['reserved', 'open'],
    ['reserved', 'issue'],
    ['approved', 'approve'],
    ['issued', 'suspend'],
    ['active', 'open'],
    ['active', 'resume'],
    ['revoked', 'resume'],
    ['revoked', 'revoke'],
    ['expired', 'open'],
    ['rejected', 'approve'],
    ['cancelled', 'approve'],
  ] as const)('refuses %s → %s', (state, event) => {
    expect(() => nextCardState(state, event)).toThrow(IllegalCardTransition);
  });

  it('ends for good in rejected, cancelled, revoked and expired', () => {
    for (const end of ['rejected', 'cancelled', 'revoked', 'expired'] as const) expect(allowedCardEvents(end)).toEqual([]);
  });

  it('names only known states in every rule', () => {
    for (const event of Object.keys(CARD_EVENTS) as CardEvent[]) {
      for (const s of [...CARD_EVENTS[event].from, CARD_EVENTS[event].to]) expect(CARD_STATES).toContain(s);
    }
  });
});
