// The pki and dev card commands through the real CLI entrypoint (src/cli.ts run from source),
// against this worker's schema and SoftHSM2 store; OpenSC's pkcs11-tool inspects the cards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, runCli as run } from '../support/cli';
import { useSoftHsmTestStore } from '../support/softhsm';
import { createCa, createLeaf, createRoot, days, NOW, personnelLeaf, simplePki } from '../support/pki/builder';
import { x509 } from '../../src/modules/certificates/validation/x509-runtime';
import { DEMO_FIXTURES, findDemoInsured } from '../../src/modules/reference/data';

const store = useSoftHsmTestStore();
// Each CLI command is a process of its own that boots the application context: seconds on a busy machine.
jest.setTimeout(180_000);
const DAY = 24 * 60 * 60 * 1000;


/** Runs a command that must succeed with --json; returns its JSON. */
function json<T = Record<string, any>>(...args: string[]): T {
  const result = run([...args, '--json']);
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}


const pem = (der: Uint8Array, type = 'CERTIFICATE') => `${x509.PemConverter.encode(new Uint8Array(der).buffer as ArrayBuffer, type)}\n`;

describe('pki and dev card commands', () => {
  let tmp: string;
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'pki-cli-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  describe('pki verify (no database, no Redis, no configuration)', () => {
    /** Only what a shell offers: no DB_*, REDIS_URL or secrets, so the command cannot be using them. */
    const bare = { PATH: process.env.PATH, HOME: process.env.HOME };
    const verify = (...args: string[]) => run(['pki', 'verify', ...args], bare);
    let trust: string;
    let chain: string;
    let otherTrust: string;
    let crl: string;
    let noRootCrl: string;

    beforeAll(async () => {
      const pki = await simplePki();
      const other = await simplePki();
      trust = file('trust.pem', pki.root.pem);
      chain = file('chain.pem', `${pki.leaf.pem}\n${pki.intermediate.pem}\n`);
      otherTrust = file('other-trust.pem', other.root.pem);
      const revoked = await x509.X509CrlGenerator.create({
        issuer: pki.intermediate.cert.subjectName,
        thisUpdate: days(-1),
        nextUpdate: days(6),
        entries: [{ serialNumber: pki.leaf.cert.serialNumber, revocationDate: days(-1), reason: x509.X509CrlReason.keyCompromise }],
        signingKey: pki.intermediate.keys.privateKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      });
      // Revocation is checked for every certificate below the anchor: the root's CRL is needed too.
      const rootCrl = await x509.X509CrlGenerator.create({
        issuer: pki.root.cert.subjectName,
        thisUpdate: days(-1),
        nextUpdate: days(6),
        signingKey: pki.root.keys.privateKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      });
      crl = file('revoked.crl', `${revoked.toString('pem')}\n${rootCrl.toString('pem')}\n`);
      noRootCrl = file('issuing-only.crl', revoked.toString('pem'));
    });

    it('exits 0 with valid: true for a chain to the trust anchor', () => {
      const res = verify('--trust', trust, '--chain', chain, '--at', NOW.toISOString(), '--json');
      expect(res.status).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ valid: true, code: 'ok', family: 'hca-personnel', revocation: 'not-checked' });
    });

    it('exits 1 for an expired chain, an untrusted one and a revoked one, with the code', () => {
      const expired = verify('--trust', trust, '--chain', chain, '--at', new Date(NOW.getTime() + 800 * DAY).toISOString(), '--json');
      expect([expired.status, JSON.parse(expired.stdout).valid, JSON.parse(expired.stdout).code]).toEqual([1, false, 'expired']);
      const untrusted = verify('--trust', otherTrust, '--chain', chain, '--at', NOW.toISOString(), '--json');
      expect([untrusted.status, JSON.parse(untrusted.stdout).code]).toEqual([1, 'untrusted']);
      const revoked = verify('--trust', trust, '--chain', chain, '--at', NOW.toISOString(), '--crl', crl, '--json');
      expect([revoked.status, JSON.parse(revoked.stdout).code]).toEqual([1, 'revoked']);
      const unknown = verify('--trust', trust, '--chain', chain, '--at', NOW.toISOString(), '--crl', noRootCrl, '--json');
      expect([unknown.status, JSON.parse(unknown.stdout)]).toEqual([1, expect.objectContaining({ code: 'revocation-unknown', position: 1 })]);
      const human = verify('--trust', otherTrust, '--chain', chain, '--at', NOW.toISOString());
      expect([human.status, human.stdout.split('\n')[0]]).toEqual([1, 'NOT VALID: untrusted (certificate #0: CN=王小明, serialNumber=A123456789, C=TW)']);
    });

    it('exits 2 on usage errors and 0 with the usage for --help (the other usage errors: test/unit/pki-verify-cli.spec.ts)', () => {
      const missing = verify('--trust', trust, '--json');
      expect(missing.status).toBe(2);
      expect(JSON.parse(missing.stdout)).toEqual({ ok: false, errors: ['chain: required (--chain <pem file>)'] });
      const help = verify('--help');
      expect([help.status, help.stdout.startsWith('Usage: pki verify --trust <pem file> --chain <pem file>')]).toEqual([0, true]);
    });
  });

  describe('pki trust add | list | disable', () => {
    it('adds a CA certificate (PEM or DER) with an audit row, lists it, refuses duplicates and non-CAs, and disables it', async () => {
      const external = await createRoot({ subject: 'CN=External Test Root, O=Elsewhere, C=TW', notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 3650 * DAY) });
      const issuing = await createCa(external, { subject: 'CN=External Test Issuing CA, O=Elsewhere, C=TW', notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY) });
      const leaf = await createLeaf(issuing, { ...personnelLeaf(), notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY) });
      const rootFile = file('external-root.pem', external.pem);
      const fingerprint = Buffer.from(await external.cert.getThumbprint('SHA-256')).toString('hex').toUpperCase();

      const dry = json('pki', 'trust', 'add', rootFile, '--family', 'gca', '--dry-run');
      expect(dry.wouldAdd).toEqual({ family: 'gca', role: 'root', subject: 'CN=External Test Root, O=Elsewhere, C=TW', fingerprint });
      expect(await query('SELECT id FROM ca_certificate WHERE fingerprint = ?', [fingerprint])).toHaveLength(0);

      const added = json('pki', 'trust', 'add', rootFile, '--family', 'gca', '--crl-url', 'http://127.0.0.1:9/external.crl');
      expect(added.added).toMatchObject({ family: 'gca', role: 'root', source: 'imported', enabled: true, fingerprint, crlUrl: 'http://127.0.0.1:9/external.crl' });
      expect(added.added.der).toBeUndefined();
      const issuingAdded = json('pki', 'trust', 'add', file('external-issuing.der', new Uint8Array(issuing.cert.rawData)), '--family', 'gca');
      expect(issuingAdded.added).toMatchObject({ role: 'issuing', subjectDn: 'CN=External Test Issuing CA, O=Elsewhere, C=TW' });
      const audits = await query<{ actor_kind: string; target_id: string }>("SELECT actor_kind, target_id FROM audit_event WHERE action = 'pki.trust.add' AND target_id IN (?, ?)", [
        String(added.added.id),
        String(issuingAdded.added.id),
      ]);
      expect(audits.map((a) => a.actor_kind)).toEqual(['cli', 'cli']);

      const again = run(['pki', 'trust', 'add', rootFile, '--family', 'gca', '--json']);
      expect([again.status, JSON.parse(again.stdout).errors[0]]).toEqual([2, expect.stringContaining('trust-already-present')]);
      const notCa = run(['pki', 'trust', 'add', file('leaf.pem', leaf.pem), '--family', 'gca', '--json']);
      expect([notCa.status, JSON.parse(notCa.stdout).errors]).toEqual([
        2,
        ['certificate: not a CA certificate (basicConstraints cA is not set)', 'certificate: its keyUsage does not allow signing certificates (keyCertSign)'],
      ]);
      const notRoot = run(['pki', 'trust', 'add', file('issuing.pem', issuing.pem), '--family', 'gca', '--role', 'root', '--json']);
      expect([notRoot.status, JSON.parse(notRoot.stdout).errors]).toEqual([2, [expect.stringContaining('a root must be self-signed')]]);
      const badFamily = run(['pki', 'trust', 'add', rootFile, '--family', 'nhia']);
      expect([badFamily.status, badFamily.stderr]).toEqual([2, expect.stringContaining('family: one of hca, moica, gca, xca, moeaca, nhi')]);

      const listed = json<{ cas: Array<{ fingerprint: string; enabled: boolean }> }>('pki', 'trust', 'list');
      expect(listed.cas.find((ca) => ca.fingerprint === fingerprint)).toMatchObject({ enabled: true });

      const disabled = json('pki', 'trust', 'disable', fingerprint.match(/../g)!.join(':'));
      expect(disabled.disabled).toMatchObject({ fingerprint, enabled: false });
      expect(await query("SELECT id FROM audit_event WHERE action = 'pki.trust.disable' AND target_id = ?", [String(added.added.id)])).toHaveLength(1);
      const twice = run(['pki', 'trust', 'disable', fingerprint]);
      expect([twice.status, twice.stderr]).toEqual([2, expect.stringContaining('already disabled')]);
      expect(run(['pki', 'trust', 'disable', 'no-such-ca']).status).toBe(2);
    });
  });

  describe('pki dev-init, dev card create, pki cert, pki crl refresh', () => {
    beforeAll(() => json('pki', 'dev-init'));

    it('initialises the development PKI idempotently', () => {
      const again = json('pki', 'dev-init');
      expect(again.cas).toHaveLength(12);
      expect(again.cas.every((ca: { status: string }) => ca.status === 'present')).toBe(true);
    });

    it('creates a personnel card whose token holds the key and the HCA certificate under one id, valid against the dev root', async () => {
      const card = json('dev', 'card', 'create', '--type', 'personnel', '--pin', '246810', '--opened');
      expect(card.label).toMatch(/^card-personnel-[0-9a-f]{6}$/);
      expect(card.puk).toMatch(/^\d{8}$/);
      expect(card.certificate.subject).toBe('CN=王小明, serialNumber=A10****011, O=臺北示範醫學中心, C=TW');
      expect(card.certificate.issuer).toBe('CN=HCA Issuing CA 1 (DEV), O=NHI Services Development, C=TW');

      const tool = (...args: string[]) => spawnSync('pkcs11-tool', ['--module', store.modulePath, '--token-label', card.label, ...args], { env: { ...process.env }, encoding: 'utf8' });
      const listing = tool('--login', '--pin', '246810', '--list-objects');
      expect(listing.status).toBe(0);
      const ids = (kind: string) =>
        listing.stdout
          .split(/\n(?=\S)/)
          .filter((block) => block.startsWith(kind))
          .map((block) => /ID:\s+([0-9a-f]+)/.exec(block)?.[1]);
      expect(ids('Private Key Object')).toEqual([card.keyId]);
      expect(ids('Certificate Object')).toEqual([card.keyId]);
      expect(listing.stdout).toContain(`serial:     ${card.certificate.serialNumber}`);

      const leafFile = join(tmp, 'card.der');
      expect(tool('--read-object', '--type', 'cert', '--id', card.keyId, '-o', leafFile).status).toBe(0);
      const [root] = await query<{ der: Buffer }>("SELECT der FROM ca_certificate WHERE slug = 'hca-root'");
      const [issuing] = await query<{ der: Buffer }>("SELECT der FROM ca_certificate WHERE slug = 'hca-issuing-1'");
      const leafPem = pem(new Uint8Array(readFileSync(leafFile)));
      const verified = run(['pki', 'verify', '--trust', file('hca-root.pem', pem(root.der)), '--chain', file('card-chain.pem', leafPem + pem(issuing.der)), '--json']);
      expect([verified.status, JSON.parse(verified.stdout).family]).toEqual([0, 'hca-personnel']);
    });

    it('creates organization cards from the CA of their type, and refuses bad input before making a token', () => {
      const company = json('dev', 'card', 'create', '--type', 'organization', '--org-type', 'moeaca', '--pin', '13572468', '--puk', '87654321', '--key', 'rsa-2048');
      expect(company.certificate.issuer).toBe('CN=MOEACA Issuing CA 1 (DEV), O=NHI Services Development, C=TW');
      expect(company.certificate.subject).toBe('CN=示範醫療器材股份有限公司, serialNumber=04595252, C=TW');
      expect(company.puk).toBeUndefined();

      const bad = run(['dev', 'card', 'create', '--type', 'personnel', '--pin', '12', '--label', 'my-card', '--national-id', 'A123456788', '--json']);
      expect([bad.status, bad.stderr]).toEqual([2, '']);
      expect(JSON.parse(bad.stdout).errors).toEqual([
        'pin: 6 to 8 digits (--pin)',
        'label: must start with "card-" (the reader helper shows only those tokens)',
        'national-id: not a valid national ID or resident certificate number',
      ]);
      const tokens = spawnSync('pkcs11-tool', ['--module', store.modulePath, '--list-token-slots'], { env: { ...process.env }, encoding: 'utf8' }).stdout;
      expect(tokens).not.toContain('my-card');
    });

    it('creates an NHI card: no PIN, the card number from the insured-person registry, a certificate of the development NHI card CA', () => {
      const nurse = DEMO_FIXTURES.nurseAtInitialReviewHospital;
      const insured = findDemoInsured(nurse.nationalId)!;
      const card = json('dev', 'card', 'create', '--type', 'nhi', '--national-id', nurse.nationalId);
      expect(card).toMatchObject({ nhiCardNumber: insured.cardNumber, opened: true });
      expect(card.certificate.issuer).toBe('CN=NHI Card Issuing CA 1 (DEV), O=NHI Services Development, C=TW');
      expect(card.certificate.subject).toBe(`CN=${nurse.nameZh}, serialNumber=${insured.cardNumber}, C=TW`);

      const withPin = run(['dev', 'card', 'create', '--type', 'nhi', '--pin', '123456', '--json']);
      expect([withPin.status, JSON.parse(withPin.stdout).errors]).toEqual([2, ['pin: an NHI card has no PIN (leave out --pin)']]);
      const uninsured = run(['dev', 'card', 'create', '--type', 'nhi', '--national-id', 'A123456789', '--json']);
      expect([uninsured.status, JSON.parse(uninsured.stdout).errors]).toEqual([2, [expect.stringContaining('not in the insured-person registry')]]);
    });

    it('revokes through pki cert and re-signs CRLs with pki crl refresh, both audited', async () => {
      const card = json('dev', 'card', 'create', '--type', 'citizen', '--pin', '112233');
      const badReason = run(['pki', 'cert', 'revoke', String(card.certificate.id), '--reason', 'certificateHold', '--json']);
      expect(badReason.status).toBe(2);
      const revoked = json('pki', 'cert', 'revoke', String(card.certificate.id), '--reason', 'keyCompromise');
      expect(revoked).toMatchObject({ id: card.certificate.id, status: 'revoked', reason: 'keyCompromise', version: 2 });
      const stale = run(['pki', 'cert', 'hold', String(card.certificate.id), '--version', '1', '--json']);
      expect([stale.status, JSON.parse(stale.stdout).errors[0]]).toEqual([2, expect.stringContaining('certificate-changed')]);

      // Other files of this jest worker may have revoked or held citizen certificates too: the CRL lists them all.
      const [listed] = await query<{ n: number | string }>(
        "SELECT COUNT(*) AS n FROM issued_certificate i JOIN ca_certificate a ON a.id = i.issuer_id WHERE a.slug = 'moica-issuing-1' AND i.status IN ('revoked', 'on-hold')",
      );
      const refreshed = json('pki', 'crl', 'refresh', '--issuer', 'moica-issuing-1');
      expect(refreshed.published).toEqual([expect.objectContaining({ slug: 'moica-issuing-1', entries: Number(listed.n) })]);
      expect(Number(listed.n)).toBeGreaterThanOrEqual(1);
      const [crl] = await query<{ der: Buffer }>("SELECT c.der FROM crl c JOIN ca_certificate a ON a.id = c.issuer_id WHERE a.slug = 'moica-issuing-1' ORDER BY c.id DESC LIMIT 1");
      expect(new x509.X509Crl(new Uint8Array(crl.der)).findRevoked(card.certificate.serialNumber)?.reason).toBe(x509.X509CrlReason.keyCompromise);
      const all = json('pki', 'crl', 'refresh', '--force');
      expect(all.published.length).toBeGreaterThanOrEqual(10);
      const audits = await query<{ action: string }>(
        "SELECT action FROM audit_event WHERE actor_kind = 'cli' AND ((action = 'pki.certificate.revoke' AND target_id = ?) OR action = 'pki.crl.refresh')",
        [String(card.certificate.id)],
      );
      expect(new Set(audits.map((a) => a.action))).toEqual(new Set(['pki.certificate.revoke', 'pki.crl.refresh']));
    });
  });
});
