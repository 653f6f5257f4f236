import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Tx } from '../../core/database';
import { MONTHLY_FORMATS, type MonthlyFormat } from './report-files';


/** One stored report file (a monthly report's, or a large PDF a job made). */
export interface StoredFile {
  format: MonthlyFormat;
  contentHash: string;
  mediaType: string;
  content: Buffer;
}

/** One county's report for one month, as listed (without the bytes). */
export interface MonthlyListing {
  countyCode: string;
  /** 'YYYY-MM'. */
  month: string;
  formats: Array<{ format: MonthlyFormat; bytes: number }>;
  createdAt: Date;
}

const monthDay = (month: string) => `${month}-01`;
const monthOf = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v)).slice(0, 7);

/** The report files (report_file, by content hash) and the monthly reports' listing (report_monthly). */
@Injectable()
export class ReportFilesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The counties (of these) that already have their report for `month`. */
  async countiesDone(month: string): Promise<Set<string>> {
    const rows = (await this.dataSource.query('SELECT DISTINCT county_code FROM report_monthly WHERE month = ?', [monthDay(month)])) as Array<{ county_code: string }>;
    return new Set(rows.map((r) => r.county_code));
  }

  /**
   * Stores a county's files for a month; false (and nothing listed) when another run listed them
   * first: the unique (county, month, format) key decides, waiting on the other's commit.
   */
  async store(tx: Tx, countyCode: string, month: string, files: StoredFile[]): Promise<boolean> {
    for (const f of files) await this.saveFile(tx, f);
    let listed = 0;
    for (const f of files) {
      const result = (await tx.query('INSERT IGNORE INTO report_monthly (county_code, month, format, content_hash, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))', [countyCode, monthDay(month), f.format, f.contentHash])) as { affectedRows?: number };
      listed += result.affectedRows ?? 0;
    }
    return listed === files.length;
  }

  /** The reports of one county (or all: null), newest month first, then by county. */
  async list(countyCode: string | null): Promise<MonthlyListing[]> {
    const rows = (await this.dataSource.query(
      `SELECT m.county_code, m.month, m.format, f.bytes, m.created_at FROM report_monthly m JOIN report_file f ON f.content_hash = m.content_hash
       ${countyCode ? 'WHERE m.county_code = ?' : ''} ORDER BY m.month DESC, m.county_code, m.format`,
      countyCode ? [countyCode] : [],
    )) as Array<{ county_code: string; month: unknown; format: MonthlyFormat; bytes: unknown; created_at: Date }>;
    const out: MonthlyListing[] = [];
    for (const r of rows) {
      const month = monthOf(r.month);
      let last = out[out.length - 1];
      if (!last || last.countyCode !== r.county_code || last.month !== month) out.push((last = { countyCode: r.county_code, month, formats: [], createdAt: r.created_at }));
      last.formats.push({ format: r.format, bytes: Number(r.bytes) });
    }
    for (const l of out) l.formats.sort((a, b) => MONTHLY_FORMATS.indexOf(a.format) - MONTHLY_FORMATS.indexOf(b.format));
    return out;
  }

  /** A file's bytes, once: the same content is the same row. */
  async saveFile(tx: Tx, f: Pick<StoredFile, 'contentHash' | 'mediaType' | 'content'>): Promise<void> {
    await tx.query('INSERT IGNORE INTO report_file (content_hash, media_type, bytes, content, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3))', [f.contentHash, f.mediaType, f.content.length, f.content]);
  }

  /** A stored file by its content hash, or null. */
  async fileByHash(contentHash: string): Promise<{ mediaType: string; content: Buffer } | null> {
    const [row] = (await this.dataSource.query('SELECT media_type, content FROM report_file WHERE content_hash = ?', [contentHash])) as Array<{ media_type: string; content: Buffer }>;
    return row ? { mediaType: row.media_type, content: row.content } : null;
  }

  /** One file of a county's month, or null. */
  async file(countyCode: string, month: string, format: MonthlyFormat): Promise<StoredFile | null> {
    const [row] = (await this.dataSource.query(
      'SELECT f.content_hash, f.media_type, f.content FROM report_monthly m JOIN report_file f ON f.content_hash = m.content_hash WHERE m.county_code = ? AND m.month = ? AND m.format = ?',
      [countyCode, monthDay(month), format],
    )) as Array<{ content_hash: string; media_type: string; content: Buffer }>;
    return row ? { format, contentHash: row.content_hash, mediaType: row.media_type, content: row.content } : null;
  }
}
