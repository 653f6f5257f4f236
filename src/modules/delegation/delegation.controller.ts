import { Body, Controller, Get, Inject, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Allow } from '../../common/access/access.decorator';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/context/request-context';
import { FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { cardScriptMessages, presentationFrom } from '../employer-registry';
import { DelegationService, type DelegationView } from './delegation.service';
import { ALL_FUNCTIONS, DELEGABLE_FUNCTIONS } from './functions';

/** How long the manager's certificate, read once, opens the delegation pages of this session. */
const MANAGER_PROOF_MS = 30 * 60 * 1000;

/**
 * 授權指派 (/employers/delegation): the unit signed in with its certificate AND the manager's own
 * citizen certificate read in this session (seed 003 asks for both every time).
 */
@Controller('employers/delegation')
export class DelegationController {
  constructor(
    private readonly delegations: DelegationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Whether the manager proved themselves in this session for this unit (or the unit's responsible
   * person signed in with their own NHI credential), against the unit's registration as it still is
   * (a replaced manager certificate ends the proof); if not, to the proof page.
   */
  private async proven(req: Request, res: Response, principal: Principal): Promise<boolean> {
    if (principal.responsiblePerson) return true;
    const proof = req.session.delegationManager;
    if (proof && proof.unitCode === principal.unitCode && Date.now() - proof.at < MANAGER_PROOF_MS && (await this.delegations.managerProofHolds(principal, proof.registration))) return true;
    delete req.session.delegationManager;
    res.redirect(303, '/employers/delegation/verify');
    return false;
  }

  private formContext(extra: Record<string, unknown> = {}) {
    return {
      credentialItems: [
        { value: 'citizen', labelKey: 'delegation.credential.citizen' },
        { value: 'personnel', labelKey: 'delegation.credential.personnel' },
        { value: 'nhi', labelKey: 'delegation.credential.nhi' },
      ],
      functionItems: [{ value: ALL_FUNCTIONS, labelKey: 'delegation.function.all' }, ...DELEGABLE_FUNCTIONS.map((f) => ({ value: f, labelKey: `delegation.function.${f}` }))],
      ...extra,
    };
  }

  private invalid(view: string, titleKey: string, errors: FieldError[], values: Record<string, unknown>, extra: Record<string, unknown> = {}): never {
    throw new FormValidationError(view, titleKey, errors, values, this.formContext(extra));
  }

  @Get('verify')
  @Allow('employer_manager')
  @Render('delegation/verify')
  verifyPage(@Req() req: Request) {
    return { titleKey: 'delegation.verify.title', helperUrl: this.config.helperUrl, scriptMessages: cardScriptMessages(req.lang), values: {} };
  }

  @Post('verify')
  @Allow('employer_manager')
  async verify(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const outcome = await this.delegations.verifyManager(principal, presentationFrom(req, body));
    if (!outcome.ok) throw new FormValidationError('delegation/verify', 'delegation.verify.title', outcome.errors, {}, { helperUrl: this.config.helperUrl, scriptMessages: cardScriptMessages(req.lang) });
    req.session.delegationManager = { unitCode: principal.unitCode ?? '', at: Date.now(), registration: outcome.registration };
    res.redirect(303, '/employers/delegation');
  }

  @Get()
  @Allow('employer_manager')
  async list(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Query() query: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    const operators = await this.delegations.list(principal);
    res.render('delegation/list', { titleKey: 'delegation.title', operators: operators.map((o) => this.row(o)), done: textField(query, 'done') });
  }

  private row(o: DelegationView) {
    return { ...o, functionKeys: o.functions.map((f) => `delegation.function.${f}`), editHref: `/employers/delegation/${o.id}/edit`, deleteHref: `/employers/delegation/${o.id}/delete`, renewalHref: o.renewalSerial ? `/employers/delegation/${o.id}/renewal` : null };
  }

  /** The operator's card read on the read page, once, for the add or edit form it was read for. */
  private cardRead(req: Request, forWhat: string): { certSerial: string; operatorName: string; credentialType: string } | null {
    const read = req.session.delegationCardRead;
    if (!read || read.for !== forWhat || Date.now() - read.at > MANAGER_PROOF_MS) return null;
    delete req.session.delegationCardRead;
    return { certSerial: read.serial, operatorName: read.name, credentialType: read.credentialType };
  }

  /** 讀取憑證: the operator's card read through the reader helper (seed 003 圖3-16), for the add form or an operator's edit form. */
  @Get('read')
  @Allow('employer_manager')
  async readPage(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Query() query: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    const forWhat = /^(add|\d{1,18})$/.test(textField(query, 'for')) ? textField(query, 'for') : 'add';
    res.render('delegation/read', { titleKey: 'delegation.read.title', helperUrl: this.config.helperUrl, scriptMessages: cardScriptMessages(req.lang), for: forWhat, values: {} });
  }

  @Post('read')
  @Allow('employer_manager')
  async read(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    const forWhat = /^(add|\d{1,18})$/.test(textField(body, 'for')) ? textField(body, 'for') : 'add';
    const outcome = await this.delegations.readOperatorCard(presentationFrom(req, body));
    if (!outcome.ok) {
      throw new FormValidationError('delegation/read', 'delegation.read.title', outcome.errors, {}, { helperUrl: this.config.helperUrl, scriptMessages: cardScriptMessages(req.lang), for: forWhat });
    }
    req.session.delegationCardRead = { for: forWhat, at: Date.now(), ...outcome.card };
    res.redirect(303, forWhat === 'add' ? '/employers/delegation/add' : `/employers/delegation/${forWhat}/edit`);
  }

  @Get('add')
  @Allow('employer_manager')
  async addPage(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response) {
    if (!(await this.proven(req, res, principal))) return;
    const read = this.cardRead(req, 'add');
    res.render('delegation/form', this.formContext({ titleKey: 'delegation.add.title', action: '/employers/delegation/add', readHref: '/employers/delegation/read?for=add', cardRead: !!read, values: { functions: [], ...read } }));
  }

  @Post('add')
  @Allow('employer_manager')
  async add(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    const outcome = await this.delegations.add(principal, body, req.lang);
    if (!outcome.ok) this.invalid('delegation/form', 'delegation.add.title', outcome.errors, outcome.values, { titleKey: 'delegation.add.title', action: '/employers/delegation/add' });
    res.redirect(303, '/employers/delegation?done=added');
  }

  @Get(':id/edit')
  @Allow('employer_manager')
  async editPage(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    if (!(await this.proven(req, res, principal))) return;
    const o = await this.delegations.one(principal, id);
    const read = this.cardRead(req, o.id);
    res.render(
      'delegation/form',
      this.formContext({
        titleKey: 'delegation.edit.title',
        action: `/employers/delegation/${o.id}/edit`,
        readHref: `/employers/delegation/read?for=${o.id}`,
        cardRead: !!read,
        version: o.version,
        values: { ...o, nationalId: '', phone: o.phone ?? '', mobile: o.mobile ?? '', endsOn: o.endsOn ?? '', ...read },
      }),
    );
  }

  @Post(':id/edit')
  @Allow('employer_manager')
  async edit(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    const outcome = await this.delegations.modify(principal, id, body, req.lang);
    if (!outcome.ok) this.invalid('delegation/form', 'delegation.edit.title', outcome.errors, outcome.values, { titleKey: 'delegation.edit.title', action: `/employers/delegation/${id}/edit`, version: textField(body, 'version') });
    res.redirect(303, '/employers/delegation?done=modified');
  }

  @Get(':id/delete')
  @Allow('employer_manager')
  async deletePage(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    if (!(await this.proven(req, res, principal))) return;
    const o = await this.delegations.one(principal, id);
    res.render('delegation/delete', { titleKey: 'delegation.delete.title', operator: o });
  }

  @Post(':id/delete')
  @Allow('employer_manager')
  async remove(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    await this.delegations.remove(principal, id, Number(textField(body, 'version')), req.lang);
    res.redirect(303, '/employers/delegation?done=deleted');
  }

  /** 更新序號: the operator's renewed certificate (same person, same CA family) signed in; one confirmation. */
  @Get(':id/renewal')
  @Allow('employer_manager')
  async renewalPage(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Param('id') id: string) {
    if (!(await this.proven(req, res, principal))) return;
    const o = await this.delegations.one(principal, id);
    if (!o.renewalSerial) return res.redirect(303, '/employers/delegation');
    res.render('delegation/renewal', { titleKey: 'delegation.renewal.title', operator: o });
  }

  @Post(':id/renewal')
  @Allow('employer_manager')
  async renewal(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    await this.delegations.acceptRenewal(principal, id, Number(textField(body, 'version')), req.lang);
    res.redirect(303, '/employers/delegation?done=modified');
  }

  @Get('history')
  @Allow('employer_manager')
  async history(@CurrentPrincipal() principal: Principal, @Req() req: Request, @Res() res: Response, @Query() query: unknown) {
    if (!(await this.proven(req, res, principal))) return;
    if (textField(query, 'format') === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`delegation-history-${principal.unitCode}.csv`).send(await this.delegations.historyCsv(principal));
      return;
    }
    const rows = await this.delegations.history(principal);
    res.render('delegation/history', { titleKey: 'delegation.history.title', rows: rows.map((h) => ({ ...h, actionKey: `delegation.action.${h.action}` })) });
  }
}
