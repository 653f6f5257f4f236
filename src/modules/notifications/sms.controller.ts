import { Controller, Get, Query, Render } from '@nestjs/common';
import { Allow } from '../../common/access/access.decorator';
import { textField } from '../../common/forms';
import { pageParam, pager } from '../../common/web/pagination';
import { SmsService } from './sms';

/** What the loopback SMS sink kept (admins, intranet): the development stand-in for phones. */
@Controller('admin/sms')
@Allow('admin')
export class SmsController {
  constructor(private readonly sms: SmsService) {}

  @Get()
  @Render('notifications/sms')
  async list(@Query() query: unknown) {
    const page = pageParam(textField(query, 'page'));
    const { rows, total, pages } = await this.sms.sinkPage(page);
    return { titleKey: 'sms.title', total, messages: rows, pagination: pager(page, pages, (p) => `/admin/sms?page=${p}`) };
  }
}
