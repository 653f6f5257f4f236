import { Injectable } from '@nestjs/common';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { textField } from '../../common/forms';
import { translate, type Lang } from '../../common/i18n/i18n';
import { Database } from '../../core/database';
import { AuditService } from '../audit';
import type { CredentialFamily } from '../certificates';
import { NotificationsService } from '../notifications';
import { CertificateReader, type CardPresentation } from './certificate-reader';
import { employerRegistryError } from './employer-registry.errors';
import { EmployerRegistryService } from './employer-registry.service';
import type { ContactsStep, ManagerStep, ReplacementDraft, ReplacementKind } from './registration-draft';
import type { EmployerRegistration } from './registration.entity';
import { RegistrationRepository } from './registration.repository';
import { newReference, RegistrationService, unitCodeOf, unitStepOf, type Outcome } from './registration.service';
import { UNIT_FAMILIES } from './unit-kind';


/** Whether a certificate (serial, issuer) is the one a registration bound. */
const sameCertificate = (serial: string, issuer: string, boundSerial: string, boundIssuer: string) => serial === boundSerial && issuer === boundIssuer;

/**
 * 更換憑證 (seed 003 section 6): a registered unit replaces its unit certificate, its manager's
 * citizen certificate, or both. Whoever replaces one certificate proves themselves with the other
 * (the registered one); replacing both is proven as the first registration is (the new unit
 * certificate matches the registry). The old registration ends (kept as history), a new one
 * binds the certificates, audited, the unit e-mailed.
 */
