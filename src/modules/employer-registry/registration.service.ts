import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FieldError } from '../../common/errors/domain-error';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { checkText, textField } from '../../common/forms';
import { maskNationalId, validateBusinessNumber, validateEmail, validateLabourInsuranceNumber, validateNationalId, validatePhone, validateUnitCode } from '../../common/identifiers';
import type { Lang } from '../../common/i18n/i18n';
import { taipeiDay } from '../../common/time/taipei-day';
import { Database, isDuplicateKey } from '../../core/database';
import { AuditService } from '../audit';
import { CounterCalendar } from '../cards';
import type { CredentialFamily, ValidationSuccess } from '../certificates';
import { CertificateReader, type CardPresentation } from './certificate-reader';
import { NotificationsService } from '../notifications';
import { EmployerRegistryService } from './employer-registry.service';
import type { ContactsStep, DetailsStep, EmployerRegistrationDraft, ManagerStep, UnitStep } from './registration-draft';
import { RegistrationRepository } from './registration.repository';
import { certificateIdentifier, UNIT_FAMILIES } from './unit-kind';

export type { CardPresentation } from './certificate-reader';

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldError[]; values: Record<string, unknown> };


/** After the unit certificate: on to the manager, or the mismatch path, or the case already under review. */
export type UnitOutcome =
  | { ok: false; errors: FieldError[]; values: Record<string, unknown> }
  | { ok: true; next: 'manager'; unit: UnitStep }
  | { ok: true; next: 'mismatch'; unit: UnitStep }
  | { ok: true; next: 'under-review'; nextBusinessDay: string };

