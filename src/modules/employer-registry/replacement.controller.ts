import { Body, Controller, Get, Inject, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { FormValidationError, type FieldError } from '../../common/errors/domain-error';
import { textField } from '../../common/forms';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { cardScriptMessages, presentationFrom } from './certificate-reader';
import { employerRegistryError } from './employer-registry.errors';
import { REPLACEMENT_KINDS, type ReplacementDraft, type ReplacementKind } from './registration-draft';
import { ReplacementService } from './replacement.service';

/** The pages of a replacement: the first registration's terms and certificate pages, then the contacts and the result. */
const PAGES = {
  terms: { view: 'employer-registry/register-terms', titleKey: 'employers.register.terms.title' },
  unit: { view: 'employer-registry/register-unit', titleKey: 'employers.register.unit.title' },
  manager: { view: 'employer-registry/register-manager', titleKey: 'employers.register.manager.title' },
  details: { view: 'employer-registry/replace-details', titleKey: 'employers.replace.details.title' },
  done: { view: 'employer-registry/replace-done', titleKey: 'employers.replace.done.title' },
} as const;
type Page = keyof typeof PAGES;

/** Which earlier step a page needs (terms needs none). */
const NEEDS: Record<Exclude<Page, 'terms' | 'done'>, (d: ReplacementDraft) => boolean> = {
  unit: (d) => !!d.terms,
  manager: (d) => !!d.unit,
  details: (d) => !!d.unit && !!d.manager,
};

function kindOf(param: string): ReplacementKind {
  const kind = REPLACEMENT_KINDS.find((k) => k === param);
  if (!kind) throw employerRegistryError.notFound('replacement-not-found');
  return kind;
}

/**
 * 更換憑證 (/employers/replace, seed 003 section 6): choose what to replace, then terms → unit
 * certificate → manager's certificate → the manager's details re-entered → result. Public, as the
 * first registration is: the certificates are the proof.
 */
@Controller('employers/replace')
export class ReplacementController {
  constructor(
    private readonly replacements: ReplacementService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private context(req: Request, kind: ReplacementKind, page: Page, extra: Record<string, unknown> = {}) {
    return {
      titleKey: PAGES[page].titleKey,
      captionKey: `employers.replace.kind.${kind}`,
      formAction: `/employers/replace/${kind}/${page}`,
      backHref: '/employers/replace',
      introKey: `employers.replace.${page}.intro.${(page === 'unit' ? kind === 'manager' : kind === 'unit') ? 'registered' : 'new'}`,
      helperUrl: this.config.helperUrl,
      agreeItems: [{ value: 'yes', labelKey: 'employers.register.terms.agreeLabel' }],
      scriptMessages: cardScriptMessages(req.lang),
      unit: req.session.employerReplacement?.unit,
      ...extra,
    };
  }

  private invalid(req: Request, kind: ReplacementKind, page: Page, errors: FieldError[], values: Record<string, unknown>): never {
    throw new FormValidationError(PAGES[page].view, PAGES[page].titleKey, errors, values, this.context(req, kind, page));
  }

  /** This kind's draft when the page's earlier steps are done; otherwise back to the start. */
  private draft(req: Request, res: Response, kind: ReplacementKind, page: keyof typeof NEEDS): ReplacementDraft | null {
    const draft = req.session.employerReplacement;
    if (draft?.kind === kind && NEEDS[page](draft)) return draft;
    res.redirect(303, `/employers/replace/${kind}/terms`);
    return null;
  }

  @Get()
  @Public()
  @Render('employer-registry/replace-choose')
  choose() {
    return { titleKey: 'employers.replace.title', kinds: REPLACEMENT_KINDS.map((kind) => ({ href: `/employers/replace/${kind}/terms`, titleKey: `employers.replace.kind.${kind}`, descriptionKey: `employers.replace.kind.${kind}.description` })) };
  }

  @Get(':kind/terms')
  @Public()
  termsPage(@Req() req: Request, @Res() res: Response, @Param('kind') param: string) {
    const kind = kindOf(param);
    res.render(PAGES.terms.view, this.context(req, kind, 'terms', { values: {} }));
  }

  @Post(':kind/terms')
  @Public()
  terms(@Req() req: Request, @Res() res: Response, @Param('kind') param: string, @Body() body: unknown) {
    const kind = kindOf(param);
    if (textField(body, 'agree') !== 'yes') this.invalid(req, kind, 'terms', [{ field: 'agree', messageKey: 'employers.register.errors.termsRequired' }], {});
    req.session.employerReplacement = { kind, terms: true };
    res.redirect(303, `/employers/replace/${kind}/unit`);
  }

  @Get(':kind/unit')
  @Public()
  unitPage(@Req() req: Request, @Res() res: Response, @Param('kind') param: string) {
    const kind = kindOf(param);
    const draft = this.draft(req, res, kind, 'unit');
    if (draft) res.render(PAGES.unit.view, this.context(req, kind, 'unit', { values: { unitCode: draft.unit?.unitCode ?? '' } }));
  }

  @Post(':kind/unit')
  @Public()
  async unit(@Req() req: Request, @Res() res: Response, @Param('kind') param: string, @Body() body: unknown) {
    const kind = kindOf(param);
    const draft = this.draft(req, res, kind, 'unit');
    if (!draft) return;
    const outcome = await this.replacements.checkUnit(kind, presentationFrom(req, body), body);
    if (!outcome.ok) return this.invalid(req, kind, 'unit', outcome.errors, outcome.values);
    draft.unit = outcome.value;
    delete draft.manager;
    res.redirect(303, `/employers/replace/${kind}/manager`);
  }

  @Get(':kind/manager')
  @Public()
  managerPage(@Req() req: Request, @Res() res: Response, @Param('kind') param: string) {
    const kind = kindOf(param);
    if (this.draft(req, res, kind, 'manager')) res.render(PAGES.manager.view, this.context(req, kind, 'manager', { values: {} }));
  }

  @Post(':kind/manager')
  @Public()
  async manager(@Req() req: Request, @Res() res: Response, @Param('kind') param: string, @Body() body: unknown) {
    const kind = kindOf(param);
    const draft = this.draft(req, res, kind, 'manager');
    if (!draft) return;
    const outcome = await this.replacements.checkManager(kind, draft.unit!, presentationFrom(req, body), body);
    if (!outcome.ok) return this.invalid(req, kind, 'manager', outcome.errors, outcome.values);
    draft.manager = outcome.value;
    res.redirect(303, `/employers/replace/${kind}/details`);
  }

  @Get(':kind/details')
  @Public()
  async detailsPage(@Req() req: Request, @Res() res: Response, @Param('kind') param: string) {
    const kind = kindOf(param);
    const draft = this.draft(req, res, kind, 'details');
    if (!draft) return;
    const values = await this.replacements.contactsToConfirm(kind, draft.unit!.unitCode);
    res.render(PAGES.details.view, this.context(req, kind, 'details', { values, ...this.summary(draft) }));
  }

  /** 確認: the replacement itself. */
  @Post(':kind/details')
  @Public()
  async details(@Req() req: Request, @Res() res: Response, @Param('kind') param: string, @Body() body: unknown) {
    const kind = kindOf(param);
    const draft = this.draft(req, res, kind, 'details');
    if (!draft) return;
    const contacts = this.replacements.checkContacts(body);
    if (!contacts.ok) throw new FormValidationError(PAGES.details.view, PAGES.details.titleKey, contacts.errors, contacts.values, this.context(req, kind, 'details', this.summary(draft)));
    const { reference } = await this.replacements.replace({ kind, unit: draft.unit!, manager: draft.manager! }, contacts.value, req.lang);
    req.session.employerReplacement = { kind, reference };
    res.redirect(303, `/employers/replace/${kind}/done`);
  }

  @Get(':kind/done')
  @Public()
  donePage(@Req() req: Request, @Res() res: Response, @Param('kind') param: string) {
    const kind = kindOf(param);
    const draft = req.session.employerReplacement;
    if (draft?.kind !== kind || !draft.reference) return res.redirect(303, '/employers/replace');
    res.render(PAGES.done.view, this.context(req, kind, 'done', { reference: draft.reference }));
  }

  /** The certificates read, shown above the contacts (seed 003 圖3-26). */
  private summary(draft: ReplacementDraft) {
    const { unit, manager } = draft;
    return {
      certificateRows: [
        { keyKey: 'employers.unit.unitCode', value: `${unit?.unitCode} ${unit?.unitName}` },
        { keyKey: 'employers.replace.field.unitCertificate', value: `${unit?.serial} (${unit?.family})` },
        { keyKey: 'employers.register.field.identifier', value: unit?.identifier ?? '—' },
        { keyKey: 'employers.register.field.nationalId', value: manager?.idMasked },
        { keyKey: 'employers.replace.field.managerCertificate', value: manager?.serial },
      ],
    };
  }
}
