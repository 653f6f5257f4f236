import { randomBytes, randomInt } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, Option, SubCommand } from 'nest-commander';
import { DomainError } from '../common/errors/domain-error';
import { validateNationalId } from '../common/identifiers';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CertificateIssuer, HsmService, HsmUnavailableError, IssueInputError, type CredentialFamilyCode, type LeafSubject, type SubjectKind } from '../modules/certificates';
import { DEMO_FIXTURES, DEMO_PERSONNEL, findDemoInstitution, ReferenceService } from '../modules/reference';
import { assertTokenLabel, createDevelopmentCard, createNhiDevelopmentCard, TokenError, writeCardCertificate, type KeyType } from '../shared/pkcs11';
import { CARD_PIN_PATTERN } from '../shared/web-eid';
import { ChangeCommand, cliActor, failInput, GroupCommand, printResult } from './cli-output';
import { DevGenerateCommand } from './reporting.command';

const CARD_TYPES = ['personnel', 'institution', 'citizen', 'organization', 'nhi'] as const;
type CardType = (typeof CARD_TYPES)[number];
const ORG_TYPES = ['xca', 'gca', 'moeaca'] as const;
type OrgType = (typeof ORG_TYPES)[number];
const KEY_TYPES: readonly KeyType[] = ['ec-p256', 'rsa-2048'];
const PUK_PATTERN = /^\d{8}$/;

interface CreateFlags {
  type?: string;
  orgType?: string;
  nationalId?: string;
  institutionCode?: string;
  businessNumber?: string;
  agencyOid?: string;
  name?: string;
  pin?: string;
  puk?: string;
  label?: string;
  key?: string;
  opened?: boolean;
  json?: boolean;
  dryRun?: boolean;
}

/** Demo organisations for organization cards (fictional; the business number passes its checksum). */
const DEMO_ORGANIZATIONS: Record<OrgType, LeafSubject> = {
  xca: { name: '示範健康促進協會', agencyOid: '2.16.886.1.100.99.1' },
  gca: { name: '示範市政府衛生局', organization: '示範市政府', agencyOid: '2.16.886.101.99999.1' },
  moeaca: { name: '示範醫療器材股份有限公司', businessNumber: '04595252' },
};

/** The issuing family, subject kind and subject of a card (demo defaults where nothing is given). */
function cardSubject(type: Exclude<CardType, 'nhi'>, orgType: OrgType, flags: CreateFlags): { family: CredentialFamilyCode; kind: SubjectKind; subject: LeafSubject } {
  switch (type) {
    case 'personnel':
    case 'citizen': {
      const id = flags.nationalId?.trim().toUpperCase();
      const demo = id ? DEMO_PERSONNEL.find((p) => p.nationalId === id) : DEMO_FIXTURES.physicianAtInitialReviewHospital;
      const nationalId = id ?? demo?.nationalId;
      const name = flags.name ?? demo?.nameZh ?? (type === 'personnel' ? '測試醫事人員' : '測試自然人');
      if (type === 'citizen') return { family: 'moica', kind: 'citizen', subject: { name, nationalId } };
      const institution = demo ? findDemoInstitution(demo.homeInstitutionCode) : undefined;
      return { family: 'hca', kind: 'personnel', subject: { name, nationalId, organization: institution?.nameZh } };
    }
    case 'institution': {
      const code = flags.institutionCode?.replace(/[\s-]+/g, '') ?? DEMO_FIXTURES.initialReviewHospital.code;
      const demo = findDemoInstitution(code);
      return { family: 'hca', kind: 'institution', subject: { name: flags.name ?? demo?.nameZh ?? '測試醫事機構', institutionCode: code } };
    }
    case 'organization': {
      const demo = DEMO_ORGANIZATIONS[orgType];
      const subject: LeafSubject = { ...demo, name: flags.name ?? demo.name };
      if (flags.businessNumber !== undefined) subject.businessNumber = flags.businessNumber;
      if (flags.agencyOid !== undefined) subject.agencyOid = flags.agencyOid;
      const kind: SubjectKind = orgType === 'moeaca' ? 'company' : orgType === 'gca' ? 'agency' : 'organization';
      return { family: orgType, kind, subject };
    }
  }
}

function randomPuk(): string {
  return Array.from({ length: 8 }, () => randomInt(10)).join('');
}

