import { readFileSync } from 'node:fs';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { DomainError } from '../common/errors/domain-error';
import {
  CA_FAMILIES,
  CA_REVOCATION_REASONS,
  CaRevocationService,
  CrlService,
  DevPkiService,
  HsmUnavailableError,
  isCaFamily,
  isCaRevocationReason,
  isRevocationPolicy,
  isRevocationReason,
  REVOCATION_POLICIES,
  OcspResponderService,
  PKI_VERIFY_USAGE,
  REVOCATION_REASONS,
  RevocationService,
  trustEntry,
  TrustInputError,
  TrustStoreService,
  type CaCertificate,
  type RevocationPolicyCode,
} from '../modules/certificates';
import { ChangeCommand, cliActor, failInput, GroupCommand, JsonCommand, printResult } from './cli-output';

interface Flags {
  json?: boolean;
  dryRun?: boolean;
}



/** Known failures as input problems (exit 2); anything else propagates (exit 1). */
function failKnown(json: boolean | undefined, error: unknown): void {
  if (error instanceof TrustInputError) return failInput(json, error.problems);
  if (error instanceof HsmUnavailableError) return failInput(json, [`hsm: ${error.message}`]);
  if (error instanceof DomainError) return failInput(json, [`${error.code}${Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : ''}`]);
  throw error;
}

function trustLine(ca: CaCertificate): string {
  const state = ca.enabled ? 'enabled ' : 'disabled';
  return `${String(ca.id).padStart(4)} ${ca.slug.padEnd(28)} ${ca.family.padEnd(7)} ${ca.role.padEnd(8)} ${state} ${ca.source.padEnd(8)} ${ca.notAfter.toISOString().slice(0, 10)}  ${ca.subjectDn}\n       sha256 ${ca.fingerprint}`;
}

// ---------------------------------------------------------------------------------------------
// pki trust add | list | disable
// ---------------------------------------------------------------------------------------------

@SubCommand({
  name: 'add',
  arguments: '<file>',
  description: 'add a CA certificate (PEM or DER) to the trust store, enabled; checks that it is a CA certificate',
})
export class PkiTrustAddCommand extends ChangeCommand {
  constructor(private readonly trustStore: TrustStoreService) {
    super();
  }

