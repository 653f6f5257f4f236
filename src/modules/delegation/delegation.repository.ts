import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Tx } from '../../core/database';
import { Delegation, DelegationHistory } from './delegation.entity';

/** Delegations' and their history's queries. */
@Injectable()
export class DelegationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  activeOfUnit(unitCode: string): Promise<Delegation[]> {
    return this.dataSource.getRepository(Delegation).find({ where: { unitCode, status: 'active' }, order: { id: 'ASC' } });
  }

  byId(id: string): Promise<Delegation | null> {
    return /^\d{1,18}$/.test(id) ? this.dataSource.getRepository(Delegation).findOneBy({ id }) : Promise.resolve(null);
  }

  /** Active delegations of a certificate serial (an operator may serve several units). */
  activeBySerial(certSerial: string): Promise<Delegation[]> {
    return this.dataSource.getRepository(Delegation).find({ where: { certSerial, status: 'active' }, order: { unitCode: 'ASC' } });
  }

  /** Active delegations of one operator (blind index of their national ID). */
  activeByOperator(operatorIdIndex: string): Promise<Delegation[]> {
    return this.dataSource.getRepository(Delegation).find({ where: { operatorIdIndex, status: 'active' }, order: { unitCode: 'ASC' } });
  }

  /** Active delegations of a credential type whose operator has this name (a citizen certificate carries only the ID's last four digits). */
  activeByName(operatorName: string, credentialType: Delegation['credentialType']): Promise<Delegation[]> {
    return this.dataSource.getRepository(Delegation).find({ where: { operatorName, credentialType, status: 'active' } });
  }

  /** Notes a renewed certificate's serial on delegations (not a change the operator made: no version bump). */
  async noteRenewal(ids: string[], serial: string, at: Date): Promise<void> {
    if (ids.length) await this.dataSource.createQueryBuilder().update(Delegation).set({ renewalSerial: serial, renewalAt: at }).whereInIds(ids).execute();
  }

  /** The delegations (of these) whose history names this serial: a certificate they had before (not a renewal). */
  async hadSerial(ids: string[], serial: string): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await this.dataSource
      .getRepository(DelegationHistory)
      .createQueryBuilder('h')
      .select('DISTINCT h.delegation_id', 'id')
      .where('h.delegation_id IN (:...ids) AND h.summary LIKE :serial', { ids, serial: `%"${serial.replace(/[^0-9A-F]/g, '')}"%` })
      .getRawMany<{ id: string | number }>();
    return new Set(rows.map((r) => String(r.id)));
  }

  /** Active delegations ending between `from` and `until` (days, inclusive) not reminded yet. */
  endingUnreminded(from: string, until: string): Promise<Delegation[]> {
    return this.dataSource
      .getRepository(Delegation)
      .createQueryBuilder('d')
      .where("d.status = 'active' AND d.ends_on IS NOT NULL AND d.ends_on BETWEEN :from AND :until AND d.end_reminded_at IS NULL", { from, until })
      .orderBy('d.id', 'ASC')
      .getMany();
  }

  /** Marks the reminder sent if nobody did yet (true: this caller sends it). */
  async markEndReminded(tx: Tx, id: string, at: Date): Promise<boolean> {
    const result = await tx.createQueryBuilder().update(Delegation).set({ endRemindedAt: at }).where('id = :id AND end_reminded_at IS NULL', { id }).execute();
    return (result.affected ?? 0) === 1;
  }

  insert(tx: Tx, row: Omit<Delegation, 'id' | 'version'>): Promise<Delegation> {
    return tx.save(tx.create(Delegation, row));
  }

  /** Applies a change if the row is still active at `version`; false when someone changed it first. */
  async update(tx: Tx, id: string, version: number, change: Partial<Omit<Delegation, 'id' | 'version'>>): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(Delegation)
      .set({ ...change, version: () => 'version + 1' })
      .where('id = :id AND version = :version AND status = :active', { id, version, active: 'active' })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async addHistory(tx: Tx, row: Omit<DelegationHistory, 'id'>): Promise<void> {
    await tx.getRepository(DelegationHistory).insert(row);
  }

  history(unitCode: string): Promise<DelegationHistory[]> {
    return this.dataSource.getRepository(DelegationHistory).find({ where: { unitCode }, order: { id: 'DESC' }, take: 5000 });
  }
}
