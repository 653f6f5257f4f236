import { Injectable } from '@nestjs/common';
import { visibleTo } from '../../common/access/access-policy';
import type { Principal } from '../../common/context/request-context';
import { ProtectedIdCodec } from '../../common/crypto/protected-id';
import { ConflictError, type FieldError } from '../../common/errors/domain-error';
import { checkText, textField } from '../../common/forms';
import { maskNationalId, validateNationalId } from '../../common/identifiers';
import { isIsoDay, taipeiDay } from '../../common/time/taipei-day';
import { csvFile } from '../../common/tables/csv';
import { readUploadedTable, textWorkbook } from '../../common/tables/xlsx';
import { Database, isDuplicateKey } from '../../core/database';
import { AuditService } from '../audit';
import type { InsuredMember } from './roster.entity';
import { RosterRepository } from './roster.repository';

export const ROSTER_PAGE_SIZE = 50;
/** The batch upload's columns, in the template's order. */
export const UPLOAD_COLUMNS = ['nationalId', 'name', 'birthDate', 'grade', 'startDate'] as const;

export interface EnrolInput {
  nationalId: string;
  name: string;
  birthDate: string;
  grade: number;
  startDate: string;
}

export type Outcome = { ok: true } | { ok: false; errors: FieldError[]; values: Record<string, unknown> };

/** A row of the batch upload that cannot be enrolled: its number (1 = first data row) and field. */
export interface RowProblem {
  row: number;
  field: string;
  messageKey: string;
}

/** The insured-staff roster of a unit: enrol (加保), withdraw (退保), change (異動), query, export, batch upload. */
@Injectable()
export class RosterService {
  constructor(
    private readonly repository: RosterRepository,
    private readonly ids: ProtectedIdCodec,
    private readonly database: Database,
    private readonly audit: AuditService,
  ) {}

  grades() {
    return this.repository.grades();
  }

  private owner(fn: string) {
    return (m: InsuredMember) => ({ unitCode: m.unitCode, function: fn });
  }

  /** One member in the principal's unit, reached through `fn` (out of scope: not found). */
  async member(principal: Principal, id: string, fn: string) {
    const m = visibleTo(principal, await this.repository.byId(id), this.owner(fn), 'member-not-found');
    return { ...m, nationalIdMasked: maskNationalId(this.ids.reveal(m.nationalIdCipher)) };
  }

  async list(principal: Principal, query: { page: number; status?: string; name?: string }) {
    const status = query.status === 'enrolled' || query.status === 'withdrawn' ? query.status : undefined;
    const [rows, total] = await this.repository.page({ unitCode: principal.unitCode ?? '', status, name: query.name || undefined }, ROSTER_PAGE_SIZE, (query.page - 1) * ROSTER_PAGE_SIZE);
    return { rows: rows.filter((m) => visibleTo(principal, m, this.owner('roster.query'))).map((m) => ({ ...m, nationalIdMasked: maskNationalId(this.ids.reveal(m.nationalIdCipher)) })), total };
  }

  async exportCsv(principal: Principal): Promise<string> {
    const rows = (await this.repository.all(principal.unitCode ?? '')).filter((m) => visibleTo(principal, m, this.owner('roster.export')));
    const header = ['national_id', 'name', 'birth_date', 'grade', 'start_date', 'status', 'withdraw_date'];
    return csvFile([header, ...rows.map((m) => [maskNationalId(this.ids.reveal(m.nationalIdCipher)), m.name, m.birthDate, String(m.grade), m.startDate, m.status, m.withdrawDate ?? ''])]);
  }