  async run([file]: string[], flags: Flags & { family?: string; role?: string; crlUrl?: string; ocspUrl?: string; revocation?: string } = {}): Promise<void> {
    const problems: string[] = [];
    if (!isCaFamily(flags.family)) problems.push(`family: one of ${CA_FAMILIES.join(', ')} (--family)`);
    if (flags.role !== undefined && flags.role !== 'root' && flags.role !== 'issuing') problems.push('role: root or issuing');
    let certificate: Buffer | undefined;
    try {
      certificate = readFileSync(file);
    } catch (error) {
      problems.push(`file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (problems.length || !certificate || !isCaFamily(flags.family)) return failInput(flags.json, problems);
    const input = {
      certificate: new Uint8Array(certificate),
      family: flags.family,
      role: flags.role as 'root' | 'issuing' | undefined,
      crlUrl: flags.crlUrl,
      ocspUrl: flags.ocspUrl,
      revocationPolicy: flags.revocation as RevocationPolicyCode | undefined,
    };
    try {
      if (flags.dryRun) {
        const inspected = await this.trustStore.inspect(input);
        printResult(flags.json, { dryRun: true, wouldAdd: { family: input.family, role: inspected.role, subject: inspected.cert.subject, fingerprint: inspected.fingerprint } }, [
          `Would add ${inspected.cert.subject} (${input.family} ${inspected.role}). Nothing changed.`,
        ]);
        return;
      }
      const added = await this.trustStore.add(input, cliActor());
      printResult(flags.json, { added: trustEntry(added) }, [`Added ${added.slug}: ${added.subjectDn} (${added.family} ${added.role}).`, `  sha256 ${added.fingerprint}`]);
    } catch (error) {
      failKnown(flags.json, error);
    }
  }

  @Option({ flags: '--family <family>', description: `credential family: ${CA_FAMILIES.join(' | ')}` })
  parseFamily(v: string) {
    return v;
  }
  @Option({ flags: '--role <role>', description: 'root (a trust anchor) | issuing (an intermediate); default: root when self-issued' })
  parseRole(v: string) {
    return v;
  }
  @Option({ flags: '--crl-url <url>', description: "where this CA publishes its CRL (fetched by the 'crl-refresh' job)" })
  parseCrlUrl(v: string) {
    return v;
  }
  @Option({ flags: '--revocation <policy>', description: `how sign-in checks revocation under this CA: ${REVOCATION_POLICIES.join(' | ')} (default ocsp-first)` })
  parseRevocation(v: string) {
    return v;
  }
  @Option({ flags: '--ocsp-url <url>', description: "the OCSP responder to ask instead of the certificates' authorityInfoAccess address" })
  parseOcspUrl(v: string) {
    return v;
  }
}

@SubCommand({
  name: 'revocation',
  arguments: '<fingerprint|id|slug>',
  description: "how sign-in checks revocation under an anchor: --policy ocsp-first | crl-only | both, and --ocsp-url <url> (or 'aia': the certificates' own address)",
})
export class PkiTrustRevocationCommand extends ChangeCommand {
  constructor(private readonly trustStore: TrustStoreService) {
    super();
  }

  async run([reference]: string[], flags: Flags & { policy?: string; ocspUrl?: string } = {}): Promise<void> {
    const target = await this.trustStore.find(reference ?? '');
    const problems: string[] = [];
    if (!target) problems.push(`reference: no CA certificate "${reference ?? ''}" (give its id, slug or SHA-256 fingerprint)`);
    if (!isRevocationPolicy(flags.policy)) problems.push(`policy: one of ${REVOCATION_POLICIES.join(', ')} (--policy)`);
    if (problems.length || !target || !isRevocationPolicy(flags.policy)) return failInput(flags.json, problems);
    const ocspUrl = flags.ocspUrl === undefined ? target.ocspUrl : flags.ocspUrl === 'aia' ? null : flags.ocspUrl;
    const change = { policy: flags.policy, ocspUrl };
    try {
      if (flags.dryRun) {
        if (ocspUrl !== null && !/^https?:\/\/\S+$/.test(ocspUrl)) return failInput(flags.json, ['ocsp-url: an http(s) URL']);
        printResult(flags.json, { dryRun: true, wouldSet: { slug: target.slug, revocationPolicy: change.policy, ocspUrl } }, [
          `Would check revocation under ${target.slug} with ${change.policy}${ocspUrl ? ` (OCSP at ${ocspUrl})` : ''}. Nothing changed.`,
        ]);
        return;
      }
      const saved = await this.trustStore.setRevocation(String(target.id), change, cliActor());
      printResult(flags.json, { updated: trustEntry(saved) }, [`${saved.slug}: revocation ${saved.revocationPolicy}${saved.ocspUrl ? `, OCSP at ${saved.ocspUrl}` : ''}.`]);
    } catch (error) {
      failKnown(flags.json, error);
    }
  }

  @Option({ flags: '--policy <policy>', description: REVOCATION_POLICIES.join(' | ') })
  parsePolicy(v: string) {
    return v;
  }
  @Option({ flags: '--ocsp-url <url>', description: "an http(s) URL, or 'aia' for the address in the certificates" })
  parseOcspUrl(v: string) {
    return v;
  }
}

@SubCommand({ name: 'list', description: 'list the trust store (enabled and disabled CA certificates)' })
export class PkiTrustListCommand extends JsonCommand {
  constructor(private readonly trustStore: TrustStoreService) {
    super();
  }

  async run(_params: string[], flags: Flags = {}): Promise<void> {
    const cas = await this.trustStore.list();
    printResult(
      flags.json,
      { cas: cas.map(trustEntry) },
      cas.length ? cas.map(trustLine) : ['The trust store is empty. Add CAs with: npm run cli -- pki trust add --help (or pki dev-init in development)'],
    );
  }
}

@SubCommand({ name: 'disable', arguments: '<fingerprint|id|slug>', description: 'disable a CA certificate: it no longer anchors or chains anything' })
export class PkiTrustDisableCommand extends ChangeCommand {
  constructor(private readonly trustStore: TrustStoreService) {
    super();
  }

  async run([reference]: string[], flags: Flags = {}): Promise<void> {
    const target = await this.trustStore.find(reference);
    if (!target) return failInput(flags.json, [`reference: no CA certificate "${reference}" (give its id, slug or SHA-256 fingerprint)`]);
    if (!target.enabled) return failInput(flags.json, [`reference: ${target.slug} is already disabled`]);
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, wouldDisable: trustEntry(target) }, [`Would disable ${target.slug} (${target.subjectDn}). Nothing changed.`]);
      return;
    }
    try {
      const disabled = await this.trustStore.disable(String(target.id), cliActor());
      printResult(flags.json, { disabled: trustEntry(disabled) }, [`Disabled ${disabled.slug} (${disabled.subjectDn}).`]);
    } catch (error) {
      failKnown(flags.json, error);
    }
  }
}

@SubCommand({
  name: 'trust',
  description: 'the trust store: add, list, disable, revocation',
  subCommands: [PkiTrustAddCommand, PkiTrustListCommand, PkiTrustDisableCommand, PkiTrustRevocationCommand],
})
export class PkiTrustCommand extends GroupCommand {}

// ---------------------------------------------------------------------------------------------
// pki dev-init
// ---------------------------------------------------------------------------------------------

@SubCommand({
  name: 'dev-init',
  description: 'development PKI: the CA token (if missing) and a root and an issuing CA per family, keys on the token, trusted; idempotent; not in production',
})
export class PkiDevInitCommand extends ChangeCommand {
  constructor(private readonly devPki: DevPkiService) {
    super();
  }

  async run(_params: string[], flags: Flags = {}): Promise<void> {
    try {
      const report = await this.devPki.init({ dryRun: flags.dryRun, actor: cliActor() });
      printResult(flags.json, { ...report }, [
        `${report.dryRun ? 'Would initialise (nothing changed)' : 'Development PKI'}: token "${report.token.label}" ${report.token.status}`,
        ...report.cas.map((ca) => `  ${ca.status.padEnd(12)} ${(ca.slug ?? '').padEnd(18)} ${ca.subject}${ca.detail ? `  (${ca.detail})` : ''}`),
        ...(report.crls.length ? [`  CRLs published: ${report.crls.map((crl) => `${crl.slug} #${crl.crlNumber}`).join(', ')}`] : []),
      ]);
    } catch (error) {
      failKnown(flags.json, error);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// pki crl refresh
// ---------------------------------------------------------------------------------------------

@SubCommand({ name: 'refresh', description: "re-sign our CAs' CRLs that need it (all with --force) and fetch the other CAs' CRLs" })
export class PkiCrlRefreshCommand extends JsonCommand {
  constructor(
    private readonly crls: CrlService,
    private readonly trustStore: TrustStoreService,
  ) {
    super();
  }

  async run(_params: string[], flags: Flags & { force?: boolean; issuer?: string } = {}): Promise<void> {
    let issuerId: number | undefined;
    if (flags.issuer !== undefined) {
      const ca = await this.trustStore.find(flags.issuer);
      if (!ca) return failInput(flags.json, [`issuer: no CA certificate "${flags.issuer}"`]);
      issuerId = ca.id;
    }
    try {
      const report = await this.crls.refresh({ issuerId, force: flags.force, actor: cliActor() });
      printResult(flags.json, { ...report }, [
        report.published.length ? 'Published:' : 'No CRL of ours needed re-signing (use --force to re-sign all).',
        ...report.published.map((crl) => `  ${crl.slug.padEnd(18)} #${crl.crlNumber}  ${crl.entries} entr${crl.entries === 1 ? 'y' : 'ies'}, next update ${crl.nextUpdate.toISOString()}`),
        ...report.fetched.map((crl) => `  fetched ${crl.slug}: ${crl.outcome}${crl.detail ? ` (${crl.detail})` : ''}`),
      ]);
    } catch (error) {
      failKnown(flags.json, error);
    }
  }

  @Option({ flags: '--force', description: 're-sign every CRL of ours even when fresh' })
  parseForce(): boolean {
    return true;
  }
  @Option({ flags: '--issuer <id|slug|fingerprint>', description: 'only this CA' })
  parseIssuer(v: string) {
    return v;
  }
}

