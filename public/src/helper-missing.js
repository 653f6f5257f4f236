// The error summary a page shows when the reader helper does not answer (missing or stopped):
// views/partials/auth/helper-missing.hbs, rendered hidden with its text and links (/helper, the
// helper's status URL). Shown after the user acts (登入), with focus moved to it as GOV.UK's
// error summary does; hidden again when the next attempt starts.
const summary = () => document.getElementById('helper-missing');

/** 61006 is the card error code for "the reader helper cannot be reached" (src/shared/web-eid.ts). */
export const HELPER_UNREACHABLE = 61006;

export function showHelperMissing() {
  const box = summary();
  if (!box) return;
  box.hidden = false;
  box.focus();
  box.scrollIntoView({ block: 'start' });
}

export function hideHelperMissing() {
  const box = summary();
  if (box) box.hidden = true;
}
