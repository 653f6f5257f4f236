import { Controller, Get, Query, Render } from '@nestjs/common';
import { Allow } from '../../common/access/access.decorator';
import { FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { AuditService } from './audit.service';

const PAGE_SIZE = 50;

/** The staff page to search the audit trail. */
@Controller('admin/audit')
@Allow('admin', 'ministry_staff')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('audit/search')
  async search(@Query() query: Record<string, string | undefined>) {
    const values = {
      action: (query.action ?? '').trim(),
      actor: (query.actor ?? '').trim(),
      target: (query.target ?? '').trim(),
      from: (query.from ?? '').trim(),
      to: (query.to ?? '').trim(),
    };
    const errors: FieldError[] = [];
    const from = parseDay(values.from, 'from', errors);
    const to = parseDay(values.to, 'to', errors);
    if (from && to && from > to) errors.push({ field: 'to', messageKey: 'audit.errors.toBeforeFrom' });
    if (errors.length) throw new FormValidationError('audit/search', 'audit.title', errors, values, { rows: [], total: 0 });
    const page = Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
    const { rows, total } = await this.audit.search({
      ...values,
      from: from ?? undefined,
      to: to ? new Date(to.getTime() + 86_400_000) : undefined,
      page,
      pageSize: PAGE_SIZE,
    });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const params = new URLSearchParams(Object.entries(values).filter(([, v]) => v) as [string, string][]);
    const link = (p: number) => `/admin/audit?${new URLSearchParams([...params, ['page', String(p)]])}`;
    return {
      titleKey: 'audit.title',
      values,
      rows: rows.map((r) => ({ ...r, summaryText: r.summary ? JSON.stringify(r.summary) : '' })),
      total,
      pagination: {
        previous: page > 1 ? link(page - 1) : null,
        next: page < pages ? link(page + 1) : null,
        items: Array.from({ length: pages }, (_, i) => i + 1)
          .filter((p) => p === 1 || p === pages || Math.abs(p - page) <= 2)
          .map((p) => ({ number: p, href: link(p), current: p === page })),
      },
    };
  }
}

/** A calendar day in Taiwan time (YYYY-MM-DD) → its start as a Date; records a field error if malformed. */
function parseDay(value: string, field: string, errors: FieldError[]): Date | null {
  if (!value) return null;
  const utc = new Date(`${value}T00:00:00Z`);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(utc.getTime()) && utc.toISOString().startsWith(value);
  if (!valid) {
    errors.push({ field, messageKey: 'audit.errors.date' });
    return null;
  }
  return new Date(`${value}T00:00:00+08:00`);
}
