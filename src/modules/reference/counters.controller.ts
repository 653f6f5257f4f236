import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '../../common/access/access.decorator';
import { textField } from '../../common/forms';
import { ReferenceService } from './reference.service';

/** Public list of registration counters (初審註冊櫃檯 and health bureaus/stations), searchable by county and text. */
@Controller('counters')
export class CountersController {
  constructor(private readonly reference: ReferenceService) {}

  @Get()
  @Public()
  @Render('reference/counters')
  async list(@Query() query: unknown, @Req() req: Request) {
    const counties = await this.reference.counties();
    const county = textField(query, 'county');
    const countyCode = counties.some((c) => c.code === county) ? county : undefined;
    const text = textField(query, 'q').slice(0, 50);
    const counters = await this.reference.searchCounters({ countyCode, text: text || undefined });
    const en = req.lang === 'en';
    const countyName = new Map(counties.map((c) => [c.code, en ? c.nameEn : c.nameZh]));
    return {
      titleKey: 'counters.title',
      values: { county: countyCode ?? '', q: text },
      countyOptions: counties.map((c) => ({ value: c.code, text: en ? c.nameEn : c.nameZh, selected: c.code === countyCode })),
      counters: counters.map((c) => ({
        name: en ? c.nameEn : c.nameZh,
        kindKey: `counters.kind.${c.kind}`,
        county: countyName.get(c.countyCode),
        address: c.address,
        phone: c.phone,
        hours: en ? c.hoursEn : c.hoursZh,
      })),
    };
  }
}
