// The certificate validator: RFC 5280 path validation to an enabled trust anchor, leaf purpose,
// credential family and revocation, with a cache of validated issuer chains so that a repeat
// validation of a leaf from a known issuer costs about one signature check plus the revocation
// lookup. Plain TypeScript: the CLI, the login and the tests call this same code.
import { SignatureVerifier } from './algorithms';
import { Anchor, validateChain, ValidatedChain } from './chain';
import { ChainCache } from './chain-cache';
import { checkCertificate, checkLeafPurpose, checkNameConstraints, Purpose } from './checks';
import { CertificateInput, certificateDers, Der } from './encoding';
import { CertificateValidationError } from './errors';
import { assertFamilyMapping, CredentialFamily, directoryAttributes, FamilyMapping, resolveFamily } from './family';
import { subjectFields } from './names';
import { located, parseCertificate, ParsedCertificate, ParsedCertificateCache } from './parse';
import { candidatePaths, CertificatePool, DEFAULT_PATH_LIMITS, PathLimits } from './path-builder';
import { checkRevocation, combineRevocation, RevocationPolicy, RevocationSummary } from './revocation';
import { summarize, ValidationResult, ValidationSuccess } from './result';

export interface TrustAnchorConfig {
  certificate: CertificateInput;
  /** Disabled anchors are ignored (default true). */
  enabled?: boolean;
  /** When set, only leaves of these families are accepted under this anchor. */
  families?: readonly CredentialFamily[];
}

/** A certificate (every certificate of a PEM bundle becomes an anchor) or an anchor configuration. */
export type TrustAnchorInput = CertificateInput | TrustAnchorConfig;

export interface ValidatorOptions {
  anchors: readonly TrustAnchorInput[];
  /** Stored intermediate CA certificates (an unordered pool). */
  intermediates?: readonly CertificateInput[];
  familyMapping: FamilyMapping;
  revocation: RevocationPolicy;
  /** Clock used when validate() is given no `at` (default: the system clock). */
  now?: () => Date;
  limits?: Partial<PathLimits>;
  /** Validated issuer chains kept (default 500). */
  chainCacheSize?: number;
}

export interface ValidateOptions {
  /** Time of validation (default: now()). */
  at?: Date;
  /** 'client-auth' requires EKU clientAuth when the leaf has an EKU extension; 'any' skips EKU. */
  purpose: Purpose;
  /** Untrusted intermediates sent along with the leaf (e.g. by the reader helper). */
  extraIntermediates?: readonly CertificateInput[];
  /** Fail with 'unknown-family' when no family matches (default true). */
  requireFamily?: boolean;
}

export interface ValidatorStats {
  validations: number;
  chainCacheHits: number;
  chainCacheMisses: number;
  /** Certificate signature verifications computed (cached CA-to-CA results not counted). */
  signatureChecks: number;
  cachedChains: number;
}

export interface CertificateValidator {
  /**
   * Validates a leaf certificate (PEM, base64 or DER; when the input holds several certificates
   * the first is the leaf and the others are added to extraIntermediates). Never throws for a
   * bad certificate: every failure is a result with a code.
   */
  validate(leaf: CertificateInput, options: ValidateOptions): Promise<ValidationResult>;
  /** Replaces the trust anchors; bumps anchorSetVersion, which invalidates cached chains. */
  setAnchors(anchors: readonly TrustAnchorInput[]): void;
  /** Replaces the stored intermediates. */
  setIntermediates(intermediates: readonly CertificateInput[]): void;
  readonly anchorSetVersion: number;
  stats(): ValidatorStats;
  /** Forgets validated chains and parsed certificates (imported keys and verified CA signatures stay). */
  clearCache(): void;
}

function isAnchorConfig(input: TrustAnchorInput): input is TrustAnchorConfig {
  return typeof input === 'object' && input !== null && 'certificate' in input;
}

function parseAll(input: CertificateInput): ParsedCertificate[] {
  return certificateDers(input).map(parseCertificate);
}

