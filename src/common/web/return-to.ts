/**
 * Where to send the user back to after signing in or switching language: a path on this site,
 * resolved against the public origin, and nothing else. Refused (→ '/'): anything that is not a
 * string starting with one '/', control characters and backslashes anywhere (browsers drop a TAB
 * or newline and read '\' as '/', which turns "/\t/host" into "//host"), and anything that
 * resolves to another origin.
 */
export function safeReturnTo(value: unknown, publicOrigin: string): string {
  if (typeof value !== 'string' || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || /[\u0000-\u001F\u007F\\]/.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, publicOrigin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(publicOrigin).origin) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
