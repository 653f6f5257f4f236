import { readFileSync } from 'node:fs';
import { Command, Option, SubCommand } from 'nest-commander';
import { isRole, type Role } from '../common/access/roles';
import { DomainError } from '../common/errors/domain-error';
import { maskCardNumber } from '../common/identifiers';
import { StaffService } from '../modules/auth';
import { TrustStoreService } from '../modules/certificates';
import { ChangeCommand, cliActor, failInput, GroupCommand, JsonCommand, printResult } from './cli-output';

interface CreateFlags {
  username?: string;
  name?: string;
  role?: string;
  county?: string;
  counter?: string;
  email?: string;
  json?: boolean;
  dryRun?: boolean;
}


@SubCommand({
  name: 'create',
  description: 'create a staff account; prints its one-time password and TOTP secret (shown once, hand them over in person)',
})
export class StaffCreateCommand extends ChangeCommand {
  constructor(private readonly staff: StaffService) {
    super();
  }

  async run(_params: string[], flags: CreateFlags = {}): Promise<void> {
    const role = flags.role ?? '';
    const input = {
      username: (flags.username ?? '').trim().toLowerCase(),
      displayName: (flags.name ?? '').trim(),
      role: role as Role,
      countyCode: flags.county ?? null,
      counterCode: flags.counter ?? null,
      email: flags.email ?? null,
    };
    const problems = isRole(role) ? await this.staff.validateNew(input) : [`role: one of counter_staff, county_reviewer, ministry_staff, admin (got "${role}")`];
    if (!flags.username) problems.unshift('username: required (--username)');
    if (problems.length) return failInput(flags.json, problems);
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, wouldCreate: input }, [`Would create ${input.username} (${input.role}). Nothing changed.`]);
      return;
    }
    const created = await this.staff.create(input, cliActor());
    printResult(
      flags.json,
      { username: created.account.username, role: created.account.role, password: created.password, totpSecret: created.totpSecret, otpauthUri: created.otpauthUri },
      [
        `Created ${created.account.username} (${created.account.role}).`,
        `  one-time password: ${created.password}`,
        `  TOTP secret:       ${created.totpSecret}`,
        `  authenticator URI: ${created.otpauthUri}`,
        'These are shown only now. Hand them over in person.',
      ],
    );
  }

  @Option({ flags: '--username <username>', description: 'sign-in name: 3-64 lowercase letters, digits, ".", "_", "-"' })
  parseUsername(v: string) {
    return v;
  }
  @Option({ flags: '--name <name>', description: 'display name, e.g. 王大明' })
  parseName(v: string) {
    return v;
  }
  @Option({ flags: '--role <role>', description: 'counter_staff | county_reviewer | ministry_staff | admin' })
  parseRole(v: string) {
    return v;
  }
  @Option({ flags: '--county <code>', description: 'county code (required for county_reviewer), e.g. 63000' })
  parseCounty(v: string) {
    return v;
  }
  @Option({ flags: '--counter <code>', description: 'registration counter code (required for counter_staff)' })
  parseCounter(v: string) {
    return v;
  }
  @Option({ flags: '--email <address>', description: 'e-mail for notifications (optional)' })
  parseEmail(v: string) {
    return v;
  }
}

@SubCommand({ name: 'list', description: 'list staff accounts' })
export class StaffListCommand extends JsonCommand {
  constructor(private readonly staff: StaffService) {
    super();
  }

  async run(_params: string[], flags: { json?: boolean } = {}): Promise<void> {
    const accounts = await this.staff.list();
    printResult(
      flags.json,
      { accounts },
      accounts.length
        ? accounts.map((a) => `${a.username.padEnd(20)} ${a.role.padEnd(16)} ${a.displayName}${a.disabledAt ? '  [disabled]' : ''}${a.lockedUntil && a.lockedUntil > new Date() ? '  [locked]' : ''}`)
        : ['No staff accounts yet. Create one with: npm run cli -- staff create --help'],
    );
  }
}

@SubCommand({ name: 'disable', arguments: '<username>', description: 'disable a staff account (it can no longer sign in)' })
export class StaffDisableCommand extends ChangeCommand {
  constructor(private readonly staff: StaffService) {
    super();
  }