function parseLeaf(der: Der, cache: ParsedCertificateCache): ParsedCertificate {
  try {
    return cache.parse(der);
  } catch (error) {
    if (error instanceof CertificateValidationError) throw new CertificateValidationError(error.code, error.message, { position: 0 });
    throw error;
  }
}

function parseIntermediate(der: Der, index: number, cache: ParsedCertificateCache): ParsedCertificate {
  try {
    return cache.parse(der);
  } catch (error) {
    if (!(error instanceof CertificateValidationError)) throw error;
    throw new CertificateValidationError(error.code, `Intermediate #${index + 1} sent with the leaf: ${error.message}`);
  }
}

function loadAnchors(inputs: readonly TrustAnchorInput[]): Map<string, Anchor> {
  const anchors = new Map<string, Anchor>();
  for (const input of inputs) {
    const config: TrustAnchorConfig = isAnchorConfig(input) ? input : { certificate: input };
    if (config.enabled === false) continue;
    for (const cert of parseAll(config.certificate)) anchors.set(cert.fingerprint, { cert, families: config.families });
  }
  return anchors;
}

/** Among failed candidate paths, a path whose signatures hold tells more than one with a decoy. */
function moreTelling(current: CertificateValidationError | undefined, next: CertificateValidationError): CertificateValidationError {
  if (!current) return next;
  return current.code === 'bad-signature' && next.code !== 'bad-signature' ? next : current;
}

interface AcceptedChain {
  chain: ValidatedChain;
  revocation: RevocationSummary;
  cacheHit: boolean;
}