@SubCommand({
  name: 'create',
  description:
    'make a development card: a SoftHSM2 token (label card-...) with a key generated on it and a certificate from the development CA of its family; prints the label, slot, serial and subject (and a generated PUK)',
})
export class DevCardCreateCommand extends ChangeCommand {
  constructor(
    private readonly hsm: HsmService,
    private readonly issuer: CertificateIssuer,
    private readonly reference: ReferenceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** An NHI card (健保卡): the holder from the insured-person registry, no PIN, a card from the development NHI card CA. */
  private async nhiSubject(flags: CreateFlags, problems: string[]): Promise<{ family: CredentialFamilyCode; kind: SubjectKind; subject: LeafSubject } | null> {
    const nationalId = (flags.nationalId ?? DEMO_FIXTURES.physicianAtInitialReviewHospital.nationalId).trim().toUpperCase();
    const insured = await this.reference.insuredByNationalId(nationalId);
    if (!insured) {
      problems.push('national-id: not in the insured-person registry (run `npm run cli -- seed` for the demo data)');
      return null;
    }
    return { family: 'nhi', kind: 'nhi-card', subject: { name: flags.name ?? insured.nameZh, cardNumber: insured.cardNumber } };
  }

  async run(_params: string[], flags: CreateFlags = {}): Promise<void> {
    const problems: string[] = [];
    if (this.config.nodeEnv === 'production') problems.push('development cards are not made in production');
    const type = flags.type as CardType;
    if (!(CARD_TYPES as readonly string[]).includes(type)) problems.push(`type: one of ${CARD_TYPES.join(', ')} (--type)`);
    const orgType = (flags.orgType ?? 'xca') as OrgType;
    if (!(ORG_TYPES as readonly string[]).includes(orgType)) problems.push(`org-type: one of ${ORG_TYPES.join(', ')}`);
    if (type !== 'nhi' && !CARD_PIN_PATTERN.test(flags.pin ?? '')) problems.push('pin: 6 to 8 digits (--pin)');
    if (type === 'nhi' && flags.pin !== undefined) problems.push('pin: an NHI card has no PIN (leave out --pin)');
    if (flags.puk !== undefined && !PUK_PATTERN.test(flags.puk)) problems.push('puk: 8 digits');
    const keyType = (flags.key ?? 'ec-p256') as KeyType;
    if (!KEY_TYPES.includes(keyType)) problems.push(`key: one of ${KEY_TYPES.join(', ')}`);
    const label = flags.label ?? `card-${type}-${randomBytes(3).toString('hex')}`;
    if (!label.startsWith('card-')) problems.push('label: must start with "card-" (the reader helper shows only those tokens)');
    try {
      assertTokenLabel(label);
    } catch {
      problems.push('label: 1 to 32 bytes, no surrounding blanks');
    }
    if (flags.nationalId !== undefined && !validateNationalId(flags.nationalId).ok) problems.push('national-id: not a valid national ID or resident certificate number');
    if (problems.length) return failInput(flags.json, problems);

    const made = type === 'nhi' ? await this.nhiSubject(flags, problems) : cardSubject(type, orgType, flags);
    if (!made) return failInput(flags.json, problems);
    const { family, kind, subject } = made;
    // Everything the CA checks, before any token is made.
    const request = { family, subjectType: kind, subject, holderRef: `dev-card:${label}` };
    problems.push(...this.issuer.problems(request));
    try {
      await this.issuer.issuingCa(family);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      problems.push(`no issuing CA of family ${family}: run \`npm run cli -- pki dev-init\` first`);
    }
    try {
      if (this.hsm.module().findToken(label)) problems.push(`label: a token labelled "${label}" already exists`);
    } catch (error) {
      if (!(error instanceof HsmUnavailableError || error instanceof TokenError)) throw error;
      problems.push(`hsm: ${(error as Error).message}`);
    }
    if (problems.length) return failInput(flags.json, problems);
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, wouldCreate: { label, type, family, subjectType: kind, keyType, opened: !!flags.opened } }, [
        `Would create ${label} (${type}, ${family.toUpperCase()} certificate, ${keyType}). Nothing changed.`,
      ]);
      return;
    }

    const puk = flags.puk ?? randomPuk();
    try {
      const card =
        type === 'nhi'
          ? createNhiDevelopmentCard({ module: this.hsm.module(), label, cardNumber: subject.cardNumber as string, soPin: puk, keyType })
          : createDevelopmentCard({ module: this.hsm.module(), label, pin: flags.pin as string, soPin: puk, keyType, opened: !!flags.opened });
      const issued = await this.issuer.issue({ ...request, spki: card.spki }, cliActor());
      const written = writeCardCertificate({ module: this.hsm.module(), label, soPin: puk, certificate: issued.der });
      const result = {
        label: card.label,
        slot: card.slot,
        tokenSerial: card.serial,
        keyId: written.keyId,
        keyType,
        opened: type === 'nhi' || !!flags.opened,
        ...(type === 'nhi' ? { nhiCardNumber: subject.cardNumber } : {}),
        certificate: {
          id: issued.id,
          serialNumber: issued.serialHex,
          subject: issued.subjectDn,
          issuer: issued.issuer.subjectDn,
          notBefore: issued.notBefore.toISOString(),
          notAfter: issued.notAfter.toISOString(),
        },
        ...(flags.puk === undefined ? { puk } : {}),
      };
      printResult(flags.json, result, [
        `Created card ${card.label} in slot ${card.slot} (token serial ${card.serial}), ${keyType} key ${written.keyId}${type === 'nhi' ? `, NHI card number ${subject.cardNumber}, no PIN` : flags.opened ? ', opened' : ', not yet opened'}.`,
        `  certificate ${issued.serialHex}: ${issued.subjectDn}`,
        `  issued by   ${issued.issuer.subjectDn}, valid until ${issued.notAfter.toISOString()}`,
        ...(flags.puk === undefined ? [`  PUK: ${puk} (shown only now)`] : []),
      ]);
    } catch (error) {
      if (error instanceof IssueInputError) return failInput(flags.json, error.problems);
      if (error instanceof HsmUnavailableError || error instanceof TokenError) return failInput(flags.json, [`hsm: ${error.message}`]);
      throw error;
    }
  }

  @Option({ flags: '--type <type>', description: 'personnel | institution | citizen | organization | nhi (健保卡: no PIN; the card number comes from the insured-person registry)' })
  parseType(v: string) {
    return v;
  }
  @Option({ flags: '--org-type <ca>', description: 'organization cards: xca (default) | gca | moeaca' })
  parseOrgType(v: string) {
    return v;
  }
  @Option({ flags: '--national-id <id>', description: 'personnel / citizen / nhi (default: the first demo professional)' })
  parseNationalId(v: string) {
    return v;
  }
  @Option({ flags: '--institution-code <code>', description: 'institution cards: 10 digits (default: a demo hospital)' })
  parseInstitutionCode(v: string) {
    return v;
  }
  @Option({ flags: '--business-number <number>', description: 'moeaca organization cards: 8 digits' })
  parseBusinessNumber(v: string) {
    return v;
  }
  @Option({ flags: '--agency-oid <oid>', description: 'gca / xca organization cards: the body\'s OID' })
  parseAgencyOid(v: string) {
    return v;
  }
  @Option({ flags: '--name <name>', description: "holder's name (CN); default from the demo data" })
  parseName(v: string) {
    return v;
  }
  @Option({ flags: '--pin <pin>', description: 'the card PIN: 6 to 8 digits (not for nhi cards)' })
  parsePin(v: string) {
    return v;
  }
  @Option({ flags: '--puk <puk>', description: 'the PUK (the token SO PIN): 8 digits; generated and printed when absent' })
  parsePuk(v: string) {
    return v;
  }
  @Option({ flags: '--label <label>', description: 'token label, starting with "card-" (default card-<type>-<random>)' })
  parseLabel(v: string) {
    return v;
  }
  @Option({ flags: '--key <type>', description: 'ec-p256 (default) | rsa-2048' })
  parseKey(v: string) {
    return v;
  }
  @Option({ flags: '--opened', description: 'the card starts opened (開卡); default not yet opened' })
  parseOpened(): boolean {
    return true;
  }
}

@SubCommand({ name: 'card', description: 'development cards (SoftHSM2 tokens): create', subCommands: [DevCardCreateCommand] })
export class DevCardCommand extends GroupCommand {}

@Command({ name: 'dev', description: 'development helpers (not for production): cards, synthetic cases', subCommands: [DevCardCommand, DevGenerateCommand] })
export class DevCommand extends GroupCommand {}

/** Every provider of the dev command tree, for CliModule. */
export const DEV_CARD_COMMANDS = [DevCommand, DevCardCommand, DevCardCreateCommand];