  /** One row's fields checked (the form's or an upload row's), against the grade table. */
  check(fields: Record<string, string>, grades: Set<number>): { input: EnrolInput | null; errors: FieldError[] } {
    const errors: FieldError[] = [];
    const id = validateNationalId((fields.nationalId ?? '').toUpperCase());
    if (!id.ok) errors.push({ field: 'nationalId', messageKey: fields.nationalId ? 'employers.register.errors.nationalIdInvalid' : 'employers.register.errors.nationalIdEmpty' });
    const name = (fields.name ?? '').trim();
    if (!name) errors.push({ field: 'name', messageKey: 'employers.register.errors.nameEmpty' });
    else checkText(errors, 'name', name, 60, 'employers.register.errors.nameTooLong');
    const birthDate = (fields.birthDate ?? '').trim();
    if (!isIsoDay(birthDate) || birthDate > taipeiDay()) errors.push({ field: 'birthDate', messageKey: 'roster.errors.birthDate' });
    const grade = Number(fields.grade);
    if (!grades.has(grade)) errors.push({ field: 'grade', messageKey: 'roster.errors.grade' });
    const startDate = (fields.startDate ?? '').trim();
    if (!isIsoDay(startDate)) errors.push({ field: 'startDate', messageKey: 'roster.errors.startDate' });
    if (errors.length || !id.ok) return { input: null, errors };
    return { input: { nationalId: id.value, name, birthDate, grade, startDate }, errors };
  }

  private async gradeSet() {
    return new Set((await this.repository.grades()).map((g) => g.grade));
  }

  private row(unitCode: string, input: EnrolInput) {
    const id = this.ids.protect(input.nationalId);
    const now = new Date();
    return { unitCode, nationalIdCipher: id.cipher, nationalIdIndex: id.index, activeKey: `${unitCode}:${id.index}`, name: input.name, birthDate: input.birthDate, grade: input.grade, startDate: input.startDate, status: 'enrolled' as const, withdrawDate: null, withdrawReason: null, createdAt: now, updatedAt: now };
  }

  async enrol(principal: Principal, body: unknown): Promise<Outcome> {
    const fields = Object.fromEntries(UPLOAD_COLUMNS.map((c) => [c, textField(body, c)]));
    const { input, errors } = this.check(fields, await this.gradeSet());
    if (!input) return { ok: false, errors, values: fields };
    const unitCode = principal.unitCode ?? '';
    const row = this.row(unitCode, input);
    // one enrolment per person and unit: the unique active key refuses a second one (below)
    try {
      await this.database.transaction(async (tx) => {
        await this.repository.insertAll(tx, [row]);
        await this.audit.record(tx, { action: 'roster.enrol', targetType: 'insured_member', targetId: unitCode, summary: { unitCode, nationalId: maskNationalId(input.nationalId), grade: input.grade } });
      });
    } catch (err) {
      if (isDuplicateKey(err)) return { ok: false, errors: [{ field: 'nationalId', messageKey: 'roster.errors.alreadyEnrolled' }], values: fields };
      throw err;
    }
    return { ok: true };
  }

  /** The upload's template: the header row, as CSV (UTF-8 with a BOM, for Excel) or as an XLSX workbook. */
  async uploadTemplate(format: 'csv' | 'xlsx'): Promise<{ type: string; filename: string; body: Buffer | string }> {
    if (format === 'xlsx') return { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: 'roster-template.xlsx', body: await textWorkbook([[...UPLOAD_COLUMNS]], { sheet: 'roster' }) };
    return { type: 'text/csv; charset=utf-8', filename: 'roster-template.csv', body: csvFile([[...UPLOAD_COLUMNS]]) };
  }