@SubCommand({ name: 'crl', description: 'certificate revocation lists: refresh', subCommands: [PkiCrlRefreshCommand] })
export class PkiCrlCommand extends GroupCommand {}

// ---------------------------------------------------------------------------------------------
// pki cert revoke | hold | release
// ---------------------------------------------------------------------------------------------

abstract class RevocationCommand extends ChangeCommand {
  constructor(protected readonly revocation: RevocationService) {
    super();
  }

  protected async apply(reference: string, flags: Flags & { version?: string }, act: (id: number, version: number | undefined) => Promise<{ id: number; serialHex: string; status: string; revocationReason: string | null; version: number }>): Promise<void> {
    const id = Number(reference);
    const problems: string[] = [];
    if (!/^\d{1,9}$/.test(reference ?? '')) problems.push('id: the issued certificate id (a number)');
    if (flags.version !== undefined && !/^\d{1,9}$/.test(flags.version)) problems.push('version: a number');
    if (problems.length) return failInput(flags.json, problems);
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, id }, [`Would change certificate ${id}. Nothing changed.`]);
      return;
    }
    try {
      const row = await act(id, flags.version === undefined ? undefined : Number(flags.version));
      printResult(flags.json, { id: row.id, serial: row.serialHex, status: row.status, reason: row.revocationReason, version: row.version }, [
        `Certificate ${row.id} (serial ${row.serialHex}) is now ${row.status}${row.revocationReason ? ` (${row.revocationReason})` : ''}; its CRL is re-signed by the worker.`,
      ]);
    } catch (error) {
      failKnown(flags.json, error);
    }
  }

  @Option({ flags: '--version <n>', description: 'fail if the certificate changed since you saw this version' })
  parseVersion(v: string) {
    return v;
  }
}