@Injectable()
export class ReplacementService {
  constructor(
    private readonly reader: CertificateReader,
    private readonly registry: EmployerRegistryService,
    private readonly registrations: RegistrationService,
    private readonly repository: RegistrationRepository,
    private readonly ids: ProtectedIdCodec,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  /** The unit certificate: the registered one (replacing the manager's), or a new one that matches the registry. */
  async checkUnit(kind: ReplacementKind, presentation: CardPresentation, body: unknown): Promise<Outcome<NonNullable<ReplacementDraft['unit']>>> {
    const code = unitCodeOf(body);
    if ('ok' in code) return code;
    const { unitCode } = code;
    const values = { unitCode };
    const fail = (field: string, messageKey: string) => ({ ok: false as const, errors: [{ field, messageKey }], values });
    const card = await this.reader.read(presentation, UNIT_FAMILIES);
    if (!card.ok) return fail('card', card.messageKey);
    const comparison = await this.registry.compare(unitCode, card.result);
    if (comparison.outcome === 'unknown-unit') return fail('unitCode', 'employers.register.errors.unitUnknown');
    const active = await this.repository.activeFor(unitCode);
    if (!active) return fail('unitCode', 'employers.replace.errors.notRegistered');
    const { result } = card;
    const registered = sameCertificate(result.serialNumber, result.issuer, active.unitCertSerial, active.unitCertIssuer);
    if (kind === 'manager' && !registered) return fail('card', 'employers.replace.errors.notRegisteredUnitCard');
    if (kind !== 'manager') {
      if (registered) return fail('card', 'employers.replace.errors.sameUnitCard');
      const approved = comparison.outcome === 'mismatch' && (await this.repository.latestCase(unitCode, result.serialNumber, result.issuer))?.status === 'approved';
      if (comparison.outcome !== 'match' && !approved) return fail('card', 'employers.replace.errors.unitMismatch');
    }
    return { ok: true, value: { ...unitStepOf(unitCode, comparison.unit.nameZh, result), registrationId: active.id, version: active.version } };
  }

  /** The manager's citizen certificate: the registered one (replacing the unit's), or a new one. */
  async checkManager(kind: ReplacementKind, unit: NonNullable<ReplacementDraft['unit']>, presentation: CardPresentation, body: unknown): Promise<Outcome<ManagerStep>> {
    const outcome = await this.registrations.checkManager(presentation, body);
    if (!outcome.ok) return outcome;
    const active = await this.repository.activeFor(unit.unitCode);
    if (!active || active.id !== unit.registrationId) throw employerRegistryError.conflict('registration-changed', 'employers.replace.errors.changedMeanwhile');
    const registered = sameCertificate(outcome.value.serial, outcome.value.issuer, active.managerCertSerial, active.managerCertIssuer);
    const values = { nationalId: textField(body, 'nationalId').toUpperCase() };
    if (kind === 'unit' && !registered) return { ok: false, errors: [{ field: 'card', messageKey: 'employers.replace.errors.notRegisteredManagerCard' }], values };
    if (kind !== 'unit' && registered) return { ok: false, errors: [{ field: 'card', messageKey: 'employers.replace.errors.sameManagerCard' }], values };
    return outcome;
  }

  /** The contacts to show on the details page: the registered ones when only the unit certificate changes (seed 003: 再次確認), else none (重新輸入). */
  async contactsToConfirm(kind: ReplacementKind, unitCode: string): Promise<Partial<ContactsStep>> {
    if (kind !== 'unit') return {};
    const active = await this.repository.activeFor(unitCode);
    return active ? { managerName: active.managerName, email: active.email, phone: active.phone ?? '', mobile: active.mobile ?? '' } : {};
  }

  checkContacts(body: unknown): Outcome<ContactsStep> {
    return this.registrations.checkContacts(body);
  }

  /** Ends the registration read at the unit step (at its version: changed meanwhile = conflict) and binds the certificates anew. */
  async replace(draft: Required<Pick<ReplacementDraft, 'kind' | 'unit' | 'manager'>>, contacts: ContactsStep, lang: Lang): Promise<{ reference: string }> {
    const { kind, unit, manager } = draft;
    const reference = newReference();
    const now = new Date();
    await this.database.transaction(async (tx) => {
      const old = await this.repository.byId(unit.registrationId, tx);
      if (!old || !(await this.repository.end(tx, unit.registrationId, unit.version, now))) {
        throw employerRegistryError.conflict('registration-changed', 'employers.replace.errors.changedMeanwhile');
      }
      const newManager = kind !== 'unit';
      const managerId = this.ids.protect(this.ids.reveal(newManager ? manager.idCipher : old.managerIdCipher));
      const responsible = this.ids.protect(this.ids.reveal(old.responsibleIdCipher));
      const row: Omit<EmployerRegistration, 'id' | 'version'> = {
        ...withoutKeys(old),
        reference,
        activeUnitCode: old.unitCode,
        kind: `replace-${kind}`,
        replacesId: old.id,
        ...(kind !== 'manager' ? { unitCertSerial: unit.serial, unitCertIssuer: unit.issuer, unitCertFamily: unit.family } : {}),
        managerIdCipher: managerId.cipher,
        managerIdIndex: managerId.index,
        managerCertSerial: newManager ? manager.serial : old.managerCertSerial,
        managerCertIssuer: newManager ? manager.issuer : old.managerCertIssuer,
        ...contacts,
        responsibleIdCipher: responsible.cipher,
        responsibleIdIndex: responsible.index,
        responsibleIsManager: responsible.index === managerId.index,
        lang,
        createdAt: now,
        endedAt: null,
      };
      const created = await this.repository.insertRegistration(tx, row);
      await this.audit.record(tx, {
        action: `employers.replace.${kind}`,
        targetType: 'employer_registration',
        targetId: created.id,
        summary: { reference, unitCode: old.unitCode, replaces: old.reference, unitCertificate: `${row.unitCertSerial}@${row.unitCertIssuer}`, managerCertificate: `${row.managerCertSerial}@${row.managerCertIssuer}` },
        actor: { kind: 'employer', id: old.unitCode, displayName: contacts.managerName, credential: `${manager.serial}@${manager.issuer}` },
      });
      const params = { reference, unitCode: old.unitCode, unitName: old.unitName, managerName: contacts.managerName, what: translate(lang, `employers.replace.kind.${kind}`) };
      for (const to of new Set([contacts.email, old.email])) await this.notifications.notify(tx, { to, template: 'employers.replaced', lang, params });
    });
    return { reference };
  }
}

/** A registration's own columns without its identity (id, version) and the lifecycle fields set anew. */
function withoutKeys(row: EmployerRegistration): Omit<EmployerRegistration, 'id' | 'version'> {
  const { id: _id, version: _version, ...rest } = row;
  return rest;
}
