import { Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../../common/access/access.decorator';
import { CurrentPrincipal } from '../../../common/access/current-principal.decorator';
import type { Principal } from '../../../common/context/request-context';
import { FormValidationError } from '../../../common/errors/domain-error';
import { addDays, taipeiDay } from '../../../common/time/taipei-day';
import type { UploadedFile } from '../filing/attachments.service';
import { weekStartOf } from '../lifecycle/periods';
import { BatchService } from './batch.service';
import { batchTemplate } from './csv';
import { xlsxTemplate } from './sheet';

const PAGE = 'support-duty/batch';
const TITLE = 'supportDuty.batch.title';

/** Batch entry (批次登錄) for institutions: the template, the upload, and the batch's progress page (HTMX polls it). */
@Controller('support-duty/batch')
@Allow('institution')
export class BatchController {
  constructor(private readonly batches: BatchService) {}

  @Get()
  @Render(PAGE)
  async page(@CurrentPrincipal() principal: Principal) {
    return { titleKey: TITLE, recent: await this.batches.recent(principal) };
  }

  @Get('template.csv')
  template(@Res() res: Response) {
    const monday = weekStartOf(addDays(taipeiDay(), 14));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="support-duty-batch.csv"');
    res.send(batchTemplate({ supported: '0190010011', from: monday, to: addDays(monday, 27) }));
  }

  @Get('template.xlsx')
  async templateXlsx(@Res() res: Response) {
    const monday = weekStartOf(addDays(taipeiDay(), 14));
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', 'attachment; filename="support-duty-batch.xlsx"');
    res.send(await xlsxTemplate({ supported: '0190010011', from: monday, to: addDays(monday, 27) }));
  }

  @Post()
  async upload(@CurrentPrincipal() principal: Principal, @Req() req: Request & { files?: UploadedFile[]; uploadError?: string }, @Res() res: Response) {
    const result = await this.batches.create(principal, req.files ?? [], req.uploadError ?? null, req.lang);
    if (!result.batchId) throw new FormValidationError(PAGE, TITLE, result.errors, {}, { recent: await this.batches.recent(principal) });
    res.redirect(303, `/support-duty/batch/${result.batchId}`);
  }

  @Get(':id')
  @Render('support-duty/batch-status')
  async status(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const batch = await this.batches.batchFor(principal, id);
    const running = batch.status === 'queued' || batch.status === 'running';
    return {
      titleKey: 'supportDuty.batch.statusTitle',
      batch,
      running,
      href: `/support-duty/batch/${batch.id}`,
      percent: batch.totalRows ? Math.min(100, Math.round((batch.processedRows / batch.totalRows) * 100)) : 0,
      statusKey: `supportDuty.batch.status.${batch.status}`,
    };
  }
}