@SubCommand({ name: 'revoke', arguments: '<id>', description: 'revoke an issued certificate with a CRL reason' })
export class PkiCertRevokeCommand extends RevocationCommand {
  constructor(revocation: RevocationService) {
    super(revocation);
  }

  async run([reference]: string[], flags: Flags & { version?: string; reason?: string } = {}): Promise<void> {
    if (!isRevocationReason(flags.reason)) return failInput(flags.json, [`reason: one of ${REVOCATION_REASONS.join(', ')} (--reason)`]);
    const reason = flags.reason;
    await this.apply(reference, flags, (id, expectedVersion) => this.revocation.revoke(id, reason, { expectedVersion, actor: cliActor() }));
  }

  @Option({ flags: '--reason <reason>', description: REVOCATION_REASONS.join(' | ') })
  parseReason(v: string) {
    return v;
  }
}

@SubCommand({ name: 'hold', arguments: '<id>', description: 'suspend an issued certificate (CRL reason certificateHold)' })
export class PkiCertHoldCommand extends RevocationCommand {
  constructor(revocation: RevocationService) {
    super(revocation);
  }

  async run([reference]: string[], flags: Flags & { version?: string } = {}): Promise<void> {
    await this.apply(reference, flags, (id, expectedVersion) => this.revocation.hold(id, { expectedVersion, actor: cliActor() }));
  }
}

