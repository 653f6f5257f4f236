import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Tx } from '../../core/database';
import { EmployerRegistration, EmployerReviewCase, type ReviewStatus } from './registration.entity';

/** Registrations' and review cases' queries. */
@Injectable()
export class RegistrationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  activeFor(unitCode: string, tx?: Tx): Promise<EmployerRegistration | null> {
    return (tx ?? this.dataSource.manager).getRepository(EmployerRegistration).findOneBy({ activeUnitCode: unitCode });
  }

  byId(id: string, tx?: Tx): Promise<EmployerRegistration | null> {
    return (tx ?? this.dataSource.manager).getRepository(EmployerRegistration).findOneBy({ id });
  }

  byReference(reference: string): Promise<EmployerRegistration | null> {
    return this.dataSource.getRepository(EmployerRegistration).findOneBy({ reference });
  }

  insertRegistration(tx: Tx, row: Omit<EmployerRegistration, 'id' | 'version' | 'kind' | 'replacesId'> & Partial<Pick<EmployerRegistration, 'kind' | 'replacesId'>>): Promise<EmployerRegistration> {
    return tx.save(tx.create(EmployerRegistration, { kind: 'register', replacesId: null, ...row }));
  }

  /** Ends the unit's active registration if it is still at `version`; false when someone else changed it first. */
  async end(tx: Tx, id: string, version: number, endedAt: Date): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(EmployerRegistration)
      .set({ activeUnitCode: null, endedAt, version: () => 'version + 1' })
      .where('id = :id AND version = :version AND active_unit_code IS NOT NULL', { id, version })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Every registration of a unit (first registration and replacements), oldest first. */
  registrationsOf(unitCode: string): Promise<EmployerRegistration[]> {
    return this.dataSource.getRepository(EmployerRegistration).find({ where: { unitCode }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Every review case of a unit, oldest first. */
  casesOf(unitCode: string): Promise<EmployerReviewCase[]> {
    return this.dataSource.getRepository(EmployerReviewCase).find({ where: { unitCode }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The latest review case of this unit for this certificate. */
  latestCase(unitCode: string, certSerial: string, certIssuer: string): Promise<EmployerReviewCase | null> {
    return this.dataSource.getRepository(EmployerReviewCase).findOne({ where: { unitCode, certSerial, certIssuer }, order: { id: 'DESC' } });
  }

  insertCase(tx: Tx, row: Omit<EmployerReviewCase, 'id' | 'version'>): Promise<EmployerReviewCase> {
    return tx.save(tx.create(EmployerReviewCase, row));
  }

  caseById(id: string): Promise<EmployerReviewCase | null> {
    return /^\d{1,18}$/.test(id) ? this.dataSource.getRepository(EmployerReviewCase).findOneBy({ id }) : Promise.resolve(null);
  }

  cases(status: ReviewStatus, take: number, skip: number): Promise<[EmployerReviewCase[], number]> {
    return this.dataSource.getRepository(EmployerReviewCase).findAndCount({ where: { status }, order: { id: 'ASC' }, take, skip });
  }

  /** Decides an open case if it is still at `version`; false when someone else changed it first. */
  async decide(tx: Tx, id: string, version: number, change: Pick<EmployerReviewCase, 'status' | 'decidedBy' | 'decidedAt' | 'reason'>): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(EmployerReviewCase)
      .set({ ...change, version: () => 'version + 1' })
      .where('id = :id AND version = :version AND status = :open', { id, version, open: 'open' })
      .execute();
    return (result.affected ?? 0) === 1;
  }
}
