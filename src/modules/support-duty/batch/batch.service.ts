import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../common/context/request-context';
import type { FieldError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { validateNationalId } from '../../../common/identifiers';
import { Database } from '../../../core/database';
import { QUEUE_REGISTRY, QUEUES } from '../../../core/queues';
import { OutboxService } from '../../notifications';
import { ReferenceService, type Professional } from '../../reference';
import { cleanFilename, type UploadedFile } from '../filing/attachments.service';
import { FilingService, institutionCodeIn, type PrepareLookups } from '../filing/filing.service';
import { CaseLifecycle } from '../lifecycle/case-lifecycle.service';
import { CaseRules } from '../lifecycle/case-rules.service';
import { CaseRepository, type CaseFields } from '../lifecycle/case.repository';
import { ruleView } from '../lifecycle/case-view';
import { supportDutyError } from '../support-duty.errors';
import type { BatchRowError, SupportDutyBatch } from './batch.entity';
import { BatchRepository } from './batch.repository';
import { parseCsv, toCsv } from '../../../common/tables/csv';
import { readUploadedTable } from '../../../common/tables/xlsx';
import { BATCH_COLUMNS, COLUMN_OF_FIELD, rowAsForm } from './csv';

export const MAX_BATCH_ROWS = 20_000;
/** The progress bar is written at most this often (ms): each write is a commit of its own. */
const PROGRESS_EVERY_MS = 500;

/**
 * Batch entry (批次登錄) for institutions: a CSV of cases for its own staff, checked and filed by
 * a BullMQ job (queue support-duty-batch, through the outbox) with its progress on the batch
 * row. All or nothing: every row is read with the single entry's rules (FilingService.prepare),
 * then all are checked in one transaction, each against the quotas with the rows before it;
 * any bad row and every bad row is reported (its number, column and reason) and nothing is filed.
 */
@Injectable()
export class BatchService {
  constructor(
    private readonly database: Database,
    private readonly batches: BatchRepository,
    private readonly cases: CaseRepository,
    private readonly filing: FilingService,
    private readonly rules: CaseRules,
    private readonly lifecycle: CaseLifecycle,
    private readonly reference: ReferenceService,
    private readonly outbox: OutboxService,
  ) {}

  /** Stores the uploaded file (CSV, or XLSX kept as its CSV rows) and queues its job; a file that is not the template's is a form error. */
  async create(principal: Principal, files: UploadedFile[], uploadError: string | null, lang: Lang): Promise<{ batchId: string | null; errors: FieldError[] }> {
    const file = files[0];
    if (uploadError || files.length !== 1 || !file) return { batchId: null, errors: [{ field: 'files', messageKey: uploadError === 'LIMIT_FILE_SIZE' ? 'supportDuty.batch.errors.tooBig' : 'supportDuty.batch.errors.none' }] };
    // an XLSX workbook (its first sheet) is kept as the same CSV rows: one reader, one job, one set of row errors
    const rows = await readUploadedTable(file.buffer);
    // kept as exact CSV text (read back by the job), whatever the upload's format
    const text = rows ? toCsv(rows, { inert: false }) : '';
    if (!rows || text.includes('\ufffd') || !rows.length || rows[0].map((h) => h.trim()).join(',') !== BATCH_COLUMNS.join(',')) return { batchId: null, errors: [{ field: 'files', messageKey: 'supportDuty.batch.errors.format' }] };
    if (rows.length - 1 > MAX_BATCH_ROWS || rows.length < 2) return { batchId: null, errors: [{ field: 'files', messageKey: 'supportDuty.batch.errors.rows', params: { max: MAX_BATCH_ROWS } }] };
    const batchId = await this.database.transaction(async (tx) => {
      const id = await this.batches.insert(tx, { institutionCode: principal.id, lang, filename: cleanFilename(file.originalname), content: text, totalRows: rows.length - 1 });
      await this.outbox.enqueue(tx, QUEUES.supportDutyBatch, QUEUE_REGISTRY.supportDutyBatch.jobs.import, { batchId: id });
      return id;
    });
    return { batchId, errors: [] };
  }

  /** The institution's own batch; another's (or none) is "not found". */
  async batchFor(principal: Principal, id: string): Promise<SupportDutyBatch> {
    const batch = await this.batches.find(id);
    if (!batch || batch.institutionCode !== principal.id) throw supportDutyError.notFound('case-not-found');
    return batch;
  }

  recent(principal: Principal): Promise<SupportDutyBatch[]> {
    return this.batches.recent(principal.id);
  }

  /**
   * The job: read every row, then file all in one transaction, or none with every bad row. The
   * rows' people, institutions and departments are read once (set-based), each row is read in
   * memory with the single entry's reader; then, under the locks of all the rows' people and
   * institutions (CaseRules.checkMany, in key order), every row is checked against the database
   * and the rows before it, and all are filed with multi-row INSERTs (CaseLifecycle.fileMany:
   * audit rows and reporting events in bulk).
   */
  async run(batchId: string, progress: (percent: number) => Promise<void>): Promise<{ created: number; errors: number }> {
    const batch = await this.batches.find(batchId);
    if (!batch || batch.status === 'done' || batch.status === 'failed') return { created: batch?.createdCases ?? 0, errors: batch?.errors?.length ?? 0 };
    await this.batches.update(batchId, { status: 'running', processedRows: 0 });
    const lines = parseCsv(await this.batches.content(batchId)).slice(1);
    const institution = await this.reference.institution(batch.institutionCode);
    const principal: Principal = { kind: 'institution', id: batch.institutionCode, role: 'institution', displayName: institution?.nameZh ?? batch.institutionCode, credential: `batch:${batchId}` };
    // the progress bar: reading the rows is the first half, checking and filing them the second
    let told = Date.now();
    const tell = async (fraction: number) => {
      told = Date.now();
      await this.batches.update(batchId, { processedRows: Math.floor(fraction * lines.length) });
      await progress(Math.round(fraction * 100));
    };

    // (1) read: everything the rows name, at once; then each row in memory (0–50%)
    const nationalIds = lines.map((cells) => {
      const checked = validateNationalId((cells[0] ?? '').trim());
      return checked.ok ? checked.value : null;
    });
    const indexes = nationalIds.map((id) => (id ? this.reference.nationalIdIndex(id) : null));
    const found = await this.reference.professionalsByIndexes(indexes.filter((i): i is string => i !== null));
    const staff = new Map<number, Professional>();
    for (const p of found.values()) if (p.homeInstitutionCode === batch.institutionCode) staff.set(p.id, p);
    const lookups: PrepareLookups = {
      departments: new Set((await this.reference.activeDepartments()).map((d) => d.code)),
      people: staff,
      institutions: await this.reference.institutionsByCodes(lines.map((cells) => institutionCodeIn((cells[1] ?? '').trim())).filter((c): c is string => c !== null)),
    };
    const errors: BatchRowError[] = [];
    const prepared: Array<{ row: number; fields: CaseFields }> = [];
    for (const [i, cells] of lines.entries()) {
      const row = i + 2;
      const person = indexes[i] ? found.get(indexes[i]) : undefined;
      const result = await this.filing.prepare(principal, { ...rowAsForm(cells), professionalId: person && staff.has(person.id) ? String(person.id) : 'none' }, lookups);
      for (const e of result.errors) errors.push({ row, column: COLUMN_OF_FIELD[e.field] ?? e.field, reason: translate(batch.lang, e.messageKey, e.params ?? {}) });
      if (result.fields) prepared.push({ row, fields: result.fields });
      if (Date.now() - told >= PROGRESS_EVERY_MS) await tell((i + 1) / lines.length / 2);
    }

    // (2) check and file, all or nothing (50–100%)
    let created = 0;
    if (!errors.length) {
      await tell(0.5);
      const actor = { kind: 'institution', id: batch.institutionCode, role: 'institution', displayName: principal.displayName, credential: principal.credential };
      created = await this.database.transaction(async (tx) => {
        const outcomes = await this.rules.checkMany(tx, prepared.map((p) => p.fields));
        outcomes.forEach((o, i) => {
          for (const r of o.checks.filter((c) => !c.ok)) errors.push({ row: prepared[i].row, column: 'from', reason: ruleView(r, batch.lang).text });
        });
        if (errors.length) return 0;
        await tell(0.75);
        const filed = await this.lifecycle.fileMany(
          tx,
          prepared.map((p, i) => ({ fields: { ...p.fields, filedByKind: 'institution' as const, filedById: batch.institutionCode, lang: batch.lang }, summary: { sessions: outcomes[i].slots.length, emergency: p.fields.purpose === 'emergency' } })),
          actor,
        );
        await this.cases.insertSlots(tx, filed.map((c, i) => ({ c, slots: outcomes[i].slots })));
        return filed.length;
      });
    }
    await this.batches.update(batchId, { status: errors.length ? 'failed' : 'done', processedRows: lines.length, createdCases: created, errors: errors.length ? errors : null, finishedAt: new Date() });
    await progress(100);
    return { created, errors: errors.length };
  }
}
