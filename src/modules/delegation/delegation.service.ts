import { Injectable, type OnModuleInit } from '@nestjs/common';
import { visibleTo } from '../../common/access/access-policy';
import type { Principal } from '../../common/context/request-context';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { csvFile } from '../../common/tables/csv';
import type { FieldError } from '../../common/errors/domain-error';
import { checkText, listField, textField } from '../../common/forms';
import { maskNationalId, validateEmail, validateNationalId, validatePhone } from '../../common/identifiers';
import { translate } from '../../common/i18n/i18n';
import { isIsoDay, taipeiDay } from '../../common/time/taipei-day';
import { Database } from '../../core/database';
import { AuditService } from '../audit';
import { CertificateAccounts, SessionRegistry, type CertificateAccountRefusal } from '../auth';
import type { CredentialFamily, ValidationSuccess } from '../certificates';
import { CertificateReader, EmployerRegistryService, RegistrationService, type CardPresentation } from '../employer-registry';
import { NhiUnitAccounts } from '../nhi-card';
import { NotificationsService } from '../notifications';
import { delegationError } from './delegation.errors';
import { CREDENTIAL_TYPES, type Delegation, type OperatorCredentialType } from './delegation.entity';
import { DelegationRepository } from './delegation.repository';
import { ALL_FUNCTIONS, DELEGABLE_FUNCTIONS, isDelegableFunction } from './functions';

/** The login card type whose certificates sign in as an operator. */
export const OPERATOR_CARD_TYPE = 'operator';
const FAMILY_OF: Record<OperatorCredentialType, CredentialFamily> = { citizen: 'moica-citizen', personnel: 'hca-personnel', nhi: 'nhi-card' };
/** The certificates an operator's card may be read as on the add and edit forms (an NHI card's number is typed). */
const READABLE_FAMILIES: CredentialFamily[] = [FAMILY_OF.citizen, FAMILY_OF.personnel];
const MAX_YEARS = 5;

export interface DelegationInput {
  certSerial: string;
  nationalId: string;
  operatorName: string;
  phone: string | null;
  mobile: string | null;
  email: string;
  credentialType: OperatorCredentialType;
  functions: string[];
  endsOn: string | null;
}

export type FormOutcome = { ok: true } | { ok: false; errors: FieldError[]; values: Record<string, unknown> };

/** An operator as the manager's list shows it. */
export interface DelegationView {
  id: string;
  version: number;
  certSerial: string;
  operatorName: string;
  operatorIdMasked: string;
  phone: string | null;
  mobile: string | null;
  email: string;
  credentialType: OperatorCredentialType;
  functions: string[];
  endsOn: string | null;
  /** A renewed certificate of this operator signed in: its serial, waiting for "update the serial". */
  renewalSerial: string | null;
}

/** The unit picker of an operator serving several units. */
export const OPERATOR_UNIT_PATH = '/employers/operator/unit';

/** 授權指派: a unit's manager adds, modifies and deletes operators; operators sign in with their own certificate. */
@Injectable()
export class DelegationService implements OnModuleInit {
  constructor(
    private readonly repository: DelegationRepository,
    private readonly registrations: RegistrationService,
    private readonly registry: EmployerRegistryService,
    private readonly reader: CertificateReader,
    private readonly accounts: CertificateAccounts,
    private readonly nhiAccounts: NhiUnitAccounts,
    private readonly sessions: SessionRegistry,
    private readonly ids: ProtectedIdCodec,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.accounts.register(OPERATOR_CARD_TYPE, (result, credential) => this.operatorSignIn(result, credential));
    this.nhiAccounts.registerOperators((cardNumber, credential) => this.nhiOperatorSignIn(cardNumber, credential));
  }

  /** The manager's own citizen certificate, in this session: the one the unit registered. */
  async verifyManager(principal: Principal, presentation: CardPresentation): Promise<{ ok: true; registration: string } | Extract<FormOutcome, { ok: false }>> {
    const card = await this.reader.read(presentation, ['moica-citizen']);
    if (!card.ok) return { ok: false, errors: [{ field: 'card', messageKey: card.messageKey }], values: {} };
    const registration = await this.registrations.activeRegistration(principal.unitCode ?? '');
    if (!registration || registration.managerCertSerial !== card.result.serialNumber || registration.managerCertIssuer !== card.result.issuer) {
      return { ok: false, errors: [{ field: 'card', messageKey: 'delegation.errors.notManager' }], values: {} };
    }
    return { ok: true, registration: registration.id };
  }

