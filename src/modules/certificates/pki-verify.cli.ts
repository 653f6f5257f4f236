// `pki verify`: validates a certificate chain from files, with no database, Redis or Nest, so
// src/cli.ts runs it before the Nest CLI starts. Exit code: 0 valid, 1 not valid, 2 usage error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadFamilyMapping } from './family-mapping';
import { CREDENTIAL_FAMILIES, Purpose, verifyExitCode, verifyFromFiles, VerifyCommandOutput } from './validation';

export const PKI_VERIFY_USAGE = `Usage: pki verify --trust <pem file> --chain <pem file> [options]

Validates the first certificate of --chain (the others are untrusted intermediates) against the
trust anchors in --trust, without the database: the path (RFC 5280 section 6 and the profile
rules of section 4), validity, key usage, purpose and, with --crl, revocation. It reports the
credential family it finds (or none) without failing on it; with --family the leaf must be of
one of the families named. Exit code 0 when valid, 1 when not, 2 on a usage error.

Options:
  --trust <file>              trust anchor certificate(s), PEM (several allowed) or DER
  --chain <file>              the certificate to check, then any intermediates, PEM or DER
  --at <ISO-8601>             validation time (default: now), e.g. 2026-01-31T12:00:00Z
  --purpose <client-auth|any> default client-auth: the sign-in's rules (EKU clientAuth when EKU is
                              present, digitalSignature, not a CA certificate); any: the path alone
  --family <family>           the leaf must be of this family (repeatable: one of them); else
                              unknown-family. Families: ${CREDENTIAL_FAMILIES.join(', ')}
  --crl <file>                CRL(s), PEM or DER; without it revocation is not checked
  --family-mapping <file>     OID → family JSON (default FAMILY_MAPPING_FILE, else built in)
  --json                      print one JSON object (valid, code, message, ...)
  -h, --help                  show this help
`;

interface Output {
  write(text: string): unknown;
}

function usageError(json: boolean, problems: string[], out: Output, err: Output): number {
  if (json) out.write(`${JSON.stringify({ ok: false, errors: problems }, null, 2)}\n`);
  else err.write(`Cannot do that:\n  - ${problems.join('\n  - ')}\nRun with --help for the usage.\n`);
  return 2;
}

function humanLines(result: VerifyCommandOutput): string[] {
  if (!result.valid) {
    const where = result.position === undefined ? '' : ` (certificate #${result.position}${result.subject ? `: ${result.subject}` : ''})`;
    return [`NOT VALID: ${result.code}${where}`, `  ${result.message}`];
  }
  return [
    `VALID: ${result.message}`,
    `  family:     ${result.family ?? '(none)'}`,
    `  serial:     ${result.serialNumber}`,
    `  valid:      ${result.notBefore} to ${result.notAfter}`,
    `  revocation: ${result.revocation}`,
    ...result.path.map((cert) => `  [${cert.position}] ${cert.subject}${cert.trustAnchor ? '  (trust anchor)' : ''}`),
  ];
}

/** Runs `pki verify` with the arguments after "verify"; returns the exit code. */
export async function runPkiVerify(args: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  const json = args.includes('--json');
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        trust: { type: 'string' },
        chain: { type: 'string' },
        at: { type: 'string' },
        purpose: { type: 'string' },
        crl: { type: 'string' },
        'family-mapping': { type: 'string' },
        family: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usageError(json, [(error as Error).message], out, err);
  }
  if (values.help) {
    out.write(PKI_VERIFY_USAGE);
    return 0;
  }
  const problems: string[] = [];
  if (!values.trust) problems.push('trust: required (--trust <pem file>)');
  if (!values.chain) problems.push('chain: required (--chain <pem file>)');
  const read = (option: string, path: unknown): Buffer | undefined => {
    if (typeof path !== 'string' || !path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };
  const trust = read('trust', values.trust);
  const chain = read('chain', values.chain);
  const crl = read('crl', values.crl);
  let familyMapping;
  try {
    familyMapping = loadFamilyMapping((values['family-mapping'] as string | undefined) ?? (process.env.FAMILY_MAPPING_FILE || null));
  } catch (error) {
    problems.push(`family-mapping: ${(error as Error).message}`);
  }
  if (problems.length || !trust || !chain) return usageError(json, problems, out, err);
  let result: VerifyCommandOutput;
  try {
    result = await verifyFromFiles({
      trustPem: new Uint8Array(trust),
      chainPem: new Uint8Array(chain),
      crlPem: crl ? new Uint8Array(crl) : undefined,
      at: values.at as string | undefined,
      purpose: values.purpose as Purpose | undefined,
      familyMapping,
      families: values.family as string[] | undefined,
    });
  } catch (error) {
    if (error instanceof RangeError || (error instanceof TypeError && /family/.test(error.message))) return usageError(json, [error.message], out, err);
    throw error;
  }
  out.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${humanLines(result).join('\n')}\n`);
  return verifyExitCode(result);
}
