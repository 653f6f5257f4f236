import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../common/context/request-context';
import type { FieldError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { validateNationalId } from '../../../common/identifiers';
import { Database } from '../../../core/database';
import { QUEUE_REGISTRY, QUEUES } from '../../../core/queues';
import { OutboxService } from '../../notifications';
import { ReferenceService } from '../../reference';
import { cleanFilename, type UploadedFile } from '../filing/attachments.service';
import { FilingService } from '../filing/filing.service';
import { CaseRepository, type CaseFields } from '../lifecycle/case.repository';
import { ruleView } from '../lifecycle/case-view';
import { supportDutyError } from '../support-duty.errors';
import type { BatchRowError, SupportDutyBatch } from './batch.entity';
import { BatchRepository } from './batch.repository';
import { BATCH_COLUMNS, COLUMN_OF_FIELD, parseCsv, rowAsForm } from './csv';

export const MAX_BATCH_ROWS = 20_000;
const PROGRESS_EVERY = 250;

/** Aborts the batch transaction when a row fails the rules: nothing of the batch is kept. */
class BatchRefused extends Error {}

/**
 * Batch entry (批次登錄) for institutions: a CSV of cases for its own staff, checked and filed by
 * a BullMQ job (queue support-duty-batch, through the outbox) with its progress on the batch
 * row. All or nothing: every row is read with the single entry's rules (FilingService.prepare),
 * then all are submitted in one transaction, each against the quotas with the rows before it;
 * any bad row (its number, column and reason) and nothing is filed.
 */
@Injectable()
export class BatchService {
  constructor(
    private readonly database: Database,
    private readonly batches: BatchRepository,
    private readonly cases: CaseRepository,
    private readonly filing: FilingService,
    private readonly reference: ReferenceService,
    private readonly outbox: OutboxService,
  ) {}

  /** Stores the uploaded file and queues its job; a file that is no CSV of ours is a form error. */
  async create(principal: Principal, files: UploadedFile[], uploadError: string | null, lang: Lang): Promise<{ batchId: string | null; errors: FieldError[] }> {
    const file = files[0];
    if (uploadError || files.length !== 1 || !file) return { batchId: null, errors: [{ field: 'files', messageKey: uploadError === 'LIMIT_FILE_SIZE' ? 'supportDuty.batch.errors.tooBig' : 'supportDuty.batch.errors.none' }] };
    const text = new TextDecoder('utf-8', { fatal: false }).decode(file.buffer);
    const rows = parseCsv(text);
    if (text.includes('\ufffd') || !rows.length || rows[0].map((h) => h.trim()).join(',') !== BATCH_COLUMNS.join(',')) return { batchId: null, errors: [{ field: 'files', messageKey: 'supportDuty.batch.errors.format' }] };
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

  /** The job: read every row, then file all in one transaction, or none with every bad row. */
  async run(batchId: string, progress: (percent: number) => Promise<void>): Promise<{ created: number; errors: number }> {
    const batch = await this.batches.find(batchId);
    if (!batch || batch.status === 'done' || batch.status === 'failed') return { created: batch?.createdCases ?? 0, errors: batch?.errors?.length ?? 0 };
    await this.batches.update(batchId, { status: 'running', processedRows: 0 });
    const lines = parseCsv(await this.batches.content(batchId)).slice(1);
    const institution = await this.reference.institution(batch.institutionCode);
    const principal: Principal = { kind: 'institution', id: batch.institutionCode, role: 'institution', displayName: institution?.nameZh ?? batch.institutionCode, credential: `batch:${batchId}` };
    const departments = new Set((await this.reference.activeDepartments()).map((d) => d.code));
    const errors: BatchRowError[] = [];
    const prepared: Array<{ row: number; fields: CaseFields }> = [];
    const total = lines.length * 2;
    const tell = async (done: number) => {
      await this.batches.update(batchId, { processedRows: Math.floor(done / 2) });
      await progress(Math.round((done / total) * 100));
    };

    for (const [i, cells] of lines.entries()) {
      const row = i + 2;
      const form = rowAsForm(cells);
      const person = await this.staffMember(batch.institutionCode, (cells[0] ?? '').trim());
      const result = await this.filing.prepare(principal, { ...form, professionalId: person ? String(person) : 'none' }, departments);
      for (const e of result.errors) errors.push({ row, column: COLUMN_OF_FIELD[e.field] ?? e.field, reason: translate(batch.lang, e.messageKey, e.params ?? {}) });
      if (result.fields) prepared.push({ row, fields: result.fields });
      if ((i + 1) % PROGRESS_EVERY === 0) await tell(i + 1);
    }

    let created = 0;
    if (!errors.length) {
      try {
        created = await this.database.transaction(async (tx) => {
          for (const [i, { row, fields }] of prepared.entries()) {
            const id = await this.cases.insertDraft(tx, { ...fields, filedByKind: 'institution', filedById: batch.institutionCode, lang: batch.lang, supersedesCaseId: null });
            const outcome = await this.filing.submitIn(tx, await this.cases.inTransaction(tx, id), { kind: 'institution', id: batch.institutionCode, role: 'institution', displayName: principal.displayName, credential: principal.credential });
            if (!outcome.submitted) for (const r of outcome.refused) errors.push({ row, column: 'from', reason: ruleView(r, batch.lang).text });
            if ((i + 1) % PROGRESS_EVERY === 0) await tell(lines.length + i + 1);
          }
          if (errors.length) throw new BatchRefused();
          return prepared.length;
        });
      } catch (err) {
        if (!(err instanceof BatchRefused)) throw err;
      }
    }
    await this.batches.update(batchId, { status: errors.length ? 'failed' : 'done', processedRows: lines.length, createdCases: created, errors: errors.length ? errors : null, finishedAt: new Date() });
    await progress(100);
    return { created, errors: errors.length };
  }

  /** The registry id of the institution's own staff member with this national ID, or null. */
  private async staffMember(institutionCode: string, nationalId: string): Promise<number | null> {
    const checked = validateNationalId(nationalId);
    if (!checked.ok) return null;
    const person = await this.reference.professionalByNationalId(checked.value);
    return person && person.homeInstitutionCode === institutionCode ? person.id : null;
  }
}
