import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, MoreThan, type EntityManager, type EntitySubscriberInterface, type QueryRunner, type TransactionCommitEvent, type TransactionRollbackEvent } from 'typeorm';
import { CaCertificate, CaRole, CredentialFamilyCode, CrlRecord, IssuedCertificate } from './certificates.entity';

/** What changes the trust store: compared cheaply to decide whether to reload. */
export interface TrustStamp {
  crlMaxId: number;
  caCount: number;
  caChangedAt: number;
}

type AfterCommit = () => Promise<void>;

/**
 * Work to run once a transaction has committed (never when it rolls back), by query runner: a
 * TypeORM subscriber, registered once per DataSource, runs it when the outermost transaction
 * commits, before `transaction()` resolves. The work must not throw (the data is committed).
 */
const afterCommitWork = new WeakMap<QueryRunner, AfterCommit[]>();
const subscribed = new WeakSet<DataSource>();

const afterCommitSubscriber: EntitySubscriberInterface = {
  async afterTransactionCommit(event: TransactionCommitEvent) {
    if (event.queryRunner.isTransactionActive) return; // a savepoint released: the outer transaction may still roll back
    const work = afterCommitWork.get(event.queryRunner);
    afterCommitWork.delete(event.queryRunner);
    for (const fn of work ?? []) await fn();
  },
  afterTransactionRollback(event: TransactionRollbackEvent) {
    if (!event.queryRunner.isTransactionActive) afterCommitWork.delete(event.queryRunner);
  },
};

