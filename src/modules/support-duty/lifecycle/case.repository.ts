import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { Tx } from '../../../core/database';
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

const INSERT_CHUNK = 500;

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

  async insertSlots(tx: Tx, c: Pick<SupportDutyCase, 'id' | 'personIndex' | 'supportedInstitutionCode'>, slots: Slot[]): Promise<void> {
    const rows = slots.map((s) => ({ caseId: c.id, day: s.day, session: s.session, weekStart: s.weekStart, personIndex: c.personIndex, institutionCode: c.supportedInstitutionCode }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.getRepository(SupportDutySlot).insert(rows.slice(i, i + INSERT_CHUNK));
  }

  /** Removes a case's slots (all of them, or those after `afterDay`): they no longer count. */
  async deleteSlots(tx: Tx, caseId: string, afterDay: string | null = null): Promise<void> {
    const qb = tx.createQueryBuilder().delete().from(SupportDutySlot).where('case_id = :caseId', { caseId });
    if (afterDay) qb.andWhere('day > :afterDay', { afterDay });
    await qb.execute();
  }

  /** A person's live slots in the given weeks, other cases than `exclude`. */
  async personSlots(tx: Tx, personIndex: string, weeks: string[], exclude: string[]): Promise<Array<{ day: string; session: string; weekStart: string }>> {
    if (!weeks.length) return [];
    return (await tx.query(
      `SELECT DISTINCT DATE_FORMAT(day, '%Y-%m-%d') AS day, session, DATE_FORMAT(week_start, '%Y-%m-%d') AS weekStart
         FROM support_duty_slot WHERE person_index = ? AND week_start IN (?) AND case_id NOT IN (?)`,
      [personIndex, weeks, exclude.length ? exclude : ['0']],
    )) as Array<{ day: string; session: string; weekStart: string }>;
  }

  /** An institution's live supported sessions per week (distinct person, day and session), other cases than `exclude`. */
  async institutionWeekCounts(tx: Tx, institutionCode: string, weeks: string[], exclude: string[]): Promise<WeekCounts> {
    if (!weeks.length) return new Map();
    const rows = (await tx.query(
      `SELECT DATE_FORMAT(week_start, '%Y-%m-%d') AS weekStart, COUNT(DISTINCT person_index, day, session) AS n
         FROM support_duty_slot WHERE institution_code = ? AND week_start IN (?) AND case_id NOT IN (?) GROUP BY week_start`,
      [institutionCode, weeks, exclude.length ? exclude : ['0']],
    )) as Array<{ weekStart: string; n: string | number }>;
    return new Map(rows.map((r) => [r.weekStart, Number(r.n)]));
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
  weekUsage(institutionCode: string, weeks: string[]): Promise<WeekCounts> {
    return this.institutionWeekCounts(this.dataSource.manager, institutionCode, weeks, []);
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