@SubCommand({ name: 'release', arguments: '<id>', description: 'resume a suspended certificate (taken off the next CRL)' })
export class PkiCertReleaseCommand extends RevocationCommand {
  constructor(revocation: RevocationService) {
    super(revocation);
  }

  async run([reference]: string[], flags: Flags & { version?: string } = {}): Promise<void> {
    await this.apply(reference, flags, (id, expectedVersion) => this.revocation.release(id, { expectedVersion, actor: cliActor() }));
  }
}

@SubCommand({ name: 'cert', description: 'certificates our CAs issued: revoke, hold, release', subCommands: [PkiCertRevokeCommand, PkiCertHoldCommand, PkiCertReleaseCommand] })
export class PkiCertCommand extends GroupCommand {}

// ---------------------------------------------------------------------------------------------
// pki ca revoke
// ---------------------------------------------------------------------------------------------

@SubCommand({
  name: 'revoke',
  arguments: '<ca>',
  description:
    "revoke one of our issuing CAs (id, slug or SHA-256 fingerprint): its parent's CRL (re-signed at once) and OCSP answer revoked, and sign-ins with certificates under it fail with 'revoked'",
})
export class PkiCaRevokeCommand extends ChangeCommand {
  constructor(
    private readonly trustStore: TrustStoreService,
    private readonly caRevocation: CaRevocationService,
  ) {
    super();
  }

  async run([reference]: string[], flags: Flags & { reason?: string } = {}): Promise<void> {
    const problems: string[] = [];
    if (!isCaRevocationReason(flags.reason)) problems.push(`reason: one of ${CA_REVOCATION_REASONS.join(', ')} (--reason)`);
    const ca = reference ? await this.trustStore.find(reference) : null;
    if (!ca) problems.push(`ca: no CA certificate "${reference ?? ''}" (give its id, slug or SHA-256 fingerprint)`);
    if (problems.length || !ca || !isCaRevocationReason(flags.reason)) return failInput(flags.json, problems);
    const reason = flags.reason;
    try {
      if (flags.dryRun) {
        const plan = await this.caRevocation.plan(ca);
        printResult(flags.json, { dryRun: true, wouldRevoke: { ...trustEntry(ca), reason, parent: plan.parent.slug } }, [
          `Would revoke ${ca.slug} (${ca.subjectDn}) for ${reason}, on the CRL and OCSP of ${plan.parent.slug}. Nothing changed.`,
        ]);
        return;
      }
      const result = await this.caRevocation.revoke(ca, reason, cliActor());
      printResult(
        flags.json,
        { revoked: { ...trustEntry(ca), reason, parent: result.parent.slug, issuedCertificateId: result.revoked.id, serial: result.revoked.serialHex }, crl: result.crl },
        [
          `Revoked ${ca.slug} (${ca.subjectDn}) for ${reason}.`,
          `  ${result.parent.slug}'s OCSP answers revoked now${result.crl ? `; its CRL #${result.crl.crlNumber} lists it (${result.crl.entries} entr${result.crl.entries === 1 ? 'y' : 'ies'})` : ''}.`,
        ],
      );
    } catch (error) {
      failKnown(flags.json, error);
    }
  }

  @Option({ flags: '--reason <reason>', description: CA_REVOCATION_REASONS.join(' | ') })
  parseReason(v: string) {
    return v;
  }
}

@SubCommand({ name: 'ca', description: 'our CAs: revoke an issuing CA', subCommands: [PkiCaRevokeCommand] })
export class PkiCaCommand extends GroupCommand {}

// ---------------------------------------------------------------------------------------------
// pki ocsp-responder rotate
// ---------------------------------------------------------------------------------------------

