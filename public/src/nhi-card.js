// NHI card (健保卡) in the browser. The card has no PIN: the reader helper on the user's PC signs
// this session's challenge with the card key, and the server checks that the card is present.
// Used by the login page (card type 健保卡) and by the NHI card service pages, whose forms carry
// a card block (hidden fields cardChallenge and cardToken): on submit the block is filled and
// the form posted as usual. Without JavaScript the fields stay empty and the server says so.

/** The reader helper's status, or null when it does not answer. */
export async function helperStatus(helper) {
  try {
    const res = await fetch(`${helper}/status`, { mode: 'cors', cache: 'no-store' });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/** The reader helper signs `request` ({ origin, challenge, token, pin? }): { ok, body } (body: the token or the helper's error). */
export async function helperSign(helper, request) {
  try {
    const res = await fetch(`${helper}/sign`, { method: 'POST', mode: 'cors', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
    return { ok: res.ok, body: await res.json().catch(() => ({})) };
  } catch {
    return { ok: false, body: { code: 61006 } };
  }
}

/**
 * Signs a fresh challenge with the NHI card `label` (or the only NHI card present). Returns
 * { ok: true, challenge, token, csrf } (csrf: the token of the session the challenge began) or
 * { ok: false, body } with the helper's or the server's error answer.
 */
export async function signWithNhiCard({ helper, csrf, label }) {
  const status = await helperStatus(helper);
  if (!status) return { ok: false, body: { code: 61006 } };
  const cards = (status.tokens || []).filter((t) => t.nhiCardNumber);
  const card = cards.find((t) => t.label === label) || (cards.length === 1 ? cards[0] : null);
  if (!card) return { ok: false, body: { code: 9056, noNhiCard: true } };
  const challengeRes = await fetch('/auth/challenge', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: '{}',
  });
  const challenge = await challengeRes.json().catch(() => ({}));
  if (!challengeRes.ok) return { ok: false, body: challenge };
  const signed = await helperSign(helper, { origin: window.location.origin, challenge: challenge.challenge, token: card.label });
  if (!signed.ok) return signed;
  return { ok: true, challenge: challenge.challenge, token: signed.body, csrf: challenge.csrfToken || csrf, cardNumber: card.nhiCardNumber };
}

/** A helper or server error as the message users know for that code. */
export function cardMessage(messages, body) {
  if (body && body.noNhiCard) return messages['nhiCard.card.noNhiCard'];
  if (body && /^origin-|^host-/.test(body.error || '')) return messages['login.helper.originRefused'];
  if (body && typeof body.message === 'string' && !body.code) return body.message;
  return messages[body && body.code ? `login.helper.${body.code}` : 'login.helper.61006'] ?? messages['login.errors.unexpected'];
}

/** An NHI card as the user sees it in a list: its number, partly masked. */
export function cardName(card) {
  const n = card.nhiCardNumber;
  return `${n.slice(0, 4)} **** ${n.slice(-4)}（${card.label}）`;
}

const form = document.querySelector('form[data-nhi-card]');
if (form) {
  const messages = JSON.parse(document.getElementById('nhi-card-messages').textContent);
  const statusBox = document.getElementById('nhi-card-status');
  const choice = document.getElementById('nhi-card-choice');
  const select = document.getElementById('nhi-card-token');
  const helper = form.dataset.helperUrl.replace(/\/$/, '');
  let sending = false;
  // The NHI cards in the reader, to choose from (a reader may hold several cards).
  helperStatus(helper).then((status) => {
    const cards = ((status && status.tokens) || []).filter((t) => t.nhiCardNumber);
    if (!status) statusBox.textContent = cardMessage(messages, { code: 61006 });
    else if (!cards.length) statusBox.textContent = cardMessage(messages, { noNhiCard: true });
    else {
      select.replaceChildren(...cards.map((card) => new Option(cardName(card), card.label)));
      choice.hidden = false;
      statusBox.textContent = messages['nhiCard.card.found'];
    }
  });
  form.addEventListener('submit', async (event) => {
    if (sending) return;
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    statusBox.textContent = messages['nhiCard.card.reading'];
    try {
      const csrfField = form.querySelector('input[name="_csrf"]');
      const result = await signWithNhiCard({ helper, csrf: csrfField.value, label: select.value || undefined });
      if (!result.ok) {
        statusBox.textContent = cardMessage(messages, result.body);
        return;
      }
      csrfField.value = result.csrf;
      form.querySelector('input[name="cardChallenge"]').value = result.challenge;
      form.querySelector('input[name="cardToken"]').value = JSON.stringify(result.token);
      statusBox.textContent = messages['nhiCard.card.ready'];
      sending = true;
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
}
