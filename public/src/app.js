// Our only script (an ES module, loaded with <script type="module">). It:
// - marks the page as able to run govuk-frontend (the class GOV.UK's template sets with an inline
//   script, which our CSP forbids) and initialises the govuk-frontend components on the page;
// - initialises components in content that htmx swaps in later;
// - shows print buttons (they need JavaScript) and prints when one is pressed;
// - opens and closes conditional reveals under radios (data-app-reveal; see form/radios.hbs).
// htmx reads its own settings from <meta name="htmx-config">; the CSRF header comes from
// hx-headers on <body>. The language switch is a plain form: nothing here touches it.
import { initAll } from './govuk-frontend.min.js';

const body = document.body;
body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) body.classList.add('govuk-frontend-supported');

/** Ignore "already initialised": htmx may report several new siblings under one parent. */
function onError(error) {
  if (error && error.name === 'InitError') return;
  console.error(error);
}

/** Shows the print buttons in (and including) root. */
function showPrintButtons(root) {
  const buttons = [...root.querySelectorAll('[data-app-print]')];
  if (root instanceof HTMLElement && root.hasAttribute('data-app-print')) buttons.push(root);
  for (const button of buttons) button.hidden = false;
}

/**
 * Conditional reveals under radios: a radio with data-app-reveal="<id>" shows that element while
 * it is chosen. Our own few lines rather than govuk-frontend's data-aria-controls (or any aria-controls, which its script also picks up), which put
 * aria-expanded on the radio: not allowed on a radio in ARIA 1.2 (axe aria-allowed-attr; a known
 * govuk-frontend issue, #979). The server renders the hidden class, so this only syncs changes.
 */
function syncReveals(root) {
  for (const input of root.querySelectorAll('input[type="radio"][data-app-reveal]')) {
    document.getElementById(input.dataset.appReveal)?.classList.toggle('govuk-radios__conditional--hidden', !input.checked);
  }
}

document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== 'radio' || !input.form) return;
  syncReveals(input.closest('.govuk-radios') ?? document);
});

initAll({ onError });
showPrintButtons(document);
syncReveals(document);

// htmx fires htmx:load on every element it adds (and once on <body> at start-up, already done).
document.addEventListener('htmx:load', (event) => {
  const element = event.target;
  if (!(element instanceof HTMLElement) || element === body) return;
  // initAll looks below its scope only, so start from the parent when the element itself is a
  // component root (an error summary swapped in whole, say).
  const scope = element.hasAttribute('data-module') && element.parentElement ? element.parentElement : element;
  initAll({ scope, onError });
  showPrintButtons(element);
  syncReveals(element);
});

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-app-print]') : null;
  if (target) window.print();
});
