import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { RequireFunction } from '../../common/access/function.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { pageParam, pager } from '../../common/web/pagination';
import { type UploadRequest } from '../../common/web/multipart';
import { ROSTER_PAGE_SIZE, RosterService, UPLOAD_COLUMNS } from './roster.service';

/** 投保名冊 (/roster): each route is one function a manager may grant an operator. */
@Controller('roster')
export class RosterController {
  constructor(private readonly roster: RosterService) {}

  private async gradeItems() {
    return (await this.roster.grades()).map((g) => ({ value: String(g.grade), text: `${g.grade}：${String(g.amount).replace(/\B(?=(\d{3})+$)/g, ',')}` }));
  }

  @Get()
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.query')
  @Render('insured-roster/list')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: unknown) {
    const page = pageParam(textField(query, 'page'));
    const status = textField(query, 'status');
    const name = textField(query, 'name').slice(0, 60);
    const { rows, total } = await this.roster.list(principal, { page, status, name });
    const functions = principal.role === 'employer_manager' ? null : new Set(principal.functions ?? []);
    const may = (fn: string) => !functions || functions.has(fn);
    return {
      titleKey: 'roster.title',
      values: { status, name },
      statusItems: [
        { value: '', labelKey: 'common.allStatuses' },
        { value: 'enrolled', labelKey: 'roster.status.enrolled' },
        { value: 'withdrawn', labelKey: 'roster.status.withdrawn' },
      ].map((i) => ({ ...i, selected: i.value === status })),
      members: rows.map((m) => ({ ...m, statusKey: `roster.status.${m.status}`, changeHref: may('roster.change') && m.status === 'enrolled' ? `/roster/${m.id}/change` : null, withdrawHref: may('roster.withdraw') && m.status === 'enrolled' ? `/roster/${m.id}/withdraw` : null })),
      total,
      canEnrol: may('roster.enrol'),
      canExport: may('roster.export'),
      canUpload: may('roster.upload'),
      pager: pager(page, Math.max(1, Math.ceil(total / ROSTER_PAGE_SIZE)), (p) => `/roster?page=${p}&status=${encodeURIComponent(status)}&name=${encodeURIComponent(name)}`),
    };
  }

  @Get('enrol')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.enrol')
  @Render('insured-roster/enrol')
  async enrolPage() {
    return { titleKey: 'roster.enrol.title', gradeItems: await this.gradeItems(), values: {} };
  }

  @Post('enrol')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.enrol')
  async enrol(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Res() res: Response) {
    const outcome = await this.roster.enrol(principal, body);
    if (!outcome.ok) throw new FormValidationError('insured-roster/enrol', 'roster.enrol.title', outcome.errors, outcome.values, { gradeItems: await this.gradeItems() });
    res.redirect(303, '/roster?status=enrolled');
  }

  @Get(':id/withdraw')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.withdraw')
  @Render('insured-roster/withdraw')
  async withdrawPage(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return { titleKey: 'roster.withdraw.title', member: await this.roster.member(principal, id, 'roster.withdraw'), values: {} };
  }

  @Post(':id/withdraw')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.withdraw')
  async withdraw(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Res() res: Response) {
    const outcome = await this.roster.withdraw(principal, id, body);
    if (!outcome.ok) throw new FormValidationError('insured-roster/withdraw', 'roster.withdraw.title', outcome.errors, outcome.values, { member: await this.roster.member(principal, id, 'roster.withdraw') });
    res.redirect(303, '/roster');
  }

  @Get(':id/change')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.change')
  @Render('insured-roster/change')
  async changePage(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const member = await this.roster.member(principal, id, 'roster.change');
    return { titleKey: 'roster.change.title', member, gradeItems: await this.gradeItems(), values: { name: member.name, grade: String(member.grade) } };
  }

  @Post(':id/change')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.change')
  async change(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Res() res: Response) {
    const outcome = await this.roster.change(principal, id, body);
    if (!outcome.ok) throw new FormValidationError('insured-roster/change', 'roster.change.title', outcome.errors, outcome.values, { member: await this.roster.member(principal, id, 'roster.change'), gradeItems: await this.gradeItems() });
    res.redirect(303, '/roster');
  }

  @Get('export')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.export')
  async export(@CurrentPrincipal() principal: Principal, @Res() res: Response) {
    res.type('text/csv; charset=utf-8').attachment(`roster-${principal.unitCode}.csv`).send(await this.roster.exportCsv(principal));
  }

  @Get('upload')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.upload')
  @Render('insured-roster/upload')
  uploadPage() {
    return { titleKey: 'roster.upload.title', columns: UPLOAD_COLUMNS.join(',') };
  }

  @Get('upload/template')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.upload')
  async template(@Query('format') format: string | undefined, @Res() res: Response) {
    const file = await this.roster.uploadTemplate(format === 'xlsx' ? 'xlsx' : 'csv');
    res.type(file.type).attachment(file.filename).send(file.body);
  }


  @Post('upload')
  @Allow('employer_manager', 'employer_operator')
  @RequireFunction('roster.upload')
  async upload(@CurrentPrincipal() principal: Principal, @Req() req: UploadRequest, @Res() res: Response) {
    // the multipart body was read before the guards (readMultipart in RosterModule), so the CSRF field is checked as usual
    const file = req.files?.[0];
    const refused = req.uploadError ? (req.uploadError === 'LIMIT_FILE_SIZE' ? 'roster.errors.fileTooBig' : 'roster.errors.oneFile') : file ? null : 'roster.errors.noFile';
    const outcome = refused || !file ? { ok: false as const, problems: [{ row: 0, field: 'file', messageKey: refused ?? 'roster.errors.noFile' }] } : await this.roster.upload(principal, file.buffer);
    if (!outcome.ok) {
      throw new FormValidationError('insured-roster/upload', 'roster.upload.title', [{ field: 'file', messageKey: 'roster.errors.upload' }], {}, { columns: UPLOAD_COLUMNS.join(','), problems: outcome.problems.map((p) => ({ ...p, fieldKey: `roster.field.${p.field}` })) });
    }
    res.redirect(303, `/roster?status=enrolled&uploaded=${outcome.count}`);
  }
}
