import type { OcspFetcher } from '../validation/ocsp-revocation-source';
import { OCSP_REQUEST_CONTENT_TYPE, OCSP_RESPONSE_CONTENT_TYPE } from './ocsp-protocol';

/** OCSP answers are small; a bigger body is refused rather than read. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The network of the validator's OCSP client (OcspRevocationSource): an HTTP POST of the DER
 * request (RFC 6960 A.1), with a timeout, no redirects, and only a 200 answer of at most 64 KiB.
 */
export class HttpOcspFetcher implements OcspFetcher {
  async post(url: string, request: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const res = await fetch(url, {
      method: 'POST',
      body: new Uint8Array(request),
      headers: { 'Content-Type': OCSP_REQUEST_CONTENT_TYPE, Accept: OCSP_RESPONSE_CONTENT_TYPE },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_ANSWER_BYTES) throw new Error(`an answer of ${length} bytes`);
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length > MAX_ANSWER_BYTES) throw new Error(`an answer of ${body.length} bytes`);
    return body;
  }
}
