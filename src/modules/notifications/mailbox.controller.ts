import { Controller, Get, Param, Query, Render } from '@nestjs/common';
import { Allow } from '../../common/access/access.decorator';
import { textField } from '../../common/forms';
import { pageParam, pager } from '../../common/web/pagination';
import { notificationsError } from './notifications.errors';
import { MailboxService } from './mailbox.service';

/** What the development SMTP listener received (admins, intranet). */
@Controller('admin/mailbox')
@Allow('admin')
export class MailboxController {
  constructor(private readonly mailbox: MailboxService) {}

  @Get()
  @Render('notifications/mailbox')
  async list(@Query() query: unknown) {
    const page = pageParam(textField(query, 'page'));
    const { rows, total, pages } = await this.mailbox.list(page);
    return {
      titleKey: 'mailbox.title',
      total,
      messages: rows.map((m) => ({ ...m, href: `/admin/mailbox/${m.id}` })),
      pagination: pager(page, pages, (p) => `/admin/mailbox?page=${p}`),
    };
  }

  @Get(':id')
  @Render('notifications/mailbox-message')
  async show(@Param('id') id: string) {
    const message = await this.mailbox.get(id);
    if (!message) throw notificationsError.notFound('mailbox-message-not-found', 'mailbox.errors.notFound');
    return { titleKey: 'mailbox.messageTitle', backHref: '/admin/mailbox', message };
  }
}