  /** Whether the registration a manager proved themselves against is still the unit's (a replaced manager certificate ends it). */
  async managerProofHolds(principal: Principal, registrationId: string): Promise<boolean> {
    return (await this.registrations.activeRegistration(principal.unitCode ?? ''))?.id === registrationId;
  }

  /** 讀取憑證: the operator's card (citizen certificate or medical personnel card) proven present; its serial, holder's name and credential type. */
  async readOperatorCard(presentation: CardPresentation): Promise<{ ok: true; card: { serial: string; name: string; credentialType: OperatorCredentialType } } | { ok: false; errors: FieldError[] }> {
    const card = await this.reader.read(presentation, READABLE_FAMILIES);
    if (!card.ok) return { ok: false, errors: [{ field: 'card', messageKey: card.messageKey }] };
    const credentialType = CREDENTIAL_TYPES.find((t) => FAMILY_OF[t] === card.result.family) ?? 'citizen';
    return { ok: true, card: { serial: card.result.serialNumber, name: card.result.subject.commonName ?? '', credentialType } };
  }

  private view(d: Delegation): DelegationView {
    return {
      id: d.id,
      version: d.version,
      certSerial: d.certSerial,
      operatorName: d.operatorName,
      operatorIdMasked: maskNationalId(this.ids.reveal(d.operatorIdCipher)),
      phone: d.phone,
      mobile: d.mobile,
      email: d.email,
      credentialType: d.credentialType,
      functions: d.functions.split(',').filter(Boolean),
      endsOn: d.endsOn,
      renewalSerial: d.renewalSerial,
    };
  }

  async list(principal: Principal): Promise<DelegationView[]> {
    const rows = await this.repository.activeOfUnit(principal.unitCode ?? '');
    return rows.filter((d) => visibleTo(principal, d, (r) => ({ unitCode: r.unitCode }))).map((d) => this.view(d));
  }

  async one(principal: Principal, id: string): Promise<DelegationView> {
    const row = await this.repository.byId(id);
    return this.view(visibleTo(principal, row?.status === 'active' ? row : null, (r) => ({ unitCode: r.unitCode }), 'delegation-not-found'));
  }

  /** The form read and checked; values are what was typed. */
  read(body: unknown): { input: DelegationInput | null; errors: FieldError[]; values: Record<string, unknown> } {
    const field = (name: string) => textField(body, name);
    const chosen = listField(body, 'functions');
    const values: Record<string, unknown> = {
      certSerial: field('certSerial'),
      nationalId: field('nationalId').toUpperCase(),
      operatorName: field('operatorName'),
      phone: field('phone'),
      mobile: field('mobile'),
      email: field('email'),
      credentialType: field('credentialType'),
      functions: chosen,
      endsOn: field('endsOn'),
    };
    const errors: FieldError[] = [];
    const serial = (values.certSerial as string).replace(/[\s:-]/g, '').toUpperCase();
    if (values.credentialType === 'nhi') {
      if (!/^\d{12}$/.test(serial)) errors.push({ field: 'certSerial', messageKey: serial ? 'delegation.errors.nhiCardFormat' : 'delegation.errors.serialEmpty' });
    } else if (!/^[0-9A-F]{2,40}$/.test(serial)) errors.push({ field: 'certSerial', messageKey: serial ? 'delegation.errors.serialFormat' : 'delegation.errors.serialEmpty' });
    const id = validateNationalId(values.nationalId as string);
    if (!id.ok) errors.push({ field: 'nationalId', messageKey: values.nationalId ? 'employers.register.errors.nationalIdInvalid' : 'employers.register.errors.nationalIdEmpty' });
    const name = values.operatorName as string;
    if (!name) errors.push({ field: 'operatorName', messageKey: 'employers.register.errors.nameEmpty' });
    else checkText(errors, 'operatorName', name, 60, 'employers.register.errors.nameTooLong');
    const phone = values.phone ? validatePhone(values.phone as string) : null;
    const mobile = values.mobile ? validatePhone(values.mobile as string) : null;
    if (!phone && !mobile) errors.push({ field: 'phone', messageKey: 'employers.register.errors.phoneOrMobile' });
    if (phone && !phone.ok) errors.push({ field: 'phone', messageKey: 'employers.register.errors.phoneInvalid' });
    if (mobile && (!mobile.ok || mobile.kind !== 'mobile')) errors.push({ field: 'mobile', messageKey: 'employers.register.errors.mobileInvalid' });
    const email = validateEmail(values.email as string);
    if (!email.ok) errors.push({ field: 'email', messageKey: 'employers.register.errors.emailInvalid' });
    const credentialType = (CREDENTIAL_TYPES as readonly string[]).includes(values.credentialType as string) ? (values.credentialType as OperatorCredentialType) : null;
    if (!credentialType) errors.push({ field: 'credentialType', messageKey: 'delegation.errors.credentialType' });
    const functions = chosen.includes(ALL_FUNCTIONS) ? [...DELEGABLE_FUNCTIONS] : [...new Set(chosen.filter(isDelegableFunction))];
    if (functions.length === 0 || chosen.some((f) => f !== ALL_FUNCTIONS && !isDelegableFunction(f))) errors.push({ field: 'functions', messageKey: 'delegation.errors.functions' });
    const endsOn = (values.endsOn as string) || null;
    const today = taipeiDay();
    const latest = `${Number(today.slice(0, 4)) + MAX_YEARS}${today.slice(4)}`;
    if (endsOn && (!isIsoDay(endsOn) || endsOn < today || endsOn > latest)) errors.push({ field: 'endsOn', messageKey: 'delegation.errors.endsOn' });
    if (errors.length || !id.ok || !email.ok || !credentialType) return { input: null, errors, values };
    return {
      input: { certSerial: serial, nationalId: id.value, operatorName: name, phone: phone?.ok ? phone.value : null, mobile: mobile?.ok ? mobile.value : null, email: email.value, credentialType, functions, endsOn },
      errors,
      values,
    };
  }