export function createValidator(options: ValidatorOptions): CertificateValidator {
  assertFamilyMapping(options.familyMapping);
  const now = options.now ?? (() => new Date());
  const limits: PathLimits = { ...DEFAULT_PATH_LIMITS, ...options.limits };
  const verifier = new SignatureVerifier();
  const cache = new ChainCache(options.chainCacheSize);
  const parsed = new ParsedCertificateCache();
  const counters = { validations: 0, chainCacheHits: 0, chainCacheMisses: 0 };
  let anchors = loadAnchors(options.anchors);
  let anchorPool = new CertificatePool([...anchors.values()].map((anchor) => anchor.cert));
  let intermediatePool = new CertificatePool((options.intermediates ?? []).flatMap(parseAll));
  let anchorSetVersion = 1;

  /** Leaf against a validated chain: the issuer's signature, name constraints, intermediates' revocation. */
  async function acceptChain(leaf: ParsedCertificate, chain: ValidatedChain, at: Date, signatureVerified: boolean): Promise<RevocationSummary> {
    if (!signatureVerified) await verifier.verifyCertificate(leaf, chain.certs[0], 0, false);
    checkNameConstraints(leaf, 0, chain.leafConstraints);
    let revocation: RevocationSummary = 'good';
    for (let i = 0; i + 1 < chain.certs.length; i++) {
      revocation = combineRevocation(revocation, await checkRevocation(options.revocation, chain.certs[i], chain.certs[i + 1], i + 1, at));
    }
    return revocation;
  }

  async function fromCache(leaf: ParsedCertificate, at: Date): Promise<AcceptedChain | undefined> {
    for (const chain of cache.find(leaf, anchorSetVersion, at)) {
      try {
        return { chain, revocation: await acceptChain(leaf, chain, at, false), cacheHit: true };
      } catch (error) {
        if (!(error instanceof CertificateValidationError)) throw error;
        // Fall through to full path building, which reports the authoritative failure.
      }
    }
    return undefined;
  }

  async function buildChain(leaf: ParsedCertificate, at: Date, extra: ParsedCertificate[]): Promise<AcceptedChain> {
    const pools = extra.length > 0 ? [intermediatePool, new CertificatePool(extra)] : [intermediatePool];
    const leafSignatures = new Map<string, Promise<void>>();
    let failure: CertificateValidationError | undefined;
    for (const path of candidatePaths(leaf, anchorPool, pools, at, limits)) {
      try {
        const issuer = path[1];
        let leafSigned = leafSignatures.get(issuer.keyFingerprint);
        if (!leafSigned) {
          leafSigned = verifier.verifyCertificate(leaf, issuer, 0, false);
          leafSigned.catch(() => undefined); // awaited below; a rejection is a failed path
          leafSignatures.set(issuer.keyFingerprint, leafSigned);
        }
        await leafSigned;
        const anchor = anchors.get(path[path.length - 1].fingerprint) as Anchor;
        const chain = await validateChain(path.slice(1), anchor, at, verifier);
        cache.store(chain, anchorSetVersion);
        return { chain, revocation: await acceptChain(leaf, chain, at, true), cacheHit: false };
      } catch (error) {
        if (!(error instanceof CertificateValidationError)) throw error;
        failure = moreTelling(failure, error);
      }
    }
    throw (
      failure ??
      new CertificateValidationError(
        'untrusted',
        `No path from "${leaf.subjectDn}" (issued by "${leaf.issuerDn}") to an enabled trust anchor.`,
        located(leaf, 0),
      )
    );
  }

  async function run(input: CertificateInput, validateOptions: ValidateOptions): Promise<ValidationSuccess> {
    const at = validateOptions.at ?? now();
    const [leafDer, ...bundled] = certificateDers(input);
    if (!leafDer) throw new CertificateValidationError('malformed', 'No certificate found in the input.');
    const leaf = parseLeaf(leafDer, parsed);
    const extraDers = [...bundled, ...(validateOptions.extraIntermediates ?? []).flatMap(certificateDers)];
    const extra = extraDers.map((der, index) => parseIntermediate(der, index, parsed));
    checkCertificate(leaf, 0, at);
    checkLeafPurpose(leaf, validateOptions.purpose);

    let accepted = await fromCache(leaf, at);
    if (accepted) counters.chainCacheHits++;
    else {
      counters.chainCacheMisses++;
      accepted = await buildChain(leaf, at, extra);
    }
    const { chain } = accepted;

    let family: CredentialFamily | null = null;
    try {
      family = resolveFamily(leaf, options.familyMapping, chain.anchor.families);
    } catch (error) {
      if (validateOptions.requireFamily !== false || chain.anchor.families) throw error;
    }
    const leafRevocation = await checkRevocation(options.revocation, leaf, chain.certs[0], 0, at);
    const path = [leaf, ...chain.certs];
    return {
      valid: true,
      code: 'ok',
      message: `"${leaf.subjectDn}" is valid${family ? ` (${family})` : ''}.`,
      family,
      subject: subjectFields(leaf.asn.tbsCertificate.subject, leaf.subjectDn),
      directoryAttributes: directoryAttributes(leaf),
      policies: leaf.extensions.policies,
      serialNumber: leaf.serialNumber,
      issuer: leaf.issuerDn,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      fingerprint: leaf.fingerprint,
      path: path.map((cert, position) => summarize(cert, position, position === path.length - 1)),
      revocation: combineRevocation(accepted.revocation, leafRevocation),
      chainCache: accepted.cacheHit ? 'hit' : 'miss',
    };
  }

  return {
    async validate(input, validateOptions) {
      counters.validations++;
      try {
        return await run(input, validateOptions);
      } catch (error) {
        if (!(error instanceof CertificateValidationError)) throw error;
        return {
          valid: false,
          code: error.code,
          message: error.message,
          position: error.certificate?.position,
          subject: error.certificate?.subject,
        };
      }
    },
    setAnchors(inputs) {
      anchors = loadAnchors(inputs);
      anchorPool = new CertificatePool([...anchors.values()].map((anchor) => anchor.cert));
      anchorSetVersion++;
      cache.clear();
    },
    setIntermediates(inputs) {
      intermediatePool = new CertificatePool(inputs.flatMap(parseAll));
    },
    get anchorSetVersion() {
      return anchorSetVersion;
    },
    stats() {
      return { ...counters, signatureChecks: verifier.checks, cachedChains: cache.size };
    },
    clearCache() {
      cache.clear();
      parsed.clear();
    },
  };
}
