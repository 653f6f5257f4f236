import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { Tx } from '../../../core/database';
import { insertMany } from '../../../core/sql';
import type { CaseState } from './case-state';
import type { Slot } from './periods';
import { SupportDutyAttachment, SupportDutyCase, SupportDutyMessage, SupportDutySlot, type Purpose } from './support-duty.entity';

/** The case fields a filing form sets (everything but the state, the decision and the bookkeeping). */
export type CaseFields = Pick<
  SupportDutyCase,
  | 'professionalId'
  | 'personIndex'
  | 'professionalName'
  | 'categoryCode'
  | 'certificateNumber'
  | 'homeInstitutionCode'
  | 'supportedInstitutionCode'
  | 'countyCode'
  | 'departmentCode'
  | 'purpose'
  | 'purposeText'
  | 'periods'
  | 'firstDay'
  | 'lastDay'
  | 'sessionCount'
>;

/** Whose cases a list shows: a person's own, an institution's staff's, or those it is supported by (the review queue: queuePage). */
export type CaseScope = { personnelId: string } | { institutionCode: string } | { supportedInstitutionCode: string };

export interface CaseFilter {
  statuses?: CaseState[];
  /** Cases with a period on or after / on or before this day. */
  from?: string | null;
  to?: string | null;
  /** Home or supported institution code. */
  institutionCode?: string | null;
  categoryCode?: string | null;
  purpose?: Purpose | null;
  page: number;
  pageSize: number;
}

/** Where a queue page starts: after (older than) or before (newer than) a case, by (submitted time, id). */
export interface QueueCursor {
  direction: 'after' | 'before';
  submittedAt: Date;
  id: string;
}

/** Week starts → the sessions counted (see the quota rules). */
export type WeekCounts = Map<string, number>;

/** Rows to one multi-row INSERT (a batch's cases, slots). */
const INSERT_CHUNK = 2_000;