  private async record(tx: Parameters<DelegationRepository['addHistory']>[0], principal: Principal, d: Pick<Delegation, 'id' | 'unitCode' | 'operatorName' | 'certSerial' | 'email'>, action: 'add' | 'modify' | 'delete', what: Record<string, unknown>, lang: 'zh-TW' | 'en') {
    await this.repository.addHistory(tx, { delegationId: d.id, unitCode: d.unitCode, action, at: new Date(), actorName: principal.displayName, actorCredential: principal.credential, summary: JSON.stringify(what).slice(0, 2000) });
    await this.audit.record(tx, { action: `delegation.${action}`, targetType: 'employer_delegation', targetId: d.id, summary: { unitCode: d.unitCode, ...what } });
    const registration = await this.registrations.activeRegistration(d.unitCode);
    const to = [...new Set([d.email, ...(registration ? [registration.email] : [])])];
    await this.notifications.notify(tx, { to, template: 'delegation.changed', lang, params: { unitCode: d.unitCode, operatorName: d.operatorName, action: translate(lang, `delegation.action.${action}`), serial: d.certSerial } });
  }

  async add(principal: Principal, body: unknown, lang: 'zh-TW' | 'en'): Promise<FormOutcome> {
    const { input, errors, values } = this.read(body);
    if (!input) return { ok: false, errors, values };
    const unitCode = principal.unitCode ?? '';
    const clash = (await this.repository.activeBySerial(input.certSerial)).some((d) => d.unitCode === unitCode);
    if (clash) return { ok: false, errors: [{ field: 'certSerial', messageKey: 'delegation.errors.serialTaken' }], values };
    await this.database.transaction(async (tx) => {
      const now = new Date();
      const row = await this.repository.insert(tx, { unitCode, ...this.columns(input), status: 'active', createdAt: now, updatedAt: now, deletedAt: null, renewalSerial: null, renewalAt: null, endRemindedAt: null });
      await this.record(tx, principal, row, 'add', { serial: input.certSerial, functions: input.functions, endsOn: input.endsOn }, lang);
    });
    return { ok: true };
  }

  /** The columns a form's input sets (national ID protected). */
  private columns(input: DelegationInput) {
    const id = this.ids.protect(input.nationalId);
    const { nationalId: _id, functions, ...rest } = input;
    return { ...rest, operatorIdCipher: id.cipher, operatorIdIndex: id.index, functions: functions.join(',') };
  }