@SubCommand({
  name: 'rotate',
  description: "issue a new OCSP responder certificate (new key on the HSM) for each of our CAs, or one (--ca); every web process signs with it at once",
})
export class PkiOcspResponderRotateCommand extends ChangeCommand {
  constructor(
    private readonly trustStore: TrustStoreService,
    private readonly ocsp: OcspResponderService,
  ) {
    super();
  }

  async run(_params: string[], flags: Flags & { ca?: string } = {}): Promise<void> {
    let cas: CaCertificate[];
    if (flags.ca !== undefined) {
      const ca = await this.trustStore.find(flags.ca);
      if (!ca) return failInput(flags.json, [`ca: no CA certificate "${flags.ca}"`]);
      if (!ca.hsmKeyLabel) return failInput(flags.json, [`ca: ${ca.slug} is not one of ours (its key is not on our HSM)`]);
      cas = [ca];
    } else {
      cas = (await this.trustStore.list()).filter((ca) => ca.hsmKeyLabel && ca.enabled);
    }
    try {
      if (flags.dryRun) {
        const current = await Promise.all(cas.map(async (ca) => ({ ca: ca.slug, current: (await this.ocsp.currentResponder(ca))?.serialHex ?? null })));
        printResult(flags.json, { dryRun: true, wouldRotate: current }, [
          ...current.map((entry) => `Would issue a new OCSP responder certificate for ${entry.ca} (now: ${entry.current ?? 'none'}).`),
          'Nothing changed.',
        ]);
        return;
      }
      const rotated = [];
      for (const ca of cas) {
        const { previous, current } = await this.ocsp.rotate(ca, cliActor());
        rotated.push({ ca: ca.slug, previous: previous?.serialHex ?? null, current: current.serialHex, notAfter: current.notAfter.toISOString() });
      }
      printResult(flags.json, { rotated }, rotated.length ? rotated.map((entry) => `${entry.ca}: responder ${entry.previous ?? '(none)'} -> ${entry.current}, valid until ${entry.notAfter}`) : ['No CA of ours to rotate.']);
    } catch (error) {
      failKnown(flags.json, error);
    }
  }

  @Option({ flags: '--ca <id|slug|fingerprint>', description: 'only this CA' })
  parseCa(v: string) {
    return v;
  }
}

@SubCommand({ name: 'ocsp-responder', description: "our OCSP responder's certificates: rotate", subCommands: [PkiOcspResponderRotateCommand] })
export class PkiOcspResponderCommand extends GroupCommand {}

// ---------------------------------------------------------------------------------------------
// pki verify (normally run by src/cli.ts before Nest starts; listed here for `pki --help`)
// ---------------------------------------------------------------------------------------------

@SubCommand({ name: 'verify', description: 'validate a certificate chain from files, without the database (pki verify --help)' })
export class PkiVerifyCommand extends CommandRunner {
  async run(): Promise<void> {
    process.stdout.write(PKI_VERIFY_USAGE);
  }
}

@Command({
  name: 'pki',
  description: 'certificates: trust store, development PKI, CRLs, revocation (certificates and CAs), OCSP responder, chain verification',
  subCommands: [PkiTrustCommand, PkiDevInitCommand, PkiCrlCommand, PkiCertCommand, PkiCaCommand, PkiOcspResponderCommand, PkiVerifyCommand],
})
export class PkiCommand extends GroupCommand {}

/** Every provider of the pki command tree, for CliModule. */
export const PKI_COMMANDS = [
  PkiCommand,
  PkiTrustCommand,
  PkiTrustAddCommand,
  PkiTrustListCommand,
  PkiTrustDisableCommand,
  PkiTrustRevocationCommand,
  PkiDevInitCommand,
  PkiCrlCommand,
  PkiCrlRefreshCommand,
  PkiCertCommand,
  PkiCertRevokeCommand,
  PkiCertHoldCommand,
  PkiCertReleaseCommand,
  PkiCaCommand,
  PkiCaRevokeCommand,
  PkiOcspResponderCommand,
  PkiOcspResponderRotateCommand,
  PkiVerifyCommand,
];
