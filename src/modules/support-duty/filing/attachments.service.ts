import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { FieldError } from '../../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import type { Tx } from '../../../core/database';
import { CaseRepository } from '../lifecycle/case.repository';
import type { SupportDutyAttachment } from '../lifecycle/support-duty.entity';
import { supportDutyError } from '../support-duty.errors';

export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export type { UploadedFile } from '../../../common/web/multipart';
import type { UploadedFile } from '../../../common/web/multipart';

/** What a file is by its first bytes (never by its name or the browser's word): PDF, JPEG, PNG, or null. */
export function sniffType(bytes: Buffer): 'application/pdf' | 'image/jpeg' | 'image/png' | null {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

/** A file name fit to show and to send back: its last path part, no control characters, at most 120 characters. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.normalize('NFC').replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return [...clean].slice(-120).join('') || 'attachment';
}

/**
 * Case attachments (seed 002's 附件上傳): at most 5 files of 5 MB each, PDF/JPG/PNG by content,
 * all or nothing (every bad file reported). The bytes are kept outside the web root under
 * SUPPORT_DUTY_ATTACHMENTS_DIR, named by their SHA-256, which the row keeps and every read checks.
 */
@Injectable()
export class AttachmentStore {
  private readonly dir: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly cases: CaseRepository,
  ) {
    this.dir = config.supportDuty.attachmentsDir;
  }

  list(caseId: string): Promise<SupportDutyAttachment[]> {
    return this.cases.attachments(caseId);
  }

  /** Checks every file (count, size, type) and reports each problem; nothing is stored unless all pass. */
  check(existing: number, files: UploadedFile[], uploadError: string | null): FieldError[] {
    const errors: FieldError[] = [];
    if (uploadError === 'LIMIT_FILE_SIZE') errors.push({ field: 'files', messageKey: 'supportDuty.attachments.errors.tooBig', params: { file: '', max: 5 } });
    else if (uploadError) errors.push({ field: 'files', messageKey: 'supportDuty.attachments.errors.tooMany', params: { max: MAX_ATTACHMENTS } });
    if (!uploadError && !files.length) errors.push({ field: 'files', messageKey: 'supportDuty.attachments.errors.none' });
    if (existing + files.length > MAX_ATTACHMENTS) errors.push({ field: 'files', messageKey: 'supportDuty.attachments.errors.tooMany', params: { max: MAX_ATTACHMENTS } });
    for (const f of files) {
      const name = cleanFilename(f.originalname);
      if (f.size > MAX_ATTACHMENT_BYTES) errors.push({ field: 'files', messageKey: 'supportDuty.attachments.errors.tooBig', params: { file: name, max: 5 } });
      else if (!sniffType(f.buffer)) errors.push({ field: 'files', messageKey: 'supportDuty.attachments.errors.type', params: { file: name } });
    }
    return errors;
  }

  /** Writes the files (each once, by checksum) and their rows in the caller's transaction. */
  async store(tx: Tx, caseId: string, files: UploadedFile[]): Promise<void> {
    const rows = [];
    for (const f of files) {
      const sha256 = createHash('sha256').update(f.buffer).digest('hex');
      const dir = join(this.dir, sha256.slice(0, 2));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temp = join(dir, `${sha256}.${process.pid}.${Date.now()}.tmp`);
      await writeFile(temp, f.buffer, { mode: 0o600 });
      await rename(temp, join(dir, sha256));
      rows.push({ caseId, filename: cleanFilename(f.originalname), contentType: sniffType(f.buffer)!, size: f.size, sha256 });
    }
    await this.cases.addAttachments(tx, rows);
  }

  /** The bytes of an attachment of `caseId`, checked against its checksum. */
  async read(caseId: string, attachmentId: string): Promise<{ attachment: SupportDutyAttachment; bytes: Buffer }> {
    const attachment = (await this.cases.attachments(caseId)).find((a) => a.id === attachmentId);
    if (!attachment) throw supportDutyError.notFound('case-not-found');
    const bytes = await readFile(join(this.dir, attachment.sha256.slice(0, 2), attachment.sha256));
    if (createHash('sha256').update(bytes).digest('hex') !== attachment.sha256) throw new Error(`Attachment ${attachment.id} does not match its checksum`);
    return { attachment, bytes };
  }
}
