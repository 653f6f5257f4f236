import { Injectable } from '@nestjs/common';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { Database } from '../../core/database';
import { AuditService, type AuditActor } from '../audit';
import { DEMO_UNITS } from './data/demo-units';
import { EmployerRegistryRepository } from './employer-registry.repository';

/**
 * Seeds the demo employer registry, idempotently by unit code (rows present are left as they
 * are). Part of `npm run cli -- seed` unless --no-demo; one transaction, audited once.
 */
@Injectable()
export class EmployerRegistrySeeder {
  constructor(
    private readonly repository: EmployerRegistryRepository,
    private readonly database: Database,
    private readonly ids: ProtectedIdCodec,
    private readonly audit: AuditService,
  ) {}

  async seed(options: { dryRun: boolean; actor: AuditActor }): Promise<{ inserted: number; present: number }> {
    return this.database.transaction(async (tx) => {
      const present = await this.repository.existingCodes(tx, DEMO_UNITS.map((u) => u.unitCode));
      const fresh = DEMO_UNITS.filter((u) => !present.has(u.unitCode));
      if (!options.dryRun && fresh.length) {
        const now = new Date();
        await this.repository.insertAll(
          tx,
          fresh.map(({ responsibleNationalId, cardIdentifier: _card, matches: _matches, ...u }) => {
            const id = this.ids.protect(responsibleNationalId);
            return { ...u, responsibleIdCipher: id.cipher, responsibleIdIndex: id.index, createdAt: now, updatedAt: now };
          }),
        );
        await this.audit.record(tx, { action: 'employer-registry.seed', targetType: 'employer_unit', summary: { inserted: fresh.length }, actor: options.actor });
      }
      return { inserted: fresh.length, present: present.size };
    });
  }
}
