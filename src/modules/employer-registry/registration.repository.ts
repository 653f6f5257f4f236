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

  byReference(reference: string): Promise<EmployerRegistration | null> {
    return this.dataSource.getRepository(EmployerRegistration).findOneBy({ reference });
  }

  insertRegistration(tx: Tx, row: Omit<EmployerRegistration, 'id' | 'version'>): Promise<EmployerRegistration> {
    return tx.save(tx.create(EmployerRegistration, row));
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
