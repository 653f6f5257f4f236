// `pki verify` as the CLI runs it (runPkiVerify): files, options, exit codes and output, in
// process. The spawned command is tested in test/integration/pki-cli.spec.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPkiVerify } from '../../src/modules/certificates/pki-verify.cli';
import { createLeaf, NOW, simplePki } from '../support/pki/builder';

function capture() {
  const text = { out: '', err: '' };
  return { text, out: { write: (s: string) => (text.out += s) }, err: { write: (s: string) => (text.err += s) } };
}

describe('runPkiVerify', () => {
  let dir: string;
  let trust: string;
  let chain: string;
  const at = NOW.toISOString();
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const verify = async (...args: string[]) => {
    const io = capture();
    const code = await runPkiVerify(args, io.out, io.err);
    return { code, ...io.text };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pki-verify-'));
    const pki = await simplePki();
    trust = file('trust.pem', pki.root.pem);
    chain = file('chain.pem', `${pki.leaf.pem}\n${pki.intermediate.pem}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the validation result as JSON and returns 0 when valid', async () => {
    const result = await verify('--trust', trust, '--chain', chain, '--at', at, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ valid: true, code: 'ok', family: 'hca-personnel' });
  });

  it('validates the path of a leaf with no family, reporting family null; --family (repeatable) makes the family required', async () => {
    const pki = await simplePki();
    const plain = await createLeaf(pki.intermediate, { subject: 'CN=Partner Service, O=Partner, C=TW' });
    const plainChain = file('plain.pem', `${plain.pem}\n${pki.intermediate.pem}`);
    const plainTrust = file('plain-trust.pem', pki.root.pem);
    const open = await verify('--trust', plainTrust, '--chain', plainChain, '--at', at, '--purpose', 'any', '--json');
    expect([open.code, JSON.parse(open.out)]).toEqual([0, expect.objectContaining({ valid: true, family: null })]);
    const required = await verify('--trust', plainTrust, '--chain', plainChain, '--at', at, '--family', 'hca-personnel', '--json');
    expect([required.code, JSON.parse(required.out)]).toEqual([1, expect.objectContaining({ valid: false, code: 'unknown-family', position: 0 })]);

    const other = await verify('--trust', trust, '--chain', chain, '--at', at, '--family', 'moica-citizen', '--json');
    expect(JSON.parse(other.out)).toMatchObject({ valid: false, code: 'unknown-family' });
    const either = await verify('--trust', trust, '--chain', chain, '--at', at, '--family', 'moica-citizen', '--family', 'hca-personnel', '--json');
    expect([either.code, JSON.parse(either.out)]).toEqual([0, expect.objectContaining({ valid: true, family: 'hca-personnel' })]);
    const typo = await verify('--trust', trust, '--chain', chain, '--family', 'hca-persnnel', '--json');
    expect([typo.code, JSON.parse(typo.out).errors]).toEqual([2, [expect.stringContaining('--family must be one of')]]);
  });

  it('says in --help that the family is reported, and required only with --family', async () => {
    const help = await verify('--help');
    expect(help.out).toContain('--family <family>');
    expect(help.out).toContain('without failing on it');
  });

  it('prints readable lines without --json', async () => {
    const result = await verify('--trust', trust, '--chain', chain, '--at', at);
    expect(result.out.split('\n').slice(0, 2)).toEqual(['VALID: "CN=王小明, serialNumber=A123456789, C=TW" is valid (hca-personnel).', '  family:     hca-personnel']);
  });

  it('takes the family mapping from --family-mapping (configuration, not code)', async () => {
    const mapping = file('mapping.json', JSON.stringify({ subjectTypes: { '2.16.886.1.100.3.1.7': 'moica-citizen' }, policies: {} }));
    const result = await verify('--trust', trust, '--chain', chain, '--at', at, '--family-mapping', mapping, '--json');
    expect(JSON.parse(result.out)).toMatchObject({ valid: true, family: 'moica-citizen' });
    const typo = file('typo.json', JSON.stringify({ subjectTypes: { '2.16.886.1.100.3.1.7': 'nhi-cards' }, policies: {} }));
    const refused = await verify('--trust', trust, '--chain', chain, '--family-mapping', typo, '--json');
    expect([refused.code, JSON.parse(refused.out).errors]).toEqual([2, [expect.stringContaining('unknown family "nhi-cards"')]]);
  });

  it('returns 2 for usage errors, listing each problem', async () => {
    const none = await verify('--json');
    expect([none.code, JSON.parse(none.out).errors]).toEqual([2, ['trust: required (--trust <pem file>)', 'chain: required (--chain <pem file>)']]);
    const unknown = await verify('--trust', trust, '--chain', chain, '--verbose');
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining("Unknown option '--verbose'")]);
    const badAt = await verify('--trust', trust, '--chain', chain, '--at', '31/01/2026', '--json');
    expect([badAt.code, JSON.parse(badAt.out).errors]).toEqual([2, ['--at must be an ISO 8601 date, got "31/01/2026"']]);
    const missing = await verify('--trust', join(dir, 'absent.pem'), '--chain', chain, '--json');
    expect([missing.code, JSON.parse(missing.out).errors]).toEqual([2, [`trust: cannot read ${join(dir, 'absent.pem')} (ENOENT)`]]);
  });

  it('returns 1 with code malformed for a file that holds no certificate', async () => {
    const result = await verify('--trust', trust, '--chain', file('empty.pem', 'not a certificate'), '--json');
    expect([result.code, JSON.parse(result.out).code]).toEqual([1, 'malformed']);
  });

  it('shows the usage with --help and returns 0', async () => {
    const result = await verify('--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Exit code 0 when valid, 1 when not, 2 on a usage error.');
  });
});
