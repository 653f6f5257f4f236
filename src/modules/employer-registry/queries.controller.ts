import { Body, Controller, Get, HttpCode, Inject, Post, Query, Render, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Public } from '../../common/access/access.decorator';
import { FormValidationError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { cardScriptMessages, presentationFrom } from './certificate-reader';
import { QueriesService } from './queries.service';

const QUERIES = ['receipts', 'unit-certificate', 'citizen-serial'] as const;
const TITLE = { receipts: 'employers.queries.receipts.title', 'unit-certificate': 'employers.queries.unitCertificate.title', 'citizen-serial': 'employers.queries.citizenSerial.title' } as const;

/** 查詢作業 (/employers/queries, seed 003 section 7): public, no sign-in. */
@Controller('employers/queries')
export class QueriesController {
  constructor(
    private readonly queries: QueriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private cardContext(req: Request, titleKey: string) {
    return { titleKey, helperUrl: this.config.helperUrl, scriptMessages: cardScriptMessages(req.lang), values: {} };
  }

  @Get()
  @Public()
  @Render('employer-registry/queries')
  index() {
    return { titleKey: 'employers.queries.title', queries: QUERIES.map((q) => ({ href: `/employers/queries/${q}`, titleKey: TITLE[q], descriptionKey: `${TITLE[q].replace(/\.title$/, '')}.description` })) };
  }

  /** 查詢憑證註冊收件紀錄: a GET form (the unit code in the query string). */
  @Get('receipts')
  @Public()
  @Render('employer-registry/query-receipts')
  async receipts(@Query() query: unknown) {
    const context = { titleKey: TITLE.receipts, values: { unitCode: textField(query, 'unitCode') } };
    if (!textField(query, 'unitCode')) return context;
    const outcome = await this.queries.receipts(query);
    if (!outcome.ok) throw new FormValidationError('employer-registry/query-receipts', TITLE.receipts, outcome.errors, outcome.values, context);
    return { ...context, result: outcome };
  }

  @Get('unit-certificate')
  @Public()
  @Render('employer-registry/query-unit-certificate')
  unitCertificatePage(@Req() req: Request) {
    return this.cardContext(req, TITLE['unit-certificate']);
  }

  @Post('unit-certificate')
  @HttpCode(200)
  @Public()
  @Render('employer-registry/query-unit-certificate')
  async unitCertificate(@Req() req: Request, @Body() body: unknown) {
    const context = this.cardContext(req, TITLE['unit-certificate']);
    const outcome = await this.queries.unitCertificate(presentationFrom(req, body), body);
    if (!outcome.ok) throw new FormValidationError('employer-registry/query-unit-certificate', context.titleKey, outcome.errors, outcome.values, context);
    return { ...context, values: { unitCode: outcome.unitCode }, result: { ...outcome, identifierKey: outcome.identifierKind ? `employers.queries.identifier.${outcome.identifierKind}` : null } };
  }

  @Get('citizen-serial')
  @Public()
  @Render('employer-registry/query-citizen-serial')
  citizenSerialPage(@Req() req: Request) {
    return this.cardContext(req, TITLE['citizen-serial']);
  }

  @Post('citizen-serial')
  @HttpCode(200)
  @Public()
  @Render('employer-registry/query-citizen-serial')
  async citizenSerial(@Req() req: Request, @Body() body: unknown) {
    const context = this.cardContext(req, TITLE['citizen-serial']);
    const outcome = await this.queries.citizenSerial(presentationFrom(req, body), body);
    if (!outcome.ok) throw new FormValidationError('employer-registry/query-citizen-serial', context.titleKey, outcome.errors, outcome.values, context);
    return { ...context, result: outcome };
  }
}