/** The support-duty tables' queries. */
@Injectable()
export class CaseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string): Promise<SupportDutyCase | null> {
    return /^\d{1,18}$/.test(id) ? this.dataSource.getRepository(SupportDutyCase).findOneBy({ id }) : Promise.resolve(null);
  }

  inTransaction(tx: Tx, id: string): Promise<SupportDutyCase> {
    return tx.getRepository(SupportDutyCase).findOneByOrFail({ id });
  }

  /** A draft change of `id` not yet submitted, if one exists. */
  openChangeOf(id: string): Promise<SupportDutyCase | null> {
    return this.dataSource.getRepository(SupportDutyCase).findOne({ where: { supersedesCaseId: id, status: 'draft' }, order: { id: 'DESC' } });
  }

  async insertDraft(tx: Tx, fields: CaseFields & Pick<SupportDutyCase, 'filedByKind' | 'filedById' | 'lang' | 'supersedesCaseId'>): Promise<string> {
    const now = new Date();
    const result = await tx.getRepository(SupportDutyCase).insert({ ...fields, status: 'draft', createdAt: now, updatedAt: now });
    return String(result.identifiers[0].id);
  }

  /**
   * Inserts cases already submitted (a batch, CaseLifecycle.fileMany) in multi-row INSERTs and
   * gives each its case number (caseNumberOf: SD and the id on 10 digits, here in SQL); returns
   * their ids in order. The ids of one multi-row INSERT are consecutive in InnoDB: the numbering
   * UPDATE checks that the id range holds exactly this INSERT's rows.
   */
  async insertSubmitted(tx: Tx, rows: SupportDutyCase[]): Promise<string[]> {
    const ids: string[] = [];
    const firstIds = await insertMany(tx, SupportDutyCase, rows, INSERT_CHUNK);
    for (const [k, first] of firstIds.entries()) {
      const chunk = rows.slice(k * INSERT_CHUNK, (k + 1) * INSERT_CHUNK);
      const result = (await tx.query(
        "UPDATE support_duty_case SET case_number = CONCAT('SD', LPAD(id, 10, '0')) WHERE id BETWEEN ? AND ? AND case_number IS NULL AND filed_by_id = ? AND created_at = ?",
        [first, first + chunk.length - 1, chunk[0].filedById, chunk[0].createdAt],
      )) as { affectedRows: number };
      if (result.affectedRows !== chunk.length) throw new Error('support-duty batch: the ids of a multi-row insert were not consecutive');
      ids.push(...chunk.map((_, j) => String(first + j)));
    }
    return ids;
  }

  /** Rewrites a draft still at `version`; false when it changed meanwhile (or is no longer a draft). */
  async updateDraft(tx: Tx, row: Pick<SupportDutyCase, 'id' | 'version'>, fields: CaseFields): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(SupportDutyCase)
      .set({ ...fields, updatedAt: new Date() })
      .where("id = :id AND version = :version AND status = 'draft'", { id: row.id, version: row.version })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Moves a case still at `version` and `from`; false when it changed meanwhile. */
  async updateState(tx: Tx, row: Pick<SupportDutyCase, 'id' | 'version'>, from: CaseState, to: CaseState, set: Partial<SupportDutyCase> = {}): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(SupportDutyCase)
      .set({ ...set, status: to, updatedAt: new Date() })
      .where('id = :id AND version = :version AND status = :from', { id: row.id, version: row.version, from })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** The slots of cases (each case's own), in multi-row INSERTs. */
  async insertSlots(tx: Tx, cases: Array<{ c: Pick<SupportDutyCase, 'id' | 'personIndex' | 'supportedInstitutionCode'>; slots: Slot[] }>): Promise<void> {
    const rows = cases.flatMap(({ c, slots }) => slots.map((s) => ({ caseId: c.id, day: s.day, session: s.session, weekStart: s.weekStart, personIndex: c.personIndex, institutionCode: c.supportedInstitutionCode })));
    await insertMany(tx, SupportDutySlot, rows, INSERT_CHUNK);
  }

  /** Removes a case's slots (all of them, or those after `afterDay`): they no longer count. */
  async deleteSlots(tx: Tx, caseId: string, afterDay: string | null = null): Promise<void> {
    const qb = tx.createQueryBuilder().delete().from(SupportDutySlot).where('case_id = :caseId', { caseId });
    if (afterDay) qb.andWhere('day > :afterDay', { afterDay });
    await qb.execute();
  }

  /** The people's live slots (by blind index) in the given weeks, other cases than `exclude`. */
  async peopleSlots(tx: Tx, personIndexes: string[], weeks: string[], exclude: string[]): Promise<Array<{ personIndex: string; day: string; session: string; weekStart: string }>> {
    if (!weeks.length || !personIndexes.length) return [];
    return (await tx.query(
      `SELECT DISTINCT person_index AS personIndex, DATE_FORMAT(day, '%Y-%m-%d') AS day, session, DATE_FORMAT(week_start, '%Y-%m-%d') AS weekStart
         FROM support_duty_slot WHERE person_index IN (?) AND week_start IN (?) AND case_id NOT IN (?)`,
      [personIndexes, weeks, exclude.length ? exclude : ['0']],
    )) as Array<{ personIndex: string; day: string; session: string; weekStart: string }>;
  }

  /** The institutions' live supported sessions per week (distinct person, day and session), other cases than `exclude`: code → week → count. */
  async institutionsWeekCounts(tx: Tx, institutionCodes: string[], weeks: string[], exclude: string[]): Promise<Map<string, WeekCounts>> {
    const counts = new Map<string, WeekCounts>();
    if (!weeks.length || !institutionCodes.length) return counts;
    const rows = (await tx.query(
      `SELECT institution_code AS code, DATE_FORMAT(week_start, '%Y-%m-%d') AS weekStart, COUNT(DISTINCT person_index, day, session) AS n
         FROM support_duty_slot WHERE institution_code IN (?) AND week_start IN (?) AND case_id NOT IN (?) GROUP BY institution_code, week_start`,
      [institutionCodes, weeks, exclude.length ? exclude : ['0']],
    )) as Array<{ code: string; weekStart: string; n: string | number }>;
    for (const r of rows) {
      if (!counts.has(r.code)) counts.set(r.code, new Map());
      counts.get(r.code)!.set(r.weekStart, Number(r.n));
    }
    return counts;
  }

  /** One page of cases in a scope, newest first, and how many there are. */
  async list(scope: CaseScope, filter: CaseFilter): Promise<{ rows: SupportDutyCase[]; total: number }> {
    const qb = this.dataSource.getRepository(SupportDutyCase).createQueryBuilder('c');
    if ('personnelId' in scope) qb.where('c.professionalId = :pid', { pid: Number(scope.personnelId) || 0 });
    else if ('institutionCode' in scope) qb.where('c.homeInstitutionCode = :home', { home: scope.institutionCode });
    else qb.where('c.supportedInstitutionCode = :supported', { supported: scope.supportedInstitutionCode });
    this.filtered(qb, filter);
    const [rows, total] = await qb
      .orderBy('c.id', 'DESC')
      .skip((filter.page - 1) * filter.pageSize)
      .take(filter.pageSize)
      .getManyAndCount();
    return { rows, total };
  }

  /**
   * One page of a review queue (a county's, or every county's) by key: newest submission first,
   * (submitted_at, id) after or before the cursor, read along idx_sd_county_queue (county, status,
   * submitted_at, + the primary key) for one status, idx_sd_county_submitted for several. One row
   * more than the page says whether there is another page. No COUNT: see countUpTo.
   */
  async queuePage(countyCode: string | null, filter: Omit<CaseFilter, 'page'>, cursor: QueueCursor | null): Promise<{ rows: SupportDutyCase[]; more: boolean }> {
    const qb = this.queueQuery(countyCode, filter);
    if (cursor) {
      const op = cursor.direction === 'after' ? '<' : '>';
      qb.andWhere(`(c.submittedAt ${op} :at OR (c.submittedAt = :at AND c.id ${op} :cid))`, { at: cursor.submittedAt, cid: cursor.id });
    }
    const order = cursor?.direction === 'before' ? 'ASC' : 'DESC';
    const rows = await qb.orderBy('c.submittedAt', order).addOrderBy('c.id', order).take(filter.pageSize + 1).getMany();
    const more = rows.length > filter.pageSize;
    const page = rows.slice(0, filter.pageSize);
    return { rows: order === 'ASC' ? page.reverse() : page, more };
  }

  /** How many cases a queue holds, counted up to `limit` (the index range is read no further). */
  async countUpTo(countyCode: string | null, filter: Omit<CaseFilter, 'page'>, limit: number): Promise<number> {
    const [sql, params] = this.queueQuery(countyCode, filter).select('c.id').limit(limit).getQueryAndParameters();
    const [row] = (await this.dataSource.query(`SELECT COUNT(*) AS n FROM (${sql}) AS q`, params)) as Array<{ n: string | number }>;
    return Number(row.n);
  }

  private queueQuery(countyCode: string | null, filter: Omit<CaseFilter, 'page'>): SelectQueryBuilder<SupportDutyCase> {
    const qb = this.dataSource.getRepository(SupportDutyCase).createQueryBuilder('c');
    if (countyCode) qb.where('c.countyCode = :county', { county: countyCode });
    else qb.where('1 = 1');
    this.filtered(qb, { ...filter, page: 1 });
    return qb;
  }

  private filtered(qb: SelectQueryBuilder<SupportDutyCase>, f: CaseFilter): void {
    if (f.statuses?.length) qb.andWhere('c.status IN (:...statuses)', { statuses: f.statuses });
    if (f.from) qb.andWhere('c.lastDay >= :from', { from: f.from });
    if (f.to) qb.andWhere('c.firstDay <= :to', { to: f.to });
    if (f.institutionCode) qb.andWhere('(c.homeInstitutionCode = :inst OR c.supportedInstitutionCode = :inst)', { inst: f.institutionCode });
    if (f.categoryCode) qb.andWhere('c.categoryCode = :category', { category: f.categoryCode });
    if (f.purpose) qb.andWhere('c.purpose = :purpose', { purpose: f.purpose });
  }

  attachments(caseId: string): Promise<SupportDutyAttachment[]> {
    return this.dataSource.getRepository(SupportDutyAttachment).find({ where: { caseId }, order: { id: 'ASC' } });
  }

  async addAttachments(tx: Tx, rows: Array<Omit<SupportDutyAttachment, 'id' | 'createdAt'>>): Promise<void> {
    if (rows.length) await tx.getRepository(SupportDutyAttachment).insert(rows.map((r) => ({ ...r, createdAt: new Date() })));
  }

  /** A change starts with the attachments of the case it changes. */
  async copyAttachments(tx: Tx, fromCaseId: string, toCaseId: string): Promise<void> {
    const rows = await tx.getRepository(SupportDutyAttachment).find({ where: { caseId: fromCaseId }, order: { id: 'ASC' } });
    await this.addAttachments(tx, rows.map(({ filename, contentType, size, sha256 }) => ({ caseId: toCaseId, filename, contentType, size, sha256 })));
  }

  /** An institution's own staff's cases by status. */
  async countsByStatus(homeInstitutionCode: string): Promise<Map<string, number>> {
    const rows = (await this.dataSource.query('SELECT status, COUNT(*) AS n FROM support_duty_case WHERE home_institution_code = ? GROUP BY status', [homeInstitutionCode])) as Array<{ status: string; n: string | number }>;
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Supported sessions per week at an institution (live cases), outside a transaction. */
  async weekUsage(institutionCode: string, weeks: string[]): Promise<WeekCounts> {
    return (await this.institutionsWeekCounts(this.dataSource.manager, [institutionCode], weeks, [])).get(institutionCode) ?? new Map();
  }

  /** Approved cases of an institution's staff whose last day falls within [from, to]. */
  endingBetween(homeInstitutionCode: string, from: string, to: string): Promise<SupportDutyCase[]> {
    return this.dataSource
      .getRepository(SupportDutyCase)
      .createQueryBuilder('c')
      .where("c.homeInstitutionCode = :home AND c.status = 'approved' AND c.lastDay BETWEEN :from AND :to", { home: homeInstitutionCode, from, to })
      .orderBy('c.lastDay', 'ASC')
      .take(100)
      .getMany();
  }

  async addMessage(tx: Tx, message: Omit<SupportDutyMessage, 'id' | 'createdAt'>): Promise<void> {
    await tx.getRepository(SupportDutyMessage).insert({ ...message, createdAt: new Date() });
  }

  messagesFor(recipientKind: SupportDutyMessage['recipientKind'], recipientId: string, limit = 100): Promise<SupportDutyMessage[]> {
    return this.dataSource.getRepository(SupportDutyMessage).find({ where: { recipientKind, recipientId }, order: { id: 'DESC' }, take: limit });
  }
}