/** All TypeORM code of the certificates module. */
@Injectable()
export class CertificatesRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    if (!subscribed.has(dataSource)) {
      subscribed.add(dataSource);
      dataSource.subscribers.push(afterCommitSubscriber);
    }
  }

  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /** Runs `work` when the transaction of `manager` has committed (see afterCommitSubscriber). */
  afterCommit(manager: EntityManager, work: AfterCommit): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('afterCommit needs the EntityManager of an open transaction');
    const list = afterCommitWork.get(runner) ?? [];
    list.push(work);
    afterCommitWork.set(runner, list);
  }

  // ------------------------------------------------------------------------------------------
  // ca_certificate
  // ------------------------------------------------------------------------------------------

  listCas(): Promise<CaCertificate[]> {
    return this.dataSource.getRepository(CaCertificate).find({ order: { family: 'ASC', role: 'DESC', id: 'ASC' } });
  }

  enabledCas(): Promise<CaCertificate[]> {
    return this.dataSource.getRepository(CaCertificate).find({ where: { enabled: true }, order: { id: 'ASC' } });
  }

  findCa(id: number, manager: EntityManager = this.dataSource.manager): Promise<CaCertificate | null> {
    return manager.getRepository(CaCertificate).findOneBy({ id });
  }

  findCaBySlug(slug: string): Promise<CaCertificate | null> {
    return this.dataSource.getRepository(CaCertificate).findOneBy({ slug });
  }

  findCaByFingerprint(fingerprint: string): Promise<CaCertificate | null> {
    return this.dataSource.getRepository(CaCertificate).findOneBy({ fingerprint: fingerprint.toUpperCase() });
  }

  /** Enabled development CAs of a family and role (for issuing CAs: under `parentId`), newest first. */
  devCas(family: CredentialFamilyCode, role: CaRole, parentId?: number): Promise<CaCertificate[]> {
    return this.dataSource.getRepository(CaCertificate).find({
      where: { family, role, source: 'dev', enabled: true, ...(parentId === undefined ? {} : { parentId }) },
      order: { id: 'DESC' },
    });
  }

  /** CAs whose keys we hold (we sign their CRLs). */
  ownCas(): Promise<CaCertificate[]> {
    return this.dataSource
      .getRepository(CaCertificate)
      .createQueryBuilder('ca')
      .where('ca.hsmKeyLabel IS NOT NULL')
      .orderBy('ca.id', 'ASC')
      .getMany();
  }

  /** Enabled CAs of others with a CRL address (we fetch their CRLs). */
  remoteCrlSources(): Promise<CaCertificate[]> {
    return this.dataSource
      .getRepository(CaCertificate)
      .createQueryBuilder('ca')
      .where('ca.hsmKeyLabel IS NULL AND ca.crlUrl IS NOT NULL AND ca.enabled = 1')
      .orderBy('ca.id', 'ASC')
      .getMany();
  }

  /** `base`, or `base-2`, `base-3`... whichever is free. */
  async uniqueSlug(base: string): Promise<string> {
    const taken = new Set(
      (
        await this.dataSource
          .getRepository(CaCertificate)
          .createQueryBuilder('ca')
          .select('ca.slug', 'slug')
          .where('ca.slug = :base OR ca.slug LIKE :like', { base, like: `${base}-%` })
          .getRawMany<{ slug: string }>()
      ).map((row) => row.slug),
    );
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  async insertCa(manager: EntityManager, fields: Omit<CaCertificate, 'id' | 'createdAt' | 'updatedAt'>): Promise<CaCertificate> {
    const now = new Date();
    return manager.save(manager.create(CaCertificate, { ...fields, createdAt: now, updatedAt: now }));
  }

  /** Locks a CA row for the rest of the transaction (serialises CRL numbering). */
  lockCa(manager: EntityManager, id: number): Promise<CaCertificate | null> {
    return manager.getRepository(CaCertificate).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async setCaEnabled(manager: EntityManager, id: number, enabled: boolean): Promise<void> {
    await manager.update(CaCertificate, { id }, { enabled, updatedAt: new Date() });
  }

  /** Every CA certificate this CA issued that is in the trust store, enabled or not. */
  allChildCas(parentId: number): Promise<CaCertificate[]> {
    return this.dataSource.getRepository(CaCertificate).findBy({ parentId });
  }

  async setCaRevocation(manager: EntityManager, id: number, revocationPolicy: CaCertificate['revocationPolicy'], ocspUrl: string | null): Promise<void> {
    await manager.update(CaCertificate, { id }, { revocationPolicy, ocspUrl, updatedAt: new Date() });
  }

  childCas(parentId: number): Promise<CaCertificate[]> {
    return this.dataSource.getRepository(CaCertificate).findBy({ parentId, enabled: true });
  }

  // ------------------------------------------------------------------------------------------
  // issued_certificate
  // ------------------------------------------------------------------------------------------

  async insertIssued(manager: EntityManager, fields: Omit<IssuedCertificate, 'id' | 'createdAt' | 'updatedAt' | 'version'>): Promise<IssuedCertificate> {
    const now = new Date();
    return manager.save(manager.create(IssuedCertificate, { ...fields, createdAt: now, updatedAt: now }));
  }

  findIssued(id: number, manager: EntityManager = this.dataSource.manager): Promise<IssuedCertificate | null> {
    return manager.getRepository(IssuedCertificate).findOneBy({ id });
  }

  findIssuedBySerial(issuerId: number, serialHex: string): Promise<IssuedCertificate | null> {
    return this.dataSource.getRepository(IssuedCertificate).findOneBy({ issuerId, serialHex: serialHex.toUpperCase() });
  }

  /** CA certificates recorded under their parents that are no longer good (revoked CAs). */
  revokedCaRecords(): Promise<Pick<IssuedCertificate, 'issuerId' | 'serialHex'>[]> {
    return this.dataSource.getRepository(IssuedCertificate).find({
      select: { issuerId: true, serialHex: true },
      where: { subjectKind: 'ca', status: In(['revoked', 'on-hold']) },
    });
  }

  findIssuedByHolder(holderRef: string): Promise<IssuedCertificate[]> {
    return this.dataSource.getRepository(IssuedCertificate).find({ where: { holderRef }, order: { id: 'DESC' } });
  }

  /** The good, unexpired certificate of this kind (e.g. an OCSP responder's) of an issuer that expires last, or null. */
  latestValidOfKind(issuerId: number, subjectKind: string): Promise<IssuedCertificate | null> {
    return this.dataSource.getRepository(IssuedCertificate).findOne({
      where: { issuerId, subjectKind, status: 'good', notAfter: MoreThan(new Date()) },
      order: { notAfter: 'DESC', id: 'DESC' },
    });
  }

  /** What a CRL lists of an issuer's revoked and held certificates (only these columns: a CRL may list 100,000). */
  listedOnCrl(manager: EntityManager, issuerId: number): Promise<Pick<IssuedCertificate, 'serialHex' | 'revokedAt' | 'updatedAt' | 'revocationReason'>[]> {
    return manager.getRepository(IssuedCertificate).find({
      select: { serialHex: true, revokedAt: true, updatedAt: true, revocationReason: true },
      where: { issuerId, status: In(['revoked', 'on-hold']) },
      order: { id: 'ASC' },
    });
  }

  /**
   * Changes the revocation state when the row still has `version`; returns false when it does
   * not (changed meanwhile, or gone).
   */
  async updateRevocation(
    manager: EntityManager,
    id: number,
    version: number,
    change: Pick<IssuedCertificate, 'status' | 'revocationReason' | 'revokedAt'>,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(IssuedCertificate)
      .set({ ...change, updatedAt: new Date(), version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id, version })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** When an issuer's certificates last changed state (null: never). */
  async lastIssuedChange(issuerId: number): Promise<Date | null> {
    const row = await this.dataSource
      .getRepository(IssuedCertificate)
      .createQueryBuilder('i')
      .select('MAX(i.updatedAt)', 'changed')
      .where('i.issuerId = :issuerId AND i.updatedAt > i.createdAt', { issuerId })
      .getRawOne<{ changed: Date | string | null }>();
    return row?.changed ? new Date(row.changed) : null;
  }

  // ------------------------------------------------------------------------------------------
  // crl
  // ------------------------------------------------------------------------------------------

  latestCrl(issuerId: number, manager: EntityManager = this.dataSource.manager): Promise<CrlRecord | null> {
    return manager.getRepository(CrlRecord).findOne({ where: { issuerId }, order: { id: 'DESC' } });
  }

  /** The latest CRL of every CA. */
  latestCrls(): Promise<CrlRecord[]> {
    return this.dataSource
      .getRepository(CrlRecord)
      .createQueryBuilder('c')
      .where('c.id IN (SELECT MAX(m.id) FROM crl m GROUP BY m.issuer_id)')
      .getMany();
  }

  async maxCrlNumber(manager: EntityManager, issuerId: number): Promise<number> {
    const row = await manager
      .getRepository(CrlRecord)
      .createQueryBuilder('c')
      .select('MAX(c.crlNumber)', 'n')
      .where('c.issuerId = :issuerId', { issuerId })
      .getRawOne<{ n: string | number | null }>();
    return Number(row?.n ?? 0);
  }

  insertCrl(manager: EntityManager, fields: Omit<CrlRecord, 'id' | 'createdAt'>): Promise<CrlRecord> {
    return manager.save(manager.create(CrlRecord, { ...fields, createdAt: new Date() }));
  }

  /** Keeps the newest `keep` CRLs of an issuer. */
  async pruneCrls(manager: EntityManager, issuerId: number, keep: number): Promise<void> {
    const ids: Array<{ id: number }> = await manager.query('SELECT id FROM crl WHERE issuer_id = ? ORDER BY id DESC LIMIT 1000 OFFSET ?', [issuerId, keep]);
    if (ids.length) await manager.delete(CrlRecord, { id: In(ids.map((row) => row.id)) });
  }

  // ------------------------------------------------------------------------------------------

  async trustStamp(): Promise<TrustStamp> {
    const [row] = await this.dataSource.query(
      'SELECT (SELECT COALESCE(MAX(id), 0) FROM crl) AS crl_max, (SELECT COUNT(*) FROM ca_certificate) AS ca_count, (SELECT MAX(updated_at) FROM ca_certificate) AS ca_changed',
    );
    return { crlMaxId: Number(row.crl_max), caCount: Number(row.ca_count), caChangedAt: row.ca_changed ? new Date(row.ca_changed).getTime() : 0 };
  }
}
