import { Injectable, type OnModuleInit } from '@nestjs/common';
import { visibleTo } from '../../common/access/access-policy';
import type { Principal } from '../../common/context/request-context';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import type { FieldError } from '../../common/errors/domain-error';
import { checkText, listField, textField } from '../../common/forms';
import { maskNationalId, validateEmail, validateNationalId, validatePhone } from '../../common/identifiers';
import { translate } from '../../common/i18n/i18n';
import { isIsoDay, taipeiDay } from '../../common/time/taipei-day';
import { Database } from '../../core/database';
import { AuditService } from '../audit';
import { CertificateAccounts, SessionRegistry } from '../auth';
import type { ValidationSuccess } from '../certificates';
import { CertificateReader, RegistrationService, type CardPresentation } from '../employer-registry';
import { NotificationsService } from '../notifications';
import { delegationError } from './delegation.errors';
import { CREDENTIAL_TYPES, type Delegation, type OperatorCredentialType } from './delegation.entity';
import { DelegationRepository } from './delegation.repository';
import { ALL_FUNCTIONS, DELEGABLE_FUNCTIONS, isDelegableFunction } from './functions';

/** The login card type whose certificates sign in as an operator. */
export const OPERATOR_CARD_TYPE = 'operator';
const FAMILY_OF: Record<OperatorCredentialType, string> = { citizen: 'moica-citizen', personnel: 'hca-personnel' };
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
}

/** 授權指派: a unit's manager adds, modifies and deletes operators; operators sign in with their own certificate. */
@Injectable()
export class DelegationService implements OnModuleInit {
  constructor(
    private readonly repository: DelegationRepository,
    private readonly registrations: RegistrationService,
    private readonly reader: CertificateReader,
    private readonly accounts: CertificateAccounts,
    private readonly sessions: SessionRegistry,
    private readonly ids: ProtectedIdCodec,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.accounts.register(OPERATOR_CARD_TYPE, (result, credential) => this.operatorSignIn(result, credential));
  }

  /** The manager's own citizen certificate, in this session: the one the unit registered. */
  async verifyManager(principal: Principal, presentation: CardPresentation): Promise<FormOutcome> {
    const card = await this.reader.read(presentation, ['moica-citizen']);
    if (!card.ok) return { ok: false, errors: [{ field: 'card', messageKey: card.messageKey }], values: {} };
    const registration = await this.registrations.activeRegistration(principal.unitCode ?? '');
    if (!registration || registration.managerCertSerial !== card.result.serialNumber || registration.managerCertIssuer !== card.result.issuer) {
      return { ok: false, errors: [{ field: 'card', messageKey: 'delegation.errors.notManager' }], values: {} };
    }
    return { ok: true };
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
    const serial = (values.certSerial as string).replace(/[\s:]/g, '').toUpperCase();
    if (!/^[0-9A-F]{2,40}$/.test(serial)) errors.push({ field: 'certSerial', messageKey: serial ? 'delegation.errors.serialFormat' : 'delegation.errors.serialEmpty' });
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
      const row = await this.repository.insert(tx, { unitCode, ...this.columns(input), status: 'active', createdAt: now, updatedAt: now, deletedAt: null });
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
    const set = this.columns(input);
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

  /** An operator's certificate: the unit's active, unexpired delegation of its serial (the first unit when several). */
  async operatorSignIn(result: ValidationSuccess, credential: string): Promise<Principal | null> {
    const today = taipeiDay();
    const found = (await this.repository.activeBySerial(result.serialNumber)).filter((d) => FAMILY_OF[d.credentialType] === result.family && (!d.endsOn || d.endsOn >= today));
    const [d] = found;
    if (!d) return null;
    return { kind: 'employer', id: operatorPrincipalId(d.id), role: 'employer_operator', displayName: d.operatorName, credential, unitCode: d.unitCode, functions: d.functions.split(',').filter(Boolean) };
  }

  /** On every request of an operator: the delegation's functions now, or null when it was deleted or has ended. */
  async currentFunctions(principal: Principal): Promise<string[] | null> {
    const id = principal.id.startsWith('operator:') ? principal.id.slice('operator:'.length) : '';
    const d = await this.repository.byId(id);
    if (!d || d.status !== 'active' || d.unitCode !== principal.unitCode || (d.endsOn && d.endsOn < taipeiDay())) return null;
    return d.functions.split(',').filter(Boolean);
  }
}

export function operatorPrincipalId(delegationId: string): string {
  return `operator:${delegationId}`;
}
