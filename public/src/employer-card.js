// The unit's and the manager's certificates in the employers' pages (first registration,
// delegation). The PIN goes only to the reader helper on the user's PC: its input has no name,
// so the form never posts it. On submit: a challenge for this session, the helper signs it with
// the card after the PIN, and the form is posted with the challenge and the token.

function message(messages, body) {
  if (body && /^origin-|^host-/.test(body.error || '')) return messages['login.helper.originRefused'];
  return messages[body && body.code ? `login.helper.${body.code}` : 'login.helper.61006'] ?? messages['login.errors.unexpected'];
}

async function cardLabel(helper) {
  try {
    const res = await fetch(`${helper}/status`, { mode: 'cors', cache: 'no-store' });
    if (!res.ok) return { error: { code: 61006 } };
    const status = await res.json();
    const cards = (status.tokens || []).filter((t) => !t.nhiCardNumber);
    return cards.length ? { label: cards[0].label } : { error: { code: 9056 } };
  } catch {
    return { error: { code: 61006 } };
  }
}

const form = document.querySelector('form[data-employer-card]');
if (form) {
  const messages = JSON.parse(document.getElementById('employer-card-messages').textContent);
  const statusBox = document.getElementById('employer-card-status');
  const pin = document.getElementById('card-pin');
  const helper = form.dataset.helperUrl.replace(/\/$/, '');
  statusBox.textContent = messages['employers.card.ready'];
  let sending = false;
  form.addEventListener('submit', async (event) => {
    if (sending) return;
    event.preventDefault();
    if (!/^\d{6,8}$/.test(pin.value)) {
      statusBox.textContent = messages['employers.card.pinFormat'];
      pin.focus();
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    statusBox.textContent = messages['employers.card.reading'];
    try {
      const card = await cardLabel(helper);
      if (card.error) {
        statusBox.textContent = card.error.code === 9056 ? messages['employers.card.noCard'] : message(messages, card.error);
        return;
      }
      const csrfField = form.querySelector('input[name="_csrf"]');
      const challengeRes = await fetch('/auth/challenge', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfField.value },
        body: '{}',
      });
      const challenge = await challengeRes.json().catch(() => ({}));
      if (!challengeRes.ok) {
        statusBox.textContent = messages['login.errors.unexpected'];
        return;
      }
      let signed;
      try {
        const res = await fetch(`${helper}/sign`, {
          method: 'POST',
          mode: 'cors',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ origin: window.location.origin, challenge: challenge.challenge, pin: pin.value, token: card.label }),
        });
        signed = { ok: res.ok, body: await res.json().catch(() => ({})) };
      } catch {
        signed = { ok: false, body: { code: 61006 } };
      }
      pin.value = '';
      if (!signed.ok) {
        statusBox.textContent = message(messages, signed.body);
        return;
      }
      csrfField.value = challenge.csrfToken || csrfField.value;
      form.querySelector('input[name="cardChallenge"]').value = challenge.challenge;
      form.querySelector('input[name="cardToken"]').value = JSON.stringify(signed.body);
      sending = true;
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
}
