// The OCSP responder over HTTP: GET /pki/ocsp/{base64 request} (RFC 6960 A.1, as relying
// parties' caches ask, no nonce) for one CertID of the HCA issuing CA. Each answer is made fresh:
// the CertID matched against our CAs, the serial looked up in issued_certificate, the
// ResponseData signed by the delegated responder's key in the HSM (SoftHSM2). The serial is one
// the CA never issued, so the answer is 'unknown'; a 'good' answer costs the same lookup and
// signature. OpenSSL checks one answer before the measurement.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureDevPki } from './lib/harness.mjs';

export const name = 'ocsp';
export const description = 'OCSP answers over HTTP (GET, signed through PKCS#11 by the delegated responder)';

/** @param {import('../bench.mjs').BenchContext} ctx */
export default async function run(ctx) {
  const pkiNote = await ensureDevPki(ctx.env);
  const caRes = await fetch(`${ctx.appUrl}/pki/ca/hca-issuing-1.crt`);
  if (caRes.status !== 200) throw new Error(`GET /pki/ca/hca-issuing-1.crt answered ${caRes.status}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-ocsp-'));
  try {
    const caFile = path.join(dir, 'ca.der');
    writeFileSync(caFile, Buffer.from(await caRes.arrayBuffer()));
    const caPem = path.join(dir, 'ca.pem');
    execFileSync('openssl', ['x509', '-inform', 'DER', '-in', caFile, '-out', caPem]);
    const requestFile = path.join(dir, 'request.der');
    execFileSync('openssl', ['ocsp', '-issuer', caPem, '-serial', '0x5EB1A2C3D4E5F60718293A4B5C6D7E8F', '-no_nonce', '-reqout', requestFile]);
    const url = `${ctx.appUrl}/pki/ocsp/${encodeURIComponent(execFileSync('base64', ['-w0', requestFile], { encoding: 'utf8' }))}`;

    const answer = await fetch(url);
    const responseFile = path.join(dir, 'response.der');
    writeFileSync(responseFile, Buffer.from(await answer.arrayBuffer()));
    const checked = execFileSync('openssl', ['ocsp', '-respin', responseFile, '-reqin', requestFile, '-resp_text', '-noverify'], { encoding: 'utf8' });
    if (!/Cert Status: unknown/.test(checked)) throw new Error(`the OCSP answer is not the expected 'unknown':\n${checked}`);

    const measured = await ctx.measure(url);
    return {
      rows: [{ target: 'GET /pki/ocsp/{request} (unknown serial)', ...measured }],
      notes: [pkiNote, 'OCSP: each answer looks the serial up in MariaDB and is signed in SoftHSM2 (ECDSA P-256) by the delegated responder; no answer cache'],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
