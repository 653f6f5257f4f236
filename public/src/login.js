// Card sign-in (loaded only by the login page): certificates with their PIN, and the NHI card
// (健保卡, no PIN) with its registered password (nhi-card.js). The PIN goes from this page to the reader
// helper on the user's own PC (loopback) and nowhere else; the server receives only the signed
// token. Steps: helper status → challenge from the server → the helper signs it with the card →
// the token to the server → on to the user's home page. Every failure becomes a clear message.
import { HELPER_UNREACHABLE, hideHelperMissing, showHelperMissing } from './helper-missing.js';
import { cardMessage, helperSign, signWithNhiCard } from './nhi-card.js';

const form = document.getElementById('certificate-login');
const statusBox = document.getElementById('login-status');
const pinInput = document.getElementById('pin');
const pinGroup = document.getElementById('pin-group');
const pinError = document.getElementById('pin-error');
const submit = document.getElementById('login-submit');
const cardChoice = document.getElementById('card-choice');
const cardSelect = document.getElementById('card-token');
const passwordGroup = document.getElementById('password-group');
const passwordInput = document.getElementById('password');
const messages = JSON.parse(document.getElementById('login-messages').textContent);
/** The page's CSRF token; a challenge's answer brings the token of the session it began. */
let csrf = document.querySelector('meta[name="csrf-token"]').content;
const helper = form.dataset.helperUrl.replace(/\/$/, '');

const say = (key, extra = '') => {
  statusBox.textContent = `${messages[key] ?? key}${extra}`;
};

function showPinError(text) {
  pinError.textContent = text;
  pinError.hidden = !text;
  pinGroup.classList.toggle('govuk-form-group--error', Boolean(text));
  pinInput.classList.toggle('govuk-input--error', Boolean(text));
  pinInput.setAttribute('aria-describedby', text ? 'pin-hint pin-error' : 'pin-hint');
}

/** A helper error ({ error, code, triesLeft }) as the message users know for that code. */
function helperMessage(body) {
  if (body && /^origin-|^host-/.test(body.error || '')) return messages['login.helper.originRefused'];
  const text = messages[body && body.code ? `login.helper.${body.code}` : 'login.helper.61006'] ?? messages['login.errors.unexpected'];
  const tries = body && typeof body.triesLeft === 'number' ? messages['login.helper.triesLeft'].replace('{triesLeft}', String(body.triesLeft)) : '';
  return `${text}${tries}`;
}

async function helperStatus() {
  try {
    const res = await fetch(`${helper}/status`, { mode: 'cors', cache: 'no-store' });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/** Whether the last status check found no reader helper at all (not running or not installed). */
let helperUnreachable = false;

async function refreshStatus() {
  say('login.status.checking');
  const status = await helperStatus();
  helperUnreachable = !status;
  if (!status) {
    statusBox.textContent = helperMessage({ code: HELPER_UNREACHABLE });
    return false;
  }
  const cards = (status.tokens || []).filter((t) => t.certificates && t.certificates.length);
  if (!cards.length) {
    statusBox.textContent = helperMessage({ code: 9056 });
    return false;
  }
  // Which card to sign with: the reader may hold several. Only the holder's name (CN) is shown:
  // the subject also carries the national ID, which we never show.
  const holder = (card) => {
    const cn = /(?:^|,\s*)CN=([^,]+)/.exec(card.certificates[0].subject || '');
    return cn ? cn[1] : card.label;
  };
  const chosen = cardSelect.value;
  cardSelect.replaceChildren(...cards.map((card) => new Option(`${holder(card)}（${card.label}）`, card.label, false, card.label === chosen)));
  cardChoice.hidden = false;
  say('login.status.ready', ` ${holder(cards.find((card) => card.label === cardSelect.value) ?? cards[0])}`);
  return true;
}

async function postJson(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
  const answer = { ok: res.ok, body: await res.json().catch(() => ({})) };
  if (typeof answer.body.csrfToken === 'string') csrf = answer.body.csrfToken;
  return answer;
}

/** The signed token (and what goes with it) to the server; signed in, on to the page asked for. */
async function finishLogin(path, body) {
  say('login.status.verifying');
  const returnTo = new FormData(form).get('returnTo') || '/';
  const result = await postJson(path, { ...body, returnTo });
  if (!result.ok) {
    statusBox.textContent = result.body.message || messages['login.errors.unexpected'];
    return;
  }
  window.location.assign(result.body.redirect || '/');
}

/** 健保卡: no PIN (the card has none); the registered password goes to the server with the signed token. */
const isNhi = () => new FormData(form).get('cardType') === 'nhi';
function showCardTypeFields() {
  pinGroup.hidden = isNhi();
  passwordGroup.hidden = !isNhi();
}
form.addEventListener('change', showCardTypeFields);
showCardTypeFields();

async function nhiLogin() {
  submit.disabled = true;
  try {
    say('login.status.signing');
    const signed = await signWithNhiCard({ helper, csrf, label: cardSelect.value });
    if (!signed.ok) {
      statusBox.textContent = cardMessage(messages, signed.body);
      if (signed.body.code === HELPER_UNREACHABLE) showHelperMissing();
      return;
    }
    csrf = signed.csrf;
    const password = passwordInput.value;
    passwordInput.value = '';
    const unitCode = document.getElementById('unit-code').value.trim();
    const designate = document.getElementById('designate').checked ? 'yes' : '';
    await finishLogin('/auth/nhi-card', { challenge: signed.challenge, token: signed.token, password, unitCode, designate });
  } finally {
    submit.disabled = false;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  hideHelperMissing();
  if (isNhi()) return nhiLogin();
  const pin = pinInput.value;
  showPinError('');
  submit.disabled = true;
  try {
    // the reader helper first: without it no PIN can help
    if (!(await refreshStatus())) {
      if (helperUnreachable) showHelperMissing();
      return;
    }
    if (!/^\d{6,8}$/.test(pin)) {
      showPinError(helperMessage({ code: 9041 }));
      pinInput.focus();
      return;
    }
    const cardType = new FormData(form).get('cardType');
    const challenge = await postJson('/auth/challenge', {});
    if (!challenge.ok) {
      statusBox.textContent = challenge.body.message || messages['login.errors.unexpected'];
      return;
    }
    say('login.status.signing');
    const signed = await helperSign(helper, { origin: window.location.origin, challenge: challenge.body.challenge, pin, token: cardSelect.value });
    pinInput.value = '';
    if (!signed.ok) {
      const text = helperMessage(signed.body);
      if ([9039, 9041].includes(signed.body.code)) showPinError(text);
      if (signed.body.code === HELPER_UNREACHABLE) showHelperMissing();
      statusBox.textContent = text;
      return;
    }
    await finishLogin('/auth/certificate', { challenge: challenge.body.challenge, token: signed.body, cardType });
  } finally {
    submit.disabled = false;
  }
});

refreshStatus();
