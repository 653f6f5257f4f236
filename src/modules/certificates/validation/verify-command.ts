// The pure function behind `pki verify --trust <pem> --chain <pem> [--at ISO]
// [--purpose client-auth|any] [--crl <pem>] [--family <f>]... --json`: the CLI reads the files, calls
// verifyFromFiles, prints the JSON and exits with verifyExitCode(result).
import { Purpose } from './checks';
import { CrlRevocationSource } from './crl-revocation-source';
import { CertificateValidationError } from './errors';
import { CREDENTIAL_FAMILIES, DEFAULT_FAMILY_MAPPING, FamilyMapping } from './family';
import { CertificateSummary, ValidationFailure, ValidationResult, ValidationSuccess } from './result';
import { createValidator } from './validator';

export interface VerifyCommandInput {
  /** Contents of --trust: trust anchor certificates (PEM, several allowed, or DER). */
  trustPem: string | Uint8Array;
  /** Contents of --chain: the leaf first, then untrusted intermediates (PEM or DER). */
  chainPem: string | Uint8Array;
  /** --at: validation time as an ISO 8601 string or Date (default: now). */
  at?: string | Date;
  /** --purpose (default 'client-auth'). */
  purpose?: Purpose;
  /** Contents of --crl: CRLs (PEM, several allowed, or DER). Without it revocation is not checked. */
  crlPem?: string | Uint8Array;
  /**
   * --family (repeatable): the leaf must be of one of these families, else 'unknown-family'.
   * Without it the path alone is validated and the family found (or null) is reported.
   */
  families?: readonly string[];
  familyMapping?: FamilyMapping;
}

/** Dates as ISO 8601 strings. */
type Jsonified<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

/** The JSON printed by `pki verify --json`: the validation result, dates as ISO 8601 strings, without the cache flag. */
export type VerifyCommandOutput = (Jsonified<Omit<ValidationSuccess, 'chainCache' | 'path'>> & { path: Jsonified<CertificateSummary>[] }) | ValidationFailure;

function parseAt(at: string | Date | undefined): Date | undefined {
  if (at === undefined || at instanceof Date) return at;
  const date = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}/.test(at) || Number.isNaN(date.getTime())) throw new RangeError(`--at must be an ISO 8601 date, got "${at}"`);
  return date;
}

export function toJsonOutput(result: ValidationResult): VerifyCommandOutput {
  if (!result.valid) return result;
  const { chainCache: _cache, notBefore, notAfter, path, ...rest } = result;
  return {
    ...rest,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    path: path.map((cert) => ({ ...cert, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() })),
  };
}

/**
 * Validates the chain's first certificate against the given anchors. Unreadable certificate or
 * CRL data gives a 'malformed' result; a bad `at` or `purpose` throws RangeError (a usage error).
 */
export async function verifyFromFiles(input: VerifyCommandInput): Promise<VerifyCommandOutput> {
  const at = parseAt(input.at);
  const unknown = (input.families ?? []).filter((family) => !(CREDENTIAL_FAMILIES as readonly string[]).includes(family));
  if (unknown.length) throw new RangeError(`--family must be one of ${CREDENTIAL_FAMILIES.join(', ')}, got "${unknown.join('", "')}"`);
  const purpose = input.purpose ?? 'client-auth';
  if (purpose !== 'client-auth' && purpose !== 'any') throw new RangeError(`--purpose must be client-auth or any, got "${String(purpose)}"`);
  try {
    const revocation = input.crlPem === undefined ? 'off' : { source: new CrlRevocationSource({ crls: [input.crlPem] }) };
    const validator = createValidator({
      anchors: [input.trustPem],
      familyMapping: input.familyMapping ?? DEFAULT_FAMILY_MAPPING,
      revocation,
    });
    const result = await validator.validate(input.chainPem, { at, purpose, requireFamily: false });
    const wanted = input.families ?? [];
    if (result.valid && wanted.length > 0 && !(result.family && wanted.includes(result.family))) {
      return {
        valid: false,
        code: 'unknown-family',
        message: `"${result.path[0].subject}" is a valid path, but its family is ${result.family ?? 'not recognised'}, not ${wanted.join(' or ')}.`,
        position: 0,
        subject: result.path[0].subject,
      };
    }
    return toJsonOutput(result);
  } catch (error) {
    if (!(error instanceof CertificateValidationError)) throw error;
    return { valid: false, code: error.code, message: `${error.message} (in the trust or CRL input)` };
  }
}

/** Process exit code for `pki verify`: 0 when valid, 1 otherwise. */
export function verifyExitCode(output: { valid: boolean }): 0 | 1 {
  return output.valid ? 0 : 1;
}