  async modify(principal: Principal, id: string, body: unknown, lang: 'zh-TW' | 'en'): Promise<FormOutcome> {
    const current = await this.one(principal, id);
    const { input, errors, values } = this.read(body);
    if (!input) return { ok: false, errors, values };
    const set = {
      ...this.columns(input),
      ...(input.certSerial !== current.certSerial ? { renewalSerial: null, renewalAt: null } : {}),
      ...(input.endsOn !== current.endsOn ? { endRemindedAt: null } : {}),
    };
    const what = { from: { serial: current.certSerial, functions: current.functions, endsOn: current.endsOn }, to: { serial: input.certSerial, functions: input.functions, endsOn: input.endsOn } };
    await this.apply(principal, id, Number(textField(body, 'version')), set, { operatorName: input.operatorName, certSerial: input.certSerial, email: input.email }, 'modify', what, lang);
    return { ok: true };
  }

  async remove(principal: Principal, id: string, version: number, lang: 'zh-TW' | 'en'): Promise<void> {
    const current = await this.one(principal, id);
    await this.apply(principal, id, version, { status: 'deleted', deletedAt: new Date() }, current, 'delete', { serial: current.certSerial }, lang);
  }

  /** A version-checked change of an active delegation, its history, audit and e-mails; then the operator's sessions end (what they may do changed). */
  private async apply(principal: Principal, id: string, version: number, set: Partial<Delegation>, shown: Pick<Delegation, 'operatorName' | 'certSerial' | 'email'>, action: 'modify' | 'delete', what: Record<string, unknown>, lang: 'zh-TW' | 'en') {
    await this.database.transaction(async (tx) => {
      if (!(await this.repository.update(tx, id, version, { ...set, updatedAt: new Date() }))) throw delegationError.conflict('delegation-changed', 'delegation.errors.changedMeanwhile');
      await this.record(tx, principal, { id, unitCode: principal.unitCode ?? '', ...shown }, action, what, lang);
    });
    await this.sessions.endAll('employer', operatorPrincipalId(id));
  }

  async history(principal: Principal) {
    const rows = await this.repository.history(principal.unitCode ?? '');
    return rows.filter((h) => visibleTo(principal, h, (r) => ({ unitCode: r.unitCode })));
  }

  /** The history as a CSV file to download. */
  async historyCsv(principal: Principal): Promise<string> {
    const rows = await this.history(principal);
    return csvFile([['at', 'action', 'operator_delegation', 'actor', 'credential', 'what'], ...rows.map((h) => [h.at.toISOString(), h.action, h.delegationId, h.actorName, h.actorCredential, h.summary])]);
  }

  /** The active, unexpired delegations a certificate (serial, family) serves, by unit code. */
  private async servedBy(serial: string, family: string | null): Promise<Delegation[]> {
    const today = taipeiDay();
    return (await this.repository.activeBySerial(serial)).filter((d) => FAMILY_OF[d.credentialType] === family && (!d.endsOn || d.endsOn >= today));
  }

  /**
   * An operator's certificate: the delegation of its serial (several units: the first, and the
   * sign-in leads to the unit picker). None, but a renewed certificate of an operator (same
   * person, same CA family): noted on their delegations for the manager, and the sign-in says so.
   */
  /** An operator bound to an NHI card (credential type nhi), signing in with the card and its registered password. */
  async nhiOperatorSignIn(cardNumber: string, credential: string): Promise<Principal | null> {
    const found = await this.servedBy(cardNumber, FAMILY_OF.nhi);
    const [d] = found;
    return d ? { ...operatorPrincipal(d, credential), ...(found.length > 1 ? { landing: OPERATOR_UNIT_PATH } : {}) } : null;
  }

  async operatorSignIn(result: ValidationSuccess, credential: string): Promise<Principal | CertificateAccountRefusal | null> {
    const found = await this.servedBy(result.serialNumber, result.family);
    const [d] = found;
    if (!d) {
      const renewed = await this.renewedOf(result);
      if (!renewed.length) return null;
      await this.repository.noteRenewal(renewed.map((r) => r.id), result.serialNumber, new Date());
      await this.audit.recordAlone({
        action: 'delegation.renewal-noted',
        targetType: 'employer_delegation',
        targetId: renewed.map((r) => r.id).join(','),
        summary: { serial: result.serialNumber, family: result.family, units: renewed.map((r) => r.unitCode) },
        actor: { kind: 'certificate', credential },
      });
      return { refused: 'certificate-renewed' };
    }
    return { ...operatorPrincipal(d, credential), ...(found.length > 1 ? { landing: OPERATOR_UNIT_PATH } : {}) };
  }

