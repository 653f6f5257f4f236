import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A registered professional a synthetic case is filed for (the registry's row, as a case copies it). */
export interface SyntheticPerson {
  id: number;
  personIndex: string;
  name: string;
  categoryCode: string;
  certificateNumber: string;
  homeInstitutionCode: string;
}

export interface SyntheticInstitution {
  code: string;
  countyCode: string;
}

/** One synthetic case row, in support_duty_case's column order below. */
export type SyntheticCaseRow = [
  caseNumber: string,
  status: string,
  person: SyntheticPerson,
  supported: SyntheticInstitution,
  purpose: string,
  firstDay: string,
  lastDay: string,
  sessionCount: number,
  submittedAt: string,
  decidedAt: string | null,
];

const COLUMNS = `case_number, status, professional_id, person_index, professional_name, category_code, certificate_number,
  home_institution_code, supported_institution_code, county_code, department_code, purpose, periods, first_day, last_day,
  session_count, filed_by_kind, filed_by_id, lang, submitted_at, decided_at, decided_by, created_at, updated_at, version`;

/**
 * Synthetic support-duty cases for benchmarks and demos (`npm run cli -- dev generate`): bulk
 * multi-row INSERTs straight into support_duty_case (no events; a rebuild recounts the summaries),
 * over the registry's professionals and institutions.
 */
@Injectable()
export class SyntheticCasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async people(limit = 5000): Promise<SyntheticPerson[]> {
    const rows = (await this.dataSource.query(
      // only people whose home institution is in the registry (a case refers to it)
      'SELECT p.id, p.national_id_index, p.name_zh, p.category_code, p.certificate_number, p.home_institution_code FROM professional p JOIN institution i ON i.code = p.home_institution_code ORDER BY p.id LIMIT ?',
      [limit],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: Number(r.id),
      personIndex: String(r.national_id_index),
      name: String(r.name_zh),
      categoryCode: String(r.category_code),
      certificateNumber: String(r.certificate_number),
      homeInstitutionCode: String(r.home_institution_code),
    }));
  }

  async institutions(limit = 5000): Promise<SyntheticInstitution[]> {
    const rows = (await this.dataSource.query('SELECT code, county_code FROM institution ORDER BY code LIMIT ?', [limit])) as Array<{ code: string; county_code: string }>;
    return rows.map((r) => ({ code: r.code, countyCode: r.county_code }));
  }

  /** The next free number of the synthetic case-number series (SX + 10 digits). */
  async nextNumber(): Promise<number> {
    const [row] = (await this.dataSource.query("SELECT MAX(case_number) AS n FROM support_duty_case WHERE case_number LIKE 'SX%'")) as Array<{ n: string | null }>;
    return row?.n ? Number(row.n.slice(2)) + 1 : 1;
  }

  /** One multi-row INSERT of `rows`. */
  async insert(rows: SyntheticCaseRow[]): Promise<void> {
    if (!rows.length) return;
    const params: unknown[] = [];
    const values = rows.map(([caseNumber, status, p, s, purpose, firstDay, lastDay, sessions, submittedAt, decidedAt]) => {
      params.push(caseNumber, status, p.id, p.personIndex, p.name, p.categoryCode, p.certificateNumber, p.homeInstitutionCode, s.code, s.countyCode, '01', purpose, '[]', firstDay, lastDay, sessions);
      params.push('personnel', String(p.id), 'zh-TW', submittedAt, decidedAt, decidedAt ? 'synthetic' : null, submittedAt, decidedAt ?? submittedAt, decidedAt ? 3 : 2);
      return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
    });
    await this.dataSource.query(`INSERT INTO support_duty_case (${COLUMNS}) VALUES ${values.join(', ')}`, params);
  }
}
