import { Controller, Get, Param, Query, Render } from '@nestjs/common';
import { Allow } from '../../common/access/access.decorator';
import { NotFoundError } from '../../common/errors/domain-error';
import { MailboxService } from './mailbox.service';
import { pageParam, pager } from './pagination';

const PAGE_SIZE = 25;

/** What the development SMTP listener received (admins, intranet). */
@Controller('admin/mailbox')
@Allow('admin')
export class MailboxController {
  constructor(private readonly mailbox: MailboxService) {}

  @Get()
  @Render('notifications/mailbox')
  async list(@Query('page') pageText?: string) {
    const page = pageParam(pageText);
    const { rows, total } = await this.mailbox.list(page, PAGE_SIZE);
    return {
      titleKey: 'mailbox.title',
      total,
      messages: rows.map((m) => ({ ...m, href: `/admin/mailbox/${m.id}` })),
      pagination: pager(page, Math.max(1, Math.ceil(total / PAGE_SIZE)), (p) => `/admin/mailbox?page=${p}`),
    };
  }

  @Get(':id')
  @Render('notifications/mailbox-message')
  async show(@Param('id') id: string) {
    const message = /^\d{1,18}$/.test(id) ? await this.mailbox.get(id) : null;
    if (!message) throw new NotFoundError('mailbox-message-not-found', 'mailbox.errors.notFound');
    return { titleKey: 'mailbox.messageTitle', backHref: '/admin/mailbox', message };
  }
}
