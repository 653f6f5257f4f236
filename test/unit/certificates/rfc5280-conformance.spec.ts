// RFC 5280 profile rules (section 4) and path validation (section 6) the validator enforces, one
// chain per clause, valid and invalid, built with the test PKI builder. Where OpenSSL has an
// opinion the same chain goes through `openssl verify`, so a disagreement shows; each one is
// explained next to its case.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createValidator, DEFAULT_FAMILY_MAPPING, type ValidationResult } from '../../../src/modules/certificates/validation';
import { x509 } from '../../../src/modules/certificates/validation/x509-runtime';
import { createCa, createLeaf, createRoot, days, EKU, type Issued, KU, NOW, personnelLeaf } from '../../support/pki/builder';

const EKU_OID = '2.5.29.37';
/** DER of an empty SEQUENCE: an ExtKeyUsageSyntax with no KeyPurposeId. */
const EMPTY_SEQUENCE = new Uint8Array([0x30, 0x00]).buffer;

let dir: string;
let root: Issued;
let issuing: Issued;

function validate(leaf: Issued, intermediates: Issued[] = [issuing], purpose: 'client-auth' | 'any' = 'any', at = NOW): Promise<ValidationResult> {
  return createValidator({ anchors: [root.pem], intermediates: intermediates.map((c) => c.pem), familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' }).validate(leaf.pem, {
    at,
    purpose,
    requireFamily: false,
  });
}

/**
 * `openssl verify` of the leaf against our root, at NOW (or `at`, whole seconds): true when
 * OpenSSL accepts the path; `strict` adds -x509_strict (OpenSSL's RFC 5280 profile checks).
 */
