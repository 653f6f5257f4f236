// The OpenSSL command line and raw HTTP bodies, for the PKI tests that talk to the running app.
import { execFile } from 'node:child_process';
import type { Response } from 'superagent';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';

/** Runs openssl without blocking: it may be talking to the app in this very process. */
export function openssl(args: string[]): Promise<{ status: number; out: string }> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ status: error ? (error.code as number) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** A supertest parser that keeps the response body as bytes (`.buffer(true).parse(bytes)`). */
export function bytes(res: Response, callback: (error: Error | null, body: unknown) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** DER as PEM (a certificate unless `type` says otherwise), with a final newline. */
export const pem = (der: Uint8Array, type = 'CERTIFICATE') => `${x509.PemConverter.encode(new Uint8Array(der).buffer as ArrayBuffer, type)}\n`;