/**
 * 首次註冊: the unit certificate read through the reader helper and compared with the registry
 * (a mismatch opens a review case), the manager's citizen certificate checked against the
 * national ID typed, the manager's and unit's details, and the registration itself.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly reader: CertificateReader,
    private readonly registry: EmployerRegistryService,
    private readonly repository: RegistrationRepository,
    private readonly calendar: CounterCalendar,
    private readonly ids: ProtectedIdCodec,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  async checkUnit(presentation: CardPresentation, body: unknown): Promise<UnitOutcome> {
    const code = unitCodeOf(body);
    if ('ok' in code) return code;
    const { unitCode } = code;
    const values = { unitCode };
    const fail = (field: string, messageKey: string): UnitOutcome => ({ ok: false, errors: [{ field, messageKey }], values });
    const card = await this.reader.read(presentation, UNIT_FAMILIES);
    if (!card.ok) return fail('card', card.messageKey);
    const comparison = await this.registry.compare(unitCode, card.result);
    if (comparison.outcome === 'unknown-unit') return fail('unitCode', 'employers.register.errors.unitUnknown');
    if (await this.repository.activeFor(unitCode)) return fail('unitCode', 'employers.register.errors.alreadyRegistered');
    const unit = unitStepOf(unitCode, comparison.unit.nameZh, card.result);
    if (comparison.outcome === 'match') return { ok: true, next: 'manager', unit };
    const latest = await this.repository.latestCase(unitCode, unit.serial, unit.issuer);
    if (latest?.status === 'approved') return { ok: true, next: 'manager', unit };
    if (latest?.status === 'open') return { ok: true, next: 'under-review', nextBusinessDay: await this.calendar.nextBusinessDay(taipeiDay(latest.createdAt)) };
    return { ok: true, next: 'mismatch', unit };
  }

  /** The applicant's contacts for a mismatch: opens the review case; returns the day to try again. */
  async openCase(unit: UnitStep, body: unknown, lang: Lang): Promise<Outcome<{ nextBusinessDay: string }>> {
    const name = textField(body, 'applicantName');
    const phoneRaw = textField(body, 'applicantPhone');
    const emailRaw = textField(body, 'applicantEmail');
    const values = { applicantName: name, applicantPhone: phoneRaw, applicantEmail: emailRaw };
    const errors: FieldError[] = [];
    if (!name) errors.push({ field: 'applicantName', messageKey: 'employers.register.errors.nameEmpty' });
    else checkText(errors, 'applicantName', name, 60, 'employers.register.errors.nameTooLong');
    const phone = validatePhone(phoneRaw);
    if (!phone.ok) errors.push({ field: 'applicantPhone', messageKey: 'employers.register.errors.phoneInvalid' });
    const email = validateEmail(emailRaw);
    if (!email.ok) errors.push({ field: 'applicantEmail', messageKey: 'employers.register.errors.emailInvalid' });
    if (errors.length || !phone.ok || !email.ok) return { ok: false, errors, values };
    const created = await this.database.transaction(async (tx) => {
      const row = await this.repository.insertCase(tx, {
        unitCode: unit.unitCode,
        status: 'open',
        certSerial: unit.serial,
        certIssuer: unit.issuer,
        certFamily: unit.family,
        certIdentifier: unit.identifier,
        certSubject: unit.subject.slice(0, 500),
        applicantName: name,
        applicantPhone: phone.value,
        applicantEmail: email.value,
        lang,
        decidedBy: null,
        decidedAt: null,
        reason: null,
        createdAt: new Date(),
      });
      await this.audit.record(tx, { action: 'employers.review-case.open', targetType: 'employer_review_case', targetId: row.id, summary: { unitCode: unit.unitCode, family: unit.family }, actor: { kind: 'certificate', credential: `${unit.serial}@${unit.issuer}` } });
      return row;
    });
    return { ok: true, value: { nextBusinessDay: await this.calendar.nextBusinessDay(taipeiDay(created.createdAt)) } };
  }

  /** The manager's citizen certificate: its ID attribute (last four characters) must be the national ID typed. */
  async checkManager(presentation: CardPresentation, body: unknown): Promise<Outcome<ManagerStep>> {
    const raw = textField(body, 'nationalId').toUpperCase();
    const values = { nationalId: raw };
    const id = validateNationalId(raw);
    if (!id.ok) return { ok: false, errors: [{ field: 'nationalId', messageKey: raw ? 'employers.register.errors.nationalIdInvalid' : 'employers.register.errors.nationalIdEmpty' }], values };
    const card = await this.reader.read(presentation, ['moica-citizen']);
    if (!card.ok) return { ok: false, errors: [{ field: 'card', messageKey: card.messageKey }], values };
    if (card.result.directoryAttributes.nationalIdLast4 !== id.value.slice(-4)) return { ok: false, errors: [{ field: 'nationalId', messageKey: 'employers.register.errors.nationalIdNotCertificate' }], values };
    return {
      ok: true,
      value: { idCipher: this.ids.protect(id.value).cipher, idMasked: maskNationalId(id.value), serial: card.result.serialNumber, issuer: card.result.issuer, certName: card.result.subject.commonName ?? '' },
    };
  }

  /** 授權管理者資料: name, e-mail, phone or mobile (one required); the first registration's and the replacements' form. */
  checkContacts(body: unknown): Outcome<ContactsStep> {
    const field = (name: string) => textField(body, name);
    const values = { managerName: field('managerName'), email: field('email'), phone: field('phone'), mobile: field('mobile') };
    const errors: FieldError[] = [];
    if (!values.managerName) errors.push({ field: 'managerName', messageKey: 'employers.register.errors.nameEmpty' });
    else checkText(errors, 'managerName', values.managerName, 60, 'employers.register.errors.nameTooLong');
    const email = validateEmail(values.email);
    if (!email.ok) errors.push({ field: 'email', messageKey: 'employers.register.errors.emailInvalid' });
    const phone = values.phone ? validatePhone(values.phone) : null;
    const mobile = values.mobile ? validatePhone(values.mobile) : null;
    if (!phone && !mobile) errors.push({ field: 'phone', messageKey: 'employers.register.errors.phoneOrMobile' });
    if (phone && !phone.ok) errors.push({ field: 'phone', messageKey: 'employers.register.errors.phoneInvalid' });
    if (mobile && (!mobile.ok || mobile.kind !== 'mobile')) errors.push({ field: 'mobile', messageKey: 'employers.register.errors.mobileInvalid' });
    if (errors.length || !email.ok) return { ok: false, errors, values };
    return { ok: true, value: { managerName: values.managerName, email: email.value, phone: phone?.ok ? phone.value : null, mobile: mobile?.ok ? mobile.value : null } };
  }

  /** 授權管理者資料 and the unit fields of seed 004. */
  checkDetails(body: unknown, manager: ManagerStep): Outcome<DetailsStep> {
    const field = (name: string) => textField(body, name);
    const contacts = this.checkContacts(body);
    const values: Record<string, unknown> = {
      managerName: field('managerName'),
      email: field('email'),
      phone: field('phone'),
      mobile: field('mobile'),
      unitName: field('unitName'),
      businessNumber: field('businessNumber'),
      labourInsuranceNumber: field('labourInsuranceNumber'),
      threeInOne: field('threeInOne') === 'yes' ? 'yes' : '',
      responsibleId: field('responsibleId').toUpperCase(),
      responsibleIsManager: field('responsibleIsManager') === 'yes' ? 'yes' : '',
    };
    const errors: FieldError[] = contacts.ok ? [] : [...contacts.errors];
    const unitName = values.unitName as string;
    if (!unitName) errors.push({ field: 'unitName', messageKey: 'employers.register.errors.unitNameEmpty' });
    else checkText(errors, 'unitName', unitName, 100, 'employers.register.errors.unitNameTooLong');
    const business = validateBusinessNumber(values.businessNumber as string);
    if (!business.ok) errors.push({ field: 'businessNumber', messageKey: business.reason === 'checksum' ? 'employers.register.errors.businessNumberChecksum' : 'employers.register.errors.businessNumberFormat' });
    const labour = values.labourInsuranceNumber ? validateLabourInsuranceNumber(values.labourInsuranceNumber as string) : null;
    if (labour && !labour.ok) errors.push({ field: 'labourInsuranceNumber', messageKey: 'employers.register.errors.labourInsuranceNumber' });
    if (values.threeInOne && !labour) errors.push({ field: 'threeInOne', messageKey: 'employers.register.errors.threeInOneNeedsLabour' });
    const responsibleIsManager = values.responsibleIsManager === 'yes';
    let responsibleCipher = manager.idCipher;
    let responsibleMasked = manager.idMasked;
    if (!responsibleIsManager) {
      const responsible = validateNationalId(values.responsibleId as string);
      if (!responsible.ok) errors.push({ field: 'responsibleId', messageKey: values.responsibleId ? 'employers.register.errors.nationalIdInvalid' : 'employers.register.errors.responsibleIdEmpty' });
      else {
        responsibleCipher = this.ids.protect(responsible.value).cipher;
        responsibleMasked = maskNationalId(responsible.value);
      }
    }
    if (errors.length || !contacts.ok || !business.ok) return { ok: false, errors, values };
    return {
      ok: true,
      value: {
        ...contacts.value,
        unitName,
        businessNumber: business.value,
        labourInsuranceNumber: labour?.ok ? labour.value : null,
        threeInOne: values.threeInOne === 'yes',
        responsibleIdCipher: responsibleCipher,
        responsibleIdMasked: responsibleMasked,
        responsibleIsManager,
      },
    };
  }

  /** The active registration of a unit (its manager's certificate, contacts), or null. */
  activeRegistration(unitCode: string) {
    return this.repository.activeFor(unitCode);
  }

  /** Registers the unit: one active registration per unit (a second one at the same time loses), audited, the unit e-mailed. */
  async register(draft: Required<Pick<EmployerRegistrationDraft, 'unit' | 'manager' | 'details'>>, lang: Lang): Promise<Outcome<{ reference: string }>> {
    const { unit, manager, details } = draft;
    const reference = newReference();
    const managerId = this.ids.reveal(manager.idCipher);
    const responsibleId = this.ids.reveal(details.responsibleIdCipher);
    try {
      await this.database.transaction(async (tx) => {
        if (await this.repository.activeFor(unit.unitCode, tx)) throw new AlreadyRegistered();
        const managerProtected = this.ids.protect(managerId);
        const responsibleProtected = this.ids.protect(responsibleId);
        const row = await this.repository.insertRegistration(tx, {
          reference,
          unitCode: unit.unitCode,
          activeUnitCode: unit.unitCode,
          unitCertSerial: unit.serial,
          unitCertIssuer: unit.issuer,
          unitCertFamily: unit.family,
          managerIdCipher: managerProtected.cipher,
          managerIdIndex: managerProtected.index,
          managerCertSerial: manager.serial,
          managerCertIssuer: manager.issuer,
          managerName: details.managerName,
          email: details.email,
          phone: details.phone,
          mobile: details.mobile,
          unitName: details.unitName,
          businessNumber: details.businessNumber,
          labourInsuranceNumber: details.labourInsuranceNumber,
          threeInOne: details.threeInOne,
          responsibleIdCipher: responsibleProtected.cipher,
          responsibleIdIndex: responsibleProtected.index,
          responsibleIsManager: details.responsibleIsManager,
          lang,
          createdAt: new Date(),
          endedAt: null,
        });
        await this.audit.record(tx, {
          action: 'employers.register',
          targetType: 'employer_registration',
          targetId: row.id,
          summary: { reference, unitCode: unit.unitCode, unitCertificate: `${unit.serial}@${unit.issuer}` },
          actor: { kind: 'employer', id: unit.unitCode, displayName: details.managerName, credential: `${manager.serial}@${manager.issuer}` },
        });
        await this.notifications.notify(tx, { to: details.email, template: 'employers.registered', lang, params: { reference, unitCode: unit.unitCode, unitName: details.unitName, managerName: details.managerName } });
      });
    } catch (err) {
      if (err instanceof AlreadyRegistered || isDuplicateKey(err)) return { ok: false, errors: [{ field: 'unitCode', messageKey: 'employers.register.errors.alreadyRegistered' }], values: {} };
      throw err;
    }
    return { ok: true, value: { reference } };
  }
}

class AlreadyRegistered extends Error {}

/** The unit code typed on a form (spaces dropped), or the field error. */
export function unitCodeOf(body: unknown): { unitCode: string } | { ok: false; errors: FieldError[]; values: Record<string, unknown> } {
  const unitCode = textField(body, 'unitCode').replace(/\s+/g, '');
  const checked = validateUnitCode(unitCode);
  if (checked.ok) return { unitCode: checked.value };
  return { ok: false, errors: [{ field: 'unitCode', messageKey: unitCode ? 'employers.register.errors.unitCodeFormat' : 'employers.register.errors.unitCodeEmpty' }], values: { unitCode } };
}

/** The unit certificate read, as a step of the registration or a replacement keeps it. */
export function unitStepOf(unitCode: string, unitName: string, result: ValidationSuccess): UnitStep {
  return {
    unitCode,
    unitName,
    serial: result.serialNumber,
    issuer: result.issuer,
    family: result.family ?? '',
    identifier: certificateIdentifier(result)?.value ?? null,
    subject: result.subject.dn ?? '',
  };
}

/** A registration's reference number (受理編號): ER, the Taipei day, six random digits. */
export function newReference(): string {
  return `ER${taipeiDay().replace(/-/g, '')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}
