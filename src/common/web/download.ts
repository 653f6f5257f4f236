// Files the app sends (docs/ui-conventions.md, "Downloads"): a download by default, saved under a
// name in the reader's language (RFC 6266 filename*, RFC 8187 UTF-8 encoding) with a plain ASCII
// name for old clients; an "open" link (?open=1) for those who want to view it in the browser.
import type { Response } from 'express';

/** RFC 8187 ext-value: UTF-8, percent-encoding everything outside attr-char. */
function extValue(name: string): string {
  return `UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * The Content-Disposition value: `attachment` (or `inline`) with `filename` (ASCII only: anything
 * else, quotes and backslashes become "_") and `filename*` with the full name.
 */
export function contentDisposition(disposition: 'attachment' | 'inline', name: string, asciiName: string): string {
  const ascii = asciiName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${disposition}; filename="${ascii}"; filename*=${extValue(name)}`;
}

/** Sends a file: a download, or shown in the browser when `open` (the "open" link). */
export function sendFile(res: Response, file: { body: Buffer; type: string; name: string; asciiName: string; open: boolean }): void {
  res.setHeader('Content-Type', file.type);
  res.setHeader('Content-Disposition', contentDisposition(file.open ? 'inline' : 'attachment', file.name, file.asciiName));
  res.send(file.body);
}
