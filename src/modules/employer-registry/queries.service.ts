import { Injectable } from '@nestjs/common';
import type { FieldError } from '../../common/errors/domain-error';
import type { CredentialFamily } from '../certificates';
import { CertificateReader, type CardPresentation } from './certificate-reader';
import { EmployerRegistryRepository } from './employer-registry.repository';
import { EmployerRegistryService } from './employer-registry.service';
import { RegistrationRepository } from './registration.repository';
import { RegistrationService, unitCodeOf } from './registration.service';
import { certificateIdentifier, UNIT_FAMILIES } from './unit-kind';


type Invalid = { ok: false; errors: FieldError[]; values: Record<string, unknown> };

/** One line of a unit's receipt records: what was received when, and what became of it. */
export interface ReceiptRecord {
  at: Date;
  /** Catalog key of the item (registration, a replacement, a review case and its outcome). */
  itemKey: string;
  reference: string | null;
  statusKey: string;
}

/**
 * 查詢作業 (seed 003 section 7), public: a unit's receipt records (no personal data), and what a
 * unit's or a citizen's certificate says, read through the reader helper.
 */
@Injectable()
export class QueriesService {
  constructor(
    private readonly reader: CertificateReader,
    private readonly units: EmployerRegistryRepository,
    private readonly registry: EmployerRegistryService,
    private readonly repository: RegistrationRepository,
    private readonly registrations: RegistrationService,
  ) {}

  /** 查詢憑證註冊收件紀錄: registrations, replacements and review cases of the unit, oldest first. */
  async receipts(query: unknown): Promise<Invalid | { ok: true; unitCode: string; unitName: string | null; records: ReceiptRecord[] }> {
    const code = unitCodeOf(query);
    if ('ok' in code) return code;
    const { unitCode } = code;
    const [unit, registrations, cases] = await Promise.all([this.units.byUnitCode(unitCode), this.repository.registrationsOf(unitCode), this.repository.casesOf(unitCode)]);
    const records: ReceiptRecord[] = [
      ...registrations.map((r) => ({
        at: r.createdAt,
        itemKey: r.kind === 'register' ? 'employers.queries.item.register' : `employers.replace.kind.${r.kind.slice('replace-'.length)}`,
        reference: r.reference,
        statusKey: r.activeUnitCode ? 'employers.queries.status.active' : 'employers.queries.status.ended',
      })),
      ...cases.map((c) => ({ at: c.createdAt, itemKey: 'employers.queries.item.review', reference: null, statusKey: `employers.review.status.${c.status}` })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    return { ok: true, unitCode, unitName: unit?.nameZh ?? registrations.at(-1)?.unitName ?? null, records };
  }

  /** 查詢機關憑證 OID: the unit certificate's name and identifier, and whether it matches the unit code's record. */
  async unitCertificate(presentation: CardPresentation, body: unknown) {
    const code = unitCodeOf(body);
    if ('ok' in code) return code;
    const card = await this.reader.read(presentation, UNIT_FAMILIES);
    if (!card.ok) return { ok: false as const, errors: [{ field: 'card', messageKey: card.messageKey }], values: code };
    const comparison = await this.registry.compare(code.unitCode, card.result);
    const identifier = certificateIdentifier(card.result);
    return {
      ok: true as const,
      unitCode: code.unitCode,
      registryName: comparison.outcome === 'unknown-unit' ? null : comparison.unit.nameZh,
      certificateName: card.result.subject.commonName ?? card.result.subject.organization ?? '',
      identifierKind: identifier?.kind ?? null,
      identifier: identifier?.value ?? null,
      serial: card.result.serialNumber,
      matchKey: `employers.queries.match.${comparison.outcome}`,
    };
  }

  /** 查詢自然人憑證序號: the name and serial of a citizen certificate (the national ID typed must be its holder's). */
  async citizenSerial(presentation: CardPresentation, body: unknown) {
    const outcome = await this.registrations.checkManager(presentation, body);
    if (!outcome.ok) return outcome;
    return { ok: true as const, name: outcome.value.certName, serial: outcome.value.serial };
  }
}
