/**
 * The card state machine (DOMAIN.md "Card states", after Dogtag TPS and EJBCA): one application
 * becomes one card, and every change of either is one of these transitions.
 *
 *   reserved ─approve→ approved ─issue→ issued ─open→ active ⇄ suspended
 *      │  └─reject→ rejected                 │          │         │
 *      └─cancel→ cancelled                  └──revoke / expire──┴─────────┘→ revoked | expired
 *
 * A PIN lock is a property of the card, not a state. Suspension is a certificate hold
 * (certificateHold on the CRL) and resumption removes it.
 */
export const CARD_STATES = ['reserved', 'approved', 'rejected', 'cancelled', 'issued', 'active', 'suspended', 'revoked', 'expired'] as const;
export type CardState = (typeof CARD_STATES)[number];

export const CARD_EVENTS = {
  approve: { from: ['reserved'], to: 'approved' },
  reject: { from: ['reserved'], to: 'rejected' },
  cancel: { from: ['reserved'], to: 'cancelled' },
  issue: { from: ['approved'], to: 'issued' },
  open: { from: ['issued'], to: 'active' },
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  revoke: { from: ['issued', 'active', 'suspended'], to: 'revoked' },
  expire: { from: ['issued', 'active', 'suspended'], to: 'expired' },
} as const satisfies Record<string, { from: readonly CardState[]; to: CardState }>;
export type CardEvent = keyof typeof CARD_EVENTS;

/** States in which a card exists (has been issued and not yet ended). */
export const LIVE_CARD_STATES: readonly CardState[] = ['issued', 'active', 'suspended'];

export class IllegalCardTransition extends Error {
  constructor(
    readonly state: CardState,
    readonly event: CardEvent,
  ) {
    super(`A card that is ${state} cannot be ${event}d`);
    this.name = 'IllegalCardTransition';
  }
}

export function isCardState(value: unknown): value is CardState {
  return typeof value === 'string' && (CARD_STATES as readonly string[]).includes(value);
}

/** The state after `event`, or IllegalCardTransition. */
export function nextCardState(state: CardState, event: CardEvent): CardState {
  const rule = CARD_EVENTS[event];
  if (!(rule.from as readonly CardState[]).includes(state)) throw new IllegalCardTransition(state, event);
  return rule.to;
}

/** The events allowed from a state (what the staff page offers). */
export function allowedCardEvents(state: CardState): CardEvent[] {
  return (Object.keys(CARD_EVENTS) as CardEvent[]).filter((event) => (CARD_EVENTS[event].from as readonly CardState[]).includes(state));
}
