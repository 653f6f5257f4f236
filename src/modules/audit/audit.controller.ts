import { Controller, Get, Query, Render } from '@nestjs/common';
import { Allow } from '../../common/access/access.decorator';
import { FormValidationError } from '../../common/errors/domain-error';
import { pager } from '../../common/web/pagination';
import { parseAuditSearch } from './audit-search.form';
import { AUDIT_PAGE_SIZE, AuditService } from './audit.service';

/** The staff page to search the audit trail. */
@Controller('admin/audit')
@Allow('admin', 'ministry_staff')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('audit/search')
  async search(@Query() query: unknown) {
    const form = parseAuditSearch(query);
    if (!form.input) throw new FormValidationError('audit/search', 'audit.title', form.errors, form.values, { rows: [], total: 0 });
    const { rows, total, page, pages } = await this.audit.searchPage(form.input);
    const filters = Object.entries(form.values).filter(([, v]) => v) as Array<[string, string]>;
    return {
      titleKey: 'audit.title',
      values: form.values,
      rows,
      total,
      pagination: pager(page, pages, (p) => `/admin/audit?${new URLSearchParams([...filters, ['page', String(p)]])}`),
    };
  }
}
