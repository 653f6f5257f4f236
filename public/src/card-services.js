// Card services that need the card in the reader (loaded by the open, change-PIN, unlock and
// online-renewal pages of /cards/services). PINs and the PUK go from this page to the reader
// helper on the user's own PC (loopback) and nowhere else; the server receives only what the
// card signed. The form's data attributes say which service and which card (its token label):
//   open        helper /card/open (initial PIN), then /sign a server challenge → server opens the card
//   change-pin  helper /pin/change (old PIN, new PIN)
//   unlock      helper /pin/unlock (PUK, new 6-digit PIN) → 「變更PIN碼(解鎖卡)成功」
//   renew       helper /sign a server challenge → server issues and writes the new certificate
const form = document.getElementById('card-service');
const statusBox = document.getElementById('card-status');
const submit = document.getElementById('card-submit');
const success = document.getElementById('card-success');
const messages = JSON.parse(document.getElementById('card-messages').textContent);
/** The page's CSRF token; a challenge's answer brings the token of the session it began. */
let csrf = document.querySelector('meta[name="csrf-token"]').content;
const helper = form.dataset.helperUrl.replace(/\/$/, '');
const action = form.dataset.action;
const token = form.dataset.token;
const base = form.dataset.base;

const text = (key) => messages[key] ?? messages.unexpected;
const say = (message) => {
  statusBox.textContent = message;
};

/** A helper error ({ error, code, triesLeft }) as the message users know for that code. */
function helperMessage(body) {
  if (body && /^origin-|^host-/.test(body.error || '')) return text('originRefused');
  const known = messages[body && body.code ? `helper.${body.code}` : 'helper.61006'] ?? text('unexpected');
  const tries = body && typeof body.triesLeft === 'number' ? text('triesLeft').replace('{triesLeft}', String(body.triesLeft)) : '';
  return `${known}${tries}`;
}

/** Shows (or clears) the message beside one field, the GOV.UK way. */
function fieldError(id, message) {
  const input = document.getElementById(id);
  const error = document.getElementById(`${id}-error`);
  const group = document.getElementById(`${id}-group`);
  error.textContent = message;
  error.hidden = !message;
  group.classList.toggle('govuk-form-group--error', Boolean(message));
  input.classList.toggle('govuk-input--error', Boolean(message));
  const hint = document.getElementById(`${id}-hint`) ? `${id}-hint` : '';
  const describedBy = [hint, message ? `${id}-error` : ''].filter(Boolean).join(' ');
  if (describedBy) input.setAttribute('aria-describedby', describedBy);
  else input.removeAttribute('aria-describedby');
}

const value = (id) => document.getElementById(id).value;
const clear = (...ids) => ids.forEach((id) => (document.getElementById(id).value = ''));

/** Checks the fields of this page; the first wrong one gets the focus. */
function validate() {
  const rules = {
    open: [['pin', /^\d{6,8}$/, helperMessage({ code: 9041 })]],
    renew: [['pin', /^\d{6,8}$/, helperMessage({ code: 9041 })]],
    'change-pin': [
      ['old-pin', /^\d{6,8}$/, helperMessage({ code: 9041 })],
      ['new-pin', /^\d{6}$/, text('newPinFormat')],
    ],
    unlock: [
      ['puk-input', /^\d{8}$/, text('pukFormat')],
      ['new-pin', /^\d{6}$/, text('newPinFormat')],
    ],
  }[action];
  const wrong = [];
  for (const [id, pattern, message] of rules) {
    const bad = !pattern.test(value(id));
    fieldError(id, bad ? message : '');
    if (bad) wrong.push(id);
  }
  if (document.getElementById('new-pin-confirm')) {
    const mismatch = !wrong.includes('new-pin') && value('new-pin') !== value('new-pin-confirm');
    fieldError('new-pin-confirm', mismatch ? text('newPinMismatch') : '');
    if (mismatch) wrong.push('new-pin-confirm');
  }
  if (wrong.length) document.getElementById(wrong[0]).focus();
  return wrong.length === 0;
}

async function callHelper(path, body) {
  try {
    const res = await fetch(`${helper}${path}`, {
      method: body ? 'POST' : 'GET',
      mode: 'cors',
      cache: 'no-store',
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return { ok: res.ok, body: await res.json().catch(() => ({})) };
  } catch {
    return { ok: false, body: { code: 61006 } };
  }
}

async function callServer(path, body) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
  const answer = { ok: res.ok, body: await res.json().catch(() => ({})) };
  if (typeof answer.body.csrfToken === 'string') csrf = answer.body.csrfToken;
  return answer;
}

/** Whether the helper answers and this card (by its token label) is in a reader. */
async function cardReady() {
  say(text('checking'));
  const status = await callHelper('/status');
  if (!status.ok) {
    say(helperMessage({ code: 61006 }));
    return false;
  }
  const tokens = status.body.tokens || [];
  if (!tokens.some((t) => t.label === token)) {
    say(tokens.length ? text('otherCard') : helperMessage({ code: 9056 }));
    return false;
  }
  say(text('ready'));
  return true;
}

/** A helper failure: beside the PIN field when it is about the PIN, and in the status box. */
function helperFailed(body, pinField) {
  const message = helperMessage(body);
  if (pinField && [9039, 9041, 9043].includes(body.code)) fieldError(pinField, message);
  say(message);
}

/** open and renew: a challenge from the server, signed by the card, back to the server. */
async function signAndComplete(pin) {
  const challenge = await callServer(`/${action}/challenge`, {});
  if (!challenge.ok) return say(challenge.body.message || text('unexpected'));
  say(text('signing'));
  const signed = await callHelper('/sign', { origin: window.location.origin, challenge: challenge.body.challenge, pin, token });
  if (!signed.ok) return helperFailed(signed.body, 'pin');
  say(text('verifying'));
  const result = await callServer(`/${action}/complete`, { challenge: challenge.body.challenge, token: signed.body });
  if (!result.ok) return say(result.body.message || text('unexpected'));
  window.location.assign(result.body.redirect);
}

function succeeded(key) {
  say(text(key));
  form.hidden = true;
  success.hidden = false;
  success.focus();
}

const run = {
  async open() {
    const pin = value('pin');
    clear('pin');
    say(text('opening'));
    const opened = await callHelper('/card/open', { pin, token });
    if (!opened.ok) return helperFailed(opened.body, 'pin');
    await signAndComplete(pin);
  },
  async renew() {
    const pin = value('pin');
    clear('pin');
    await signAndComplete(pin);
  },
  async 'change-pin'() {
    const request = { oldPin: value('old-pin'), newPin: value('new-pin'), token };
    clear('old-pin', 'new-pin', 'new-pin-confirm');
    say(text('changing'));
    const changed = await callHelper('/pin/change', request);
    if (!changed.ok) return helperFailed(changed.body, 'old-pin');
    succeeded('pinChanged');
  },
  async unlock() {
    const request = { puk: value('puk-input'), newPin: value('new-pin'), token };
    clear('puk-input', 'new-pin', 'new-pin-confirm');
    say(text('unlocking'));
    const unlocked = await callHelper('/pin/unlock', request);
    if (!unlocked.ok) {
      // A wrong PUK is a failed SO login: the helper answers it as a wrong PIN.
      return helperFailed(unlocked.body, 'puk-input');
    }
    succeeded('unlocked');
  },
};

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!validate()) return;
  submit.disabled = true;
  try {
    if (!(await cardReady())) return;
    await run[action]();
  } catch {
    say(text('unexpected'));
  } finally {
    submit.disabled = false;
  }
});

cardReady();