  /** Active delegations of the same person (HCA personnel: the ID in the certificate; citizen: name and the ID's last four digits) and CA family under another serial, one they never had (an old card after the update is no renewal). */
  private async renewedOf(result: ValidationSuccess): Promise<Delegation[]> {
    const today = taipeiDay();
    let candidates: Delegation[] = [];
    if (result.family === FAMILY_OF.personnel && result.subject.serialNumber) {
      candidates = (await this.repository.activeByOperator(this.ids.index(result.subject.serialNumber.toUpperCase()))).filter((d) => d.credentialType === 'personnel');
    } else if (result.family === FAMILY_OF.citizen && result.subject.commonName && result.directoryAttributes.nationalIdLast4) {
      const last4 = result.directoryAttributes.nationalIdLast4;
      candidates = (await this.repository.activeByName(result.subject.commonName, 'citizen')).filter((d) => this.ids.reveal(d.operatorIdCipher).slice(-4) === last4);
    }
    const current = candidates.filter((d) => d.certSerial !== result.serialNumber && (!d.endsOn || d.endsOn >= today));
    const former = await this.repository.hadSerial(current.map((d) => d.id), result.serialNumber);
    return current.filter((d) => !former.has(d.id));
  }

  /** The units an operator's certificate serves (the unit picker), with the one in use. */
  async unitsOf(principal: Principal): Promise<{ id: string; unitCode: string; unitName: string; current: boolean }[]> {
    const current = await this.repository.byId(delegationIdOf(principal));
    if (!current) return [];
    const served = await this.servedBy(current.certSerial, FAMILY_OF[current.credentialType]);
    return Promise.all(served.map(async (d) => ({ id: d.id, unitCode: d.unitCode, unitName: (await this.registry.nameOf(d.unitCode)) ?? '', current: d.id === current.id })));
  }

  /** The operator switches to another unit their certificate serves: the principal of that delegation; null when it is not one of theirs. */
  async switchUnit(principal: Principal, delegationId: string): Promise<Principal | null> {
    const chosen = (await this.unitsOf(principal)).find((u) => u.id === delegationId);
    const d = chosen ? await this.repository.byId(chosen.id) : null;
    if (!d) return null;
    const next = operatorPrincipal(d, principal.credential);
    await this.audit.recordAlone({ action: 'delegation.operator.unit', targetType: 'employer_delegation', targetId: d.id, summary: { unitCode: d.unitCode, from: principal.unitCode ?? null }, actor: principal });
    return next;
  }

  /** "Update the serial": the renewed certificate's serial becomes the delegation's (version-checked, recorded, e-mailed). */
  async acceptRenewal(principal: Principal, id: string, version: number, lang: 'zh-TW' | 'en'): Promise<void> {
    const current = await this.one(principal, id);
    if (!current.renewalSerial) throw delegationError.conflict('delegation-changed', 'delegation.errors.changedMeanwhile');
    await this.apply(principal, id, version, { certSerial: current.renewalSerial, renewalSerial: null, renewalAt: null }, { ...current, certSerial: current.renewalSerial }, 'modify', { from: { serial: current.certSerial }, to: { serial: current.renewalSerial }, renewal: true }, lang);
  }

  /** On every request of an operator: the delegation's functions now, or null when it was deleted or has ended. */
  async currentFunctions(principal: Principal): Promise<string[] | null> {
    const d = await this.repository.byId(delegationIdOf(principal));
    if (!d || d.status !== 'active' || d.unitCode !== principal.unitCode || (d.endsOn && d.endsOn < taipeiDay())) return null;
    return d.functions.split(',').filter(Boolean);
  }
}

export function operatorPrincipalId(delegationId: string): string {
  return `operator:${delegationId}`;
}

function delegationIdOf(principal: Principal): string {
  return principal.id.startsWith('operator:') ? principal.id.slice('operator:'.length) : '';
}

/** An operator signed in for the unit of delegation `d`. */
function operatorPrincipal(d: Delegation, credential: string): Principal {
  return { kind: 'employer', id: operatorPrincipalId(d.id), role: 'employer_operator', displayName: d.operatorName, credential, unitCode: d.unitCode, functions: d.functions.split(',').filter(Boolean) };
}