  async run([username]: string[], flags: { json?: boolean; dryRun?: boolean } = {}): Promise<void> {
    const target = (await this.staff.list()).find((a) => a.username === username?.toLowerCase());
    if (!target) return failInput(flags.json, [`username: no staff account "${username}"`]);
    if (target.disabledAt) return failInput(flags.json, [`username: ${target.username} is already disabled`]);
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, wouldDisable: target.username }, [`Would disable ${target.username}. Nothing changed.`]);
      return;
    }
    try {
      const disabled = await this.staff.disable(target.username, cliActor());
      printResult(flags.json, { disabled: disabled.username, at: disabled.disabledAt }, [`Disabled ${disabled.username}.`]);
    } catch (err) {
      if (err instanceof DomainError) return failInput(flags.json, [err.code]);
      throw err;
    }
  }

}

@SubCommand({
  name: 'bind-cert',
  arguments: '<username>',
  description: "bind a staff member's citizen certificate (PEM or DER file) to the account, so they sign in with their card",
})
export class StaffBindCertCommand extends ChangeCommand {
  constructor(
    private readonly staff: StaffService,
    private readonly trustStore: TrustStoreService,
  ) {
    super();
  }

  async run([username]: string[], flags: { json?: boolean; dryRun?: boolean; cert?: string } = {}): Promise<void> {
    if (!flags.cert) return failInput(flags.json, ['cert: required (--cert <file>)']);
    let der: Buffer;
    try {
      der = readFileSync(flags.cert);
    } catch {
      return failInput(flags.json, [`cert: cannot read ${flags.cert}`]);
    }
    const target = (await this.staff.list()).find((a) => a.username === username?.toLowerCase());
    if (!target) return failInput(flags.json, [`username: no staff account "${username}"`]);
    const result = await this.trustStore.validate(der, { purpose: 'client-auth' });
    if (!result.valid) return failInput(flags.json, [`cert: not a valid certificate here (${result.code}: ${result.message})`]);
    if (result.family !== 'moica-citizen') return failInput(flags.json, [`cert: a citizen certificate (MOICA) is needed, this one is ${result.family ?? 'of no known family'}`]);
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, username: target.username, serial: result.serialNumber, issuer: result.issuer }, [`Would bind ${result.serialNumber} (${result.issuer}) to ${target.username}. Nothing changed.`]);
      return;
    }
    await this.staff.bindCertificate(target.username, result.serialNumber, result.issuer, cliActor());
    printResult(flags.json, { username: target.username, serial: result.serialNumber, issuer: result.issuer }, [`Bound certificate ${result.serialNumber} to ${target.username}.`]);
  }

  @Option({ flags: '--cert <file>', description: 'the citizen certificate, PEM or DER (e.g. read with the reader helper: GET /certificate)' })
  parseCert(v: string) {
    return v;
  }
}

@SubCommand({
  name: 'bind-nhi-card',
  arguments: '<username>',
  description: "bind an operator's NHI card (12-digit card number) to the account, so they sign in with the card and its registered password",
})
export class StaffBindNhiCardCommand extends ChangeCommand {
  constructor(private readonly staff: StaffService) {
    super();
  }

  async run([username]: string[], flags: { json?: boolean; dryRun?: boolean; cardNumber?: string } = {}): Promise<void> {
    const cardNumber = (flags.cardNumber ?? '').replace(/\s+/g, '');
    if (!/^\d{12}$/.test(cardNumber)) return failInput(flags.json, ['card-number: 12 digits (--card-number)']);
    const target = (await this.staff.list()).find((a) => a.username === username?.toLowerCase());
    if (!target) return failInput(flags.json, [`username: no staff account "${username}"`]);
    const masked = maskCardNumber(cardNumber);
    if (flags.dryRun) {
      printResult(flags.json, { dryRun: true, username: target.username, nhiCard: masked }, [`Would bind NHI card ${masked} to ${target.username}. Nothing changed.`]);
      return;
    }
    await this.staff.bindNhiCard(target.username, cardNumber, cliActor());
    printResult(flags.json, { username: target.username, nhiCard: masked }, [`Bound NHI card ${masked} to ${target.username}.`]);
  }

  @Option({ flags: '--card-number <number>', description: 'the NHI card number: 12 digits' })
  parseCardNumber(v: string) {
    return v;
  }
}

@Command({
  name: 'staff',
  description: 'staff accounts: create, list, disable, bind-cert, bind-nhi-card',
  subCommands: [StaffCreateCommand, StaffListCommand, StaffDisableCommand, StaffBindCertCommand, StaffBindNhiCardCommand],
})
export class StaffCommand extends GroupCommand {}
