// Numbers, dates and codes are never split across lines (docs/ui-conventions.md, "Unbroken
// values"): on a phone a browser may break "06-2351234" after the hyphen or "116年2月1日" between
// 2 and 月. Templates print such values through the `keep` helper, and the `t` helper keeps every
// parameter that looks like one, each in <span class="app-nowrap">.

const UNBROKEN: RegExp[] = [
  // phone numbers: 02-2351-2345, (06)2351234, 0912-345-678 #123, 0800-364-422
  /^[+(]?\d[\d\s()+\-#]{3,}\d$/,
  // days and times of the one date formatter: 115年12月8日（星期二）[14:05:09], Tuesday 8 December 2026[, 14:05:09]
  /^\d{2,3}年\d{1,2}月\d{1,2}日(（星期.）)?(\d{2}:\d{2}(:\d{2})?)?$/,
  /^((Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) )?\d{1,2} [A-Z][a-z]+ \d{4}(, \d{2}:\d{2}(:\d{2})?)?$/,
  /^\d{4}-\d{2}-\d{2}$/,
  // codes: R20261123K7MZ3Q, HB-63000, A12****789 (a bare number has nowhere to break)
  /^(?=.*\d)(?=.*[A-Z*\-])[A-Z0-9*][A-Z0-9*\-]{2,}$/i,
];

/** Whether a value is a number, date or code to be kept on one line. */
export function isUnbroken(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 40 && UNBROKEN.some((re) => re.test(value.trim()));
}