  /** The batch upload: every row checked first; any problem enrols nothing and reports every bad row. */
  async upload(principal: Principal, file: Buffer): Promise<{ ok: true; count: number } | { ok: false; problems: RowProblem[] }> {
    const table = await readUploadedTable(file);
    if (!table) return { ok: false, problems: [{ row: 0, field: 'file', messageKey: 'roster.errors.unreadable' }] };
    const [header, ...data] = table;
    if (!header || header.map((h) => h.trim()).join(',') !== UPLOAD_COLUMNS.join(',')) return { ok: false, problems: [{ row: 0, field: 'header', messageKey: 'roster.errors.header' }] };
    if (data.length === 0) return { ok: false, problems: [{ row: 0, field: 'file', messageKey: 'roster.errors.empty' }] };
    const grades = await this.gradeSet();
    const unitCode = principal.unitCode ?? '';
    const enrolled = await this.repository.activeKeys(unitCode);
    const seen = new Set<string>();
    const problems: RowProblem[] = [];
    const rows: Array<ReturnType<RosterService['row']>> = [];
    data.forEach((cells, i) => {
      const fields = Object.fromEntries(UPLOAD_COLUMNS.map((c, k) => [c, (cells[k] ?? '').trim()]));
      const { input, errors } = this.check(fields, grades);
      for (const e of errors) problems.push({ row: i + 1, field: e.field, messageKey: e.messageKey });
      if (!input) return;
      const row = this.row(unitCode, input);
      if (enrolled.has(row.activeKey!) || seen.has(row.activeKey!)) problems.push({ row: i + 1, field: 'nationalId', messageKey: 'roster.errors.alreadyEnrolled' });
      seen.add(row.activeKey!);
      rows.push(row);
    });
    if (problems.length) return { ok: false, problems };
    await this.database.transaction(async (tx) => {
      await this.repository.insertAll(tx, rows);
      await this.audit.record(tx, { action: 'roster.upload', targetType: 'insured_member', targetId: unitCode, summary: { unitCode, rows: rows.length } });
    });
    return { ok: true, count: rows.length };
  }

  async withdraw(principal: Principal, id: string, body: unknown): Promise<Outcome> {
    const m = await this.member(principal, id, 'roster.withdraw');
    const date = textField(body, 'withdrawDate');
    const reason = textField(body, 'withdrawReason');
    const values = { withdrawDate: date, withdrawReason: reason };
    const errors: FieldError[] = [];
    if (!isIsoDay(date) || date < m.startDate) errors.push({ field: 'withdrawDate', messageKey: 'roster.errors.withdrawDate' });
    if (!reason) errors.push({ field: 'withdrawReason', messageKey: 'roster.errors.reason' });
    else checkText(errors, 'withdrawReason', reason, 200, 'roster.errors.reasonTooLong');
    if (errors.length) return { ok: false, errors, values };
    await this.database.transaction(async (tx) => {
      if (!(await this.repository.update(tx, id, Number(textField(body, 'version')), { status: 'withdrawn', activeKey: null, withdrawDate: date, withdrawReason: reason, updatedAt: new Date() }))) throw new ConflictError('member-changed', 'roster.errors.changedMeanwhile');
      await this.audit.record(tx, { action: 'roster.withdraw', targetType: 'insured_member', targetId: id, summary: { unitCode: m.unitCode, date } });
    });
    return { ok: true };
  }

  async change(principal: Principal, id: string, body: unknown): Promise<Outcome> {
    const m = await this.member(principal, id, 'roster.change');
    const name = textField(body, 'name');
    const grade = Number(textField(body, 'grade'));
    const values = { name, grade: textField(body, 'grade') };
    const errors: FieldError[] = [];
    if (!name) errors.push({ field: 'name', messageKey: 'employers.register.errors.nameEmpty' });
    else checkText(errors, 'name', name, 60, 'employers.register.errors.nameTooLong');
    if (!(await this.gradeSet()).has(grade)) errors.push({ field: 'grade', messageKey: 'roster.errors.grade' });
    if (errors.length) return { ok: false, errors, values };
    await this.database.transaction(async (tx) => {
      if (!(await this.repository.update(tx, id, Number(textField(body, 'version')), { name, grade, updatedAt: new Date() }))) throw new ConflictError('member-changed', 'roster.errors.changedMeanwhile');
      await this.audit.record(tx, { action: 'roster.change', targetType: 'insured_member', targetId: id, summary: { unitCode: m.unitCode, from: { grade: m.grade, name: m.name }, to: { grade, name } } });
    });
    return { ok: true };
  }
}