function opensslAccepts(leaf: Issued, intermediates: Issued[] = [issuing], purpose = 'any', options: { strict?: boolean; at?: Date } = {}): boolean {
  const write = (name: string, pems: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, pems.join('\n'));
    return path;
  };
  const args = ['verify', '-CAfile', write('root.pem', [root.pem]), '-untrusted', write('chain.pem', intermediates.map((c) => c.pem).concat(root.pem)), '-attime', String(Math.floor((options.at ?? NOW).getTime() / 1000))];
  if (purpose !== 'any') args.push('-purpose', purpose);
  if (options.strict) args.push('-x509_strict');
  try {
    execFileSync('openssl', [...args, write('leaf.pem', [leaf.pem])], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rfc5280-'));
  root = await createRoot({ subject: 'CN=Conformance Root, O=Test PKI, C=TW', notBefore: days(-3650), notAfter: days(3650) });
  issuing = await createCa(root, { subject: 'CN=Conformance Issuing CA, O=Test PKI, C=TW' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RFC 5280 conformance', () => {
  it('accepts a well-formed chain, as OpenSSL does', async () => {
    const leaf = await createLeaf(issuing, personnelLeaf());
    expect(await validate(leaf)).toMatchObject({ valid: true });
    expect(opensslAccepts(leaf)).toBe(true);
  });

  it('4.2.1.12: refuses an extendedKeyUsage with no purpose (SEQUENCE SIZE (1..MAX)), accepts one with a purpose', async () => {
    const empty = await createLeaf(issuing, { ...personnelLeaf(), extKeyUsage: undefined, extraExtensions: [new x509.Extension(EKU_OID, false, EMPTY_SEQUENCE)] });
    expect(await validate(empty)).toMatchObject({ valid: false, code: 'eku-empty', position: 0 });
    const one = await createLeaf(issuing, { ...personnelLeaf(), extKeyUsage: [EKU.clientAuth] });
    expect(await validate(one)).toMatchObject({ valid: true });
    // OpenSSL disagrees: it reads an empty ExtKeyUsageSyntax as "no purpose" and accepts the path,
    // even with -x509_strict (its profile checks do not cover SIZE (1..MAX)). We follow the ASN.1.
    expect([opensslAccepts(empty), opensslAccepts(empty, [issuing], 'any', { strict: true })]).toEqual([true, true]);
    expect(opensslAccepts(one, [issuing], 'any', { strict: true })).toBe(true);
  });

  it('4.2.1.3 / 4.2.1.9: refuses keyCertSign in a certificate that is not a CA (cA false or no basicConstraints)', async () => {
    const caFalse = await createLeaf(issuing, { ...personnelLeaf(), keyUsage: KU.digitalSignature | KU.keyCertSign });
    expect(await validate(caFalse)).toMatchObject({ valid: false, code: 'key-cert-sign-not-ca', position: 0 });
    const noBasic = await createLeaf(issuing, { ...personnelLeaf(), basicConstraints: null, keyUsage: KU.digitalSignature | KU.keyCertSign });
    expect(await validate(noBasic)).toMatchObject({ valid: false, code: 'key-cert-sign-not-ca', position: 0 });
    // OpenSSL accepts both unless run with -x509_strict: here we side with the RFC's MUST.
    expect(opensslAccepts(caFalse)).toBe(true);
    expect([opensslAccepts(caFalse, [issuing], 'any', { strict: true }), opensslAccepts(noBasic, [issuing], 'any', { strict: true })]).toEqual([false, false]); // -x509_strict agrees with us
  });

  it('4.2.1.10: refuses nameConstraints in an end-entity certificate, and empty nameConstraints in a CA', async () => {
    const endEntity = await createLeaf(issuing, { ...personnelLeaf(), nameConstraints: { permitted: ['C=TW'] } });
    expect(await validate(endEntity)).toMatchObject({ valid: false, code: 'name-constraints-in-end-entity', position: 0 });
    // OpenSSL disagrees, even with -x509_strict: it applies an end entity's nameConstraints to
    // nothing and does not refuse them. 4.2.1.10 says CAs only ("MUST be used only in a CA certificate").
    expect([opensslAccepts(endEntity), opensslAccepts(endEntity, [issuing], 'any', { strict: true })]).toEqual([true, true]);

    const emptyCa = await createCa(root, { subject: 'CN=Empty Constraints CA, O=Test PKI, C=TW', nameConstraints: {} });
    const below = await createLeaf(emptyCa, personnelLeaf());
    expect(await validate(below, [emptyCa])).toMatchObject({ valid: false, code: 'name-constraints-empty', position: 1 });
    // OpenSSL disagrees, even with -x509_strict: nameConstraints with neither subtree constrain
    // nothing for it; 4.2.1.10 says at least one of permittedSubtrees or excludedSubtrees MUST be present.
    expect([opensslAccepts(below, [emptyCa]), opensslAccepts(below, [emptyCa], 'any', { strict: true })]).toEqual([true, true]);

    const constrained = await createCa(root, { subject: 'CN=Constrained CA, O=Test PKI, C=TW', nameConstraints: { permitted: ['CN=王小明'] } });
    expect(await validate(await createLeaf(constrained, personnelLeaf()), [constrained])).toMatchObject({ valid: true });
  });

  it('4.1.2.6: refuses a CA with an empty subject', async () => {
    const nameless = await createCa(root, { subject: '' });
    const below = await createLeaf(nameless, personnelLeaf());
    // the path is found by key identifier; the empty subject is what fails
    expect(await validate(below, [nameless])).toMatchObject({ valid: false, code: 'ca-subject-empty', position: 1 });
    // OpenSSL agrees only with -x509_strict (its "issuer name empty" profile check); by default it accepts.
    expect([opensslAccepts(below, [nameless]), opensslAccepts(below, [nameless], 'any', { strict: true })]).toEqual([true, false]);
  });

  it('4.1.2.5: compares times to the second, as notBefore and notAfter are encoded', async () => {
    const notAfter = new Date(Math.floor(days(30).getTime() / 1000) * 1000);
    const leaf = await createLeaf(issuing, { ...personnelLeaf(), notAfter });
    expect(await validate(leaf, [issuing], 'any', new Date(notAfter.getTime() + 5))).toMatchObject({ valid: true });
    expect(await validate(leaf, [issuing], 'any', new Date(notAfter.getTime() + 999))).toMatchObject({ valid: true });
    expect(await validate(leaf, [issuing], 'any', new Date(notAfter.getTime() + 1000))).toMatchObject({ valid: false, code: 'expired' });
    // OpenSSL (-attime, whole seconds) agrees a second later, but disagrees at notAfter itself: it
    // counts a notAfter equal to the time as expired, where 4.1.2.5 makes the period include notAfter.
    const at = (ms: number) => opensslAccepts(leaf, [issuing], 'any', { at: new Date(notAfter.getTime() + ms) });
    expect([at(-1000), at(0), at(1000)]).toEqual([true, false, false]);

    const notBefore = new Date(Math.floor(days(-1).getTime() / 1000) * 1000);
    const fresh = await createLeaf(issuing, { ...personnelLeaf(), notBefore });
    expect(await validate(fresh, [issuing], 'any', new Date(notBefore.getTime() + 1))).toMatchObject({ valid: true });
    expect(await validate(fresh, [issuing], 'any', new Date(notBefore.getTime() - 1))).toMatchObject({ valid: false, code: 'not-yet-valid' });
  });

  it('section 6: with purpose any a CA certificate in the leaf position is a valid path; the sign-in refuses it by policy', async () => {
    const subordinate = await createCa(issuing, { subject: 'CN=Subordinate CA, O=Test PKI, C=TW' });
    expect(await validate(subordinate, [issuing], 'any')).toMatchObject({ valid: true });
    expect(opensslAccepts(subordinate)).toBe(true);
    expect(await validate(subordinate, [issuing], 'client-auth')).toMatchObject({ valid: false, code: 'ca-as-end-entity', position: 0 });
  });
});
