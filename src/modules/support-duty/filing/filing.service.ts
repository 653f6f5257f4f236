import { Injectable } from '@nestjs/common';
import { visibleTo, type Ownership } from '../../../common/access/access-policy';
import type { Principal } from '../../../common/context/request-context';
import type { FieldError } from '../../../common/errors/domain-error';
import { translate, type Lang } from '../../../common/i18n/i18n';
import { maskNationalId } from '../../../common/identifiers';
import { taipeiDay } from '../../../common/time/taipei-day';
import { Database, type Tx } from '../../../core/database';
import type { AuditActor } from '../../audit';
import { ReferenceService, type Institution, type Professional } from '../../reference';
import { CaseLifecycle, caseNumberOf } from '../lifecycle/case-lifecycle.service';
import { CaseRules } from '../lifecycle/case-rules.service';
import { canTake, CASE_STATES, type CaseState } from '../lifecycle/case-state';
import { buildCasePdf } from '../lifecycle/case-pdf';
import { caseRow, caseTag, categoryName, periodLines, ruleView, sessionLabel } from '../lifecycle/case-view';
import { CaseRepository, type CaseFields } from '../lifecycle/case.repository';
import { SESSIONS, WEEKDAYS } from '../lifecycle/periods';
import type { RuleCheck } from '../lifecycle/quota-policy';
import { PURPOSES, type SupportDutyCase } from '../lifecycle/support-duty.entity';
import { supportDutyError } from '../support-duty.errors';
import { AttachmentStore, MAX_ATTACHMENTS, type UploadedFile } from './attachments.service';
import { checkCaseForm, PERIOD_ROWS, valuesOf, type CaseFormValues } from './case-form';

export const CASE_PAGE_SIZE = 20;

/** Whose a case is: the person's, their home institution's (which filed or may file for them), the supported county's bureau. */
export const caseOwner = (c: SupportDutyCase): Ownership => ({ personId: String(c.professionalId), institutionCode: c.homeInstitutionCode, countyCode: c.countyCode });

/** What a batch reads once for all its rows, so that reading a row asks the database nothing. */
export interface PrepareLookups {
  departments: Set<string>;
  /** The rows' people (the institution's staff among them), by registry id. */
  people: Map<number, Professional>;
  /** The rows' supported institutions that exist, by code. */
  institutions: Map<string, Institution>;
}

export type SaveOutcome = { caseId: string; errors: null } | { caseId: null; errors: FieldError[]; values: CaseFormValues };
export type SubmitOutcome = { submitted: true; caseNumber: string } | { submitted: false; refused: RuleCheck[] };

/**
 * Filing support duty (seed 002's front office): a clinician for themself, an institution for
 * any of its own registered staff and never another institution's (by URL or form: out of
 * scope is "not found", a person not on its staff a field error). The form saves a draft (kept
 * when the user leaves), the check page submits it: the rules are checked in the submitting
 * transaction under row locks (CaseRules) and a refusal names the rule with its numbers.
 * Change (變更) opens a new draft superseding an approved case; cancel (註銷) ends it.
 */
@Injectable()
export class FilingService {
  constructor(
    private readonly database: Database,
    private readonly cases: CaseRepository,
    private readonly lifecycle: CaseLifecycle,
    private readonly rules: CaseRules,
    private readonly reference: ReferenceService,
    readonly attachments: AttachmentStore,
  ) {}

  /** The choices of the case form for this principal. */
  async formChoices(principal: Principal, lang: Lang) {
    const departments = await this.reference.activeDepartments();
    const staff = principal.role === 'institution' ? await this.reference.professionalsAt(principal.id) : [];
    const self = principal.role === 'personnel' ? await this.reference.professional(Number(principal.id)) : null;
    return {
      byInstitution: principal.role === 'institution',
      self: self ? await this.personView(self, lang) : null,
      staffItems: await Promise.all(staff.map(async (p) => ({ value: String(p.id), text: `${p.nameZh}（${categoryName(p.categoryCode, lang)}，${maskNationalId(this.reference.nationalIdOf(p))}）` }))),
      departmentItems: departments.map((d) => ({ value: d.code, text: `${d.code} ${lang === 'en' ? d.nameEn : d.nameZh}` })),
      purposeItems: PURPOSES.map((p) => ({ value: p, labelKey: `supportDuty.purpose.${p}` })),
      periodRows: PERIOD_ROWS.map((n) => ({
        n,
        from: `p${n}From`,
        to: `p${n}To`,
        weekdays: `p${n}Weekdays`,
        sessions: `p${n}Sessions`,
        legendParams: { n },
        weekdayItems: WEEKDAYS.map((d) => ({ value: String(d), labelKey: `supportDuty.weekday.${d}` })),
        sessionItems: SESSIONS.map((s) => ({ value: s, text: sessionLabel(s, lang, this.rules.policy.sessionTimes) })),
      })),
    };
  }

  /** Institutions for the live search (code prefix or part of the name). */
  async searchInstitutions(text: string, lang: Lang) {
    const found = text.length >= 2 ? await this.reference.searchInstitutions(text.slice(0, 60), 20) : [];
    return found.map((i) => ({ code: i.code, name: lang === 'en' ? i.nameEn : i.nameZh }));
  }

  /** A case the principal may see; any other (or none) is "not found". */
  async caseFor(principal: Principal, id: string): Promise<SupportDutyCase> {
    const c = visibleTo(principal, await this.cases.findById(id), caseOwner, 'case-not-found');
    if (c.status === 'discarded') throw supportDutyError.notFound('case-not-found');
    return c;
  }

  /** Saves the form as a new draft, or over the draft `caseId` (at the form's `version`). */
  async saveDraft(principal: Principal, body: unknown, lang: Lang, draft: { id: string; version: number | null } | null = null): Promise<SaveOutcome> {
    const existing = draft ? await this.caseFor(principal, draft.id) : null;
    if (existing && existing.status !== 'draft') throw supportDutyError.conflict('case-not-editable', 'supportDuty.errors.notEditable');
    const prepared = await this.prepare(principal, body);
    if (!prepared.fields) return { caseId: null, errors: prepared.errors, values: prepared.values };
    const fields = prepared.fields;
    return this.database.transaction(async (tx) => {
      if (existing) {
        if (!(await this.cases.updateDraft(tx, { id: existing.id, version: draft?.version ?? existing.version }, fields))) throw supportDutyError.conflict('case-changed', 'supportDuty.errors.changedMeanwhile');
        return { caseId: existing.id, errors: null };
      }
      const caseId = await this.cases.insertDraft(tx, { ...fields, filedByKind: principal.role === 'institution' ? 'institution' : 'personnel', filedById: principal.id, lang, supersedesCaseId: null });
      return { caseId, errors: null };
    });
  }

  /**
   * Reads a case form for this principal into the case's fields: the person (the clinician, or
   * one of the institution's own staff), the supported institution (not the home one), the
   * department; or the errors and the values to show again. Single entry and batch rows alike.
   */
  async prepare(principal: Principal, body: unknown, lookups?: PrepareLookups): Promise<{ fields: CaseFields | null; errors: FieldError[]; values: CaseFormValues }> {
    const check = checkCaseForm(body, principal.role === 'institution', this.rules.policy.maxPeriodDays);
    const errors = [...check.errors];
    const chosen = String(check.values.professionalId ?? '');
    const person = await this.personFor(principal, /^\d{1,9}$/.test(chosen) ? Number(chosen) : null, errors, lookups?.people);
    const supported = check.values.supportedInstitution ? await this.resolveInstitution(String(check.values.supportedInstitution), errors, lookups?.institutions) : null;
    if (person && supported && person.homeInstitutionCode === supported.code) errors.push({ field: 'supportedInstitution', messageKey: 'supportDuty.errors.institution.home' });
    const known = lookups?.departments ?? new Set((await this.reference.activeDepartments()).map((d) => d.code));
    if (check.values.department && !known.has(String(check.values.department))) errors.push({ field: 'department', messageKey: 'supportDuty.errors.department.empty' });
    if (errors.length || !check.input || !person || !supported || !person.homeInstitutionCode) return { fields: null, errors, values: check.values };
    const input = check.input;
    return {
      errors: [],
      values: check.values,
      fields: {
        professionalId: person.id,
        personIndex: person.nationalIdIndex,
        professionalName: person.nameZh,
        categoryCode: person.categoryCode,
        certificateNumber: person.certificateNumber,
        homeInstitutionCode: person.homeInstitutionCode,
        supportedInstitutionCode: supported.code,
        countyCode: supported.countyCode,
        departmentCode: input.departmentCode,
        purpose: input.purpose,
        purposeText: input.purposeText,
        periods: input.periods,
        firstDay: input.firstDay,
        lastDay: input.lastDay,
        sessionCount: input.sessionCount,
      },
    };
  }

  /**
   * Submits a case already read in this transaction (`tx`): the rules under row locks, then the
   * transition, the case number and the slots. Single submissions and batch rows alike.
   */
  async submitIn(tx: Tx, c: SupportDutyCase, actor?: AuditActor): Promise<SubmitOutcome> {
    const { checks, slots } = await this.rules.check(tx, c);
    const refused = checks.filter((r) => !r.ok);
    if (refused.length) return { submitted: false, refused };
    const caseNumber = caseNumberOf(c.id);
    await this.lifecycle.move(tx, { row: c, event: 'submit', set: { caseNumber, submittedAt: new Date() }, summary: { sessions: slots.length, emergency: c.purpose === 'emergency' }, actor });
    await this.cases.insertSlots(tx, [{ c, slots }]);
    return { submitted: true, caseNumber };
  }

  /** The form's values for editing a draft. */
  async draftValues(principal: Principal, id: string): Promise<{ c: SupportDutyCase; values: CaseFormValues }> {
    const c = await this.caseFor(principal, id);
    if (c.status !== 'draft') throw supportDutyError.conflict('case-not-editable', 'supportDuty.errors.notEditable');
    return { c, values: valuesOf(c) };
  }

  /**
   * Submits a draft at `version`: the rules are checked in this transaction, after the person's
   * and the supported institution's rows are locked; a refusal changes nothing and lists every
   * failed rule with its numbers. Accepted: a case number, the slots that count from now on.
   */
  async submit(principal: Principal, id: string, version: number | null): Promise<SubmitOutcome> {
    const c = await this.caseFor(principal, id);
    if (c.status !== 'draft' || (version !== null && version !== c.version)) throw supportDutyError.conflict('case-changed', 'supportDuty.errors.changedMeanwhile');
    return this.database.transaction((tx) => this.submitIn(tx, { ...c, version: version ?? c.version }));
  }

  /** Whether the principal filed the case (a clinician themself, or the institution for its staff). */
  filedBy(principal: Principal, c: SupportDutyCase): boolean {
    return c.filedByKind === (principal.role === 'institution' ? 'institution' : 'personnel') && c.filedById === principal.id;
  }

  /** A draft the principal filed themself (the one who may discard it); anything else is "not found", a case no longer a draft a conflict. */
  async ownDraft(principal: Principal, id: string): Promise<SupportDutyCase> {
    const c = await this.caseFor(principal, id);
    if (!this.filedBy(principal, c)) throw supportDutyError.notFound('case-not-found');
    if (c.status !== 'draft') throw supportDutyError.conflict('case-not-editable', 'supportDuty.errors.notEditable');
    return c;
  }

  /** Discards the principal's own draft at `version` (draft → discarded, audited): it leaves their lists; nothing was filed. */
  async discard(principal: Principal, id: string, version: number | null): Promise<void> {
    const c = await this.ownDraft(principal, id);
    await this.database.transaction((tx) => this.lifecycle.move(tx, { row: { ...c, version: version ?? c.version }, event: 'discard' }));
  }

  /**
   * 註銷: a submitted or approved case ends; its periods after today no longer count. The county
   * bureau's reviewers are told in their message list (/review/support-duty/messages), in the
   * same transaction.
   */
  async cancel(principal: Principal, id: string, version: number | null): Promise<void> {
    const c = await this.caseFor(principal, id);
    await this.database.transaction(async (tx) => {
      await this.lifecycle.move(tx, { row: { ...c, version: version ?? c.version }, event: 'cancel', set: { cancelledAt: new Date() }, summary: { after: taipeiDay() } });
      await this.cases.deleteSlots(tx, c.id, c.status === 'approved' ? taipeiDay() : null);
      const supported = await this.reference.institution(c.supportedInstitutionCode);
      await this.cases.addMessage(tx, {
        recipientKind: 'county',
        recipientId: c.countyCode,
        caseId: c.id,
        template: 'support-duty.cancelled',
        params: { caseNumber: c.caseNumber ?? '', name: c.professionalName, supported: supported?.nameZh ?? c.supportedInstitutionCode, supportedEn: supported?.nameEn ?? c.supportedInstitutionCode },
      });
    });
  }

  /** 變更: a new draft copying an approved case, which stays in force until the change is decided. */
  async startChange(principal: Principal, id: string, lang: Lang): Promise<string> {
    const c = await this.caseFor(principal, id);
    if (!canTake(c.status, 'supersede')) throw supportDutyError.conflict('case-transition-illegal', 'supportDuty.errors.transitionIllegal');
    const open = await this.cases.openChangeOf(c.id);
    if (open) return open.id;
    return this.database.transaction(async (tx) => {
      const draftId = await this.cases.insertDraft(tx, {
        ...pick(c),
        filedByKind: principal.role === 'institution' ? 'institution' : 'personnel',
        filedById: principal.id,
        lang,
        supersedesCaseId: c.id,
      });
      await this.cases.copyAttachments(tx, c.id, draftId);
      return draftId;
    });
  }

  /** Attaches files to a draft: all of them, or none with every problem reported. */
  async attach(principal: Principal, id: string, files: UploadedFile[], uploadError: string | null): Promise<FieldError[]> {
    const c = await this.caseFor(principal, id);
    if (c.status !== 'draft') throw supportDutyError.conflict('case-not-editable', 'supportDuty.errors.notEditable');
    const errors = this.attachments.check((await this.attachments.list(c.id)).length, files, uploadError);
    if (errors.length) return errors;
    await this.database.transaction((tx) => this.attachments.store(tx, c.id, files));
    return [];
  }

  /** A page of the principal's cases (a clinician's own, an institution's staff's). */
  async list(principal: Principal, filter: { status: CaseState | null; page: number }, lang: Lang) {
    const scope = principal.role === 'institution' ? { institutionCode: principal.id } : { personnelId: principal.id };
    const { rows, total } = await this.cases.list(scope, { statuses: filter.status ? [filter.status] : CASE_STATES.filter((s) => s !== 'discarded'), page: filter.page, pageSize: CASE_PAGE_SIZE });
    const names = await this.reference.institutionNames(rows.flatMap((r) => [r.homeInstitutionCode, r.supportedInstitutionCode]), lang);
    return {
      rows: rows.map((r) => caseRow(r, `/support-duty/cases/${r.id}`, names, lang)),
      total,
      pages: Math.max(1, Math.ceil(total / CASE_PAGE_SIZE)),
      statusItems: CASE_STATES.filter((s) => s !== 'discarded').map((s) => ({ value: s, labelKey: `supportDuty.state.${s}` })),
    };
  }

  /** What a case page shows. */
  async page(c: SupportDutyCase, lang: Lang, attachmentBase = `/support-duty/cases/${c.id}/attachments`) {
    const person = await this.reference.professional(c.professionalId);
    const names = await this.reference.institutionNames([c.homeInstitutionCode, c.supportedInstitutionCode], lang);
    const departments = await this.reference.activeDepartments();
    const department = departments.find((d) => d.code === c.departmentCode);
    const personView = person ? await this.personView(person, lang) : null;
    const rows = [
      { keyKey: 'supportDuty.field.name', value: c.professionalName },
      ...(personView ? [{ keyKey: 'supportDuty.field.nationalId', value: personView.maskedId }] : []),
      { keyKey: 'supportDuty.field.category', value: categoryName(c.categoryCode, lang) },
      { keyKey: 'supportDuty.field.certificateNumber', value: c.certificateNumber },
      { keyKey: 'supportDuty.field.home', value: names.get(c.homeInstitutionCode) ?? c.homeInstitutionCode },
      { keyKey: 'supportDuty.field.supported', value: `${c.supportedInstitutionCode} ${names.get(c.supportedInstitutionCode) ?? ''}` },
      { keyKey: 'supportDuty.field.department', value: department ? `${department.code} ${lang === 'en' ? department.nameEn : department.nameZh}` : c.departmentCode },
      { keyKey: 'supportDuty.field.purpose', valueKey: `supportDuty.purpose.${c.purpose}` },
      ...(c.purposeText ? [{ keyKey: 'supportDuty.field.purposeText', value: c.purposeText }] : []),
      { keyKey: 'supportDuty.field.periods', lines: periodLines(c, lang, this.rules.policy.sessionTimes) },
      { keyKey: 'supportDuty.field.sessionCount', value: String(c.sessionCount) },
      ...(c.decisionReason ? [{ keyKey: 'supportDuty.field.reason', value: c.decisionReason }] : []),
    ];
    return {
      case: c,
      rows,
      tag: caseTag(c.status),
      person: personView,
      attachments: (await this.attachments.list(c.id)).map((a) => ({ filename: a.filename, kb: Math.max(1, Math.round(a.size / 1024)), href: `${attachmentBase}/${a.id}` })),
      maxAttachments: MAX_ATTACHMENTS,
      canSubmit: c.status === 'draft',
      canCancel: canTake(c.status, 'cancel'),
      canChange: canTake(c.status, 'supersede'),
    };
  }

  /** The printed case (套印) or, for a decided case, the bureau's decision letter: zh-TW, IDs masked. */
  async pdf(c: SupportDutyCase, kind: 'application' | 'decision'): Promise<Buffer> {
    const { rows } = await this.page(c, 'zh-TW');
    const t = (key: string) => translate('zh-TW', key);
    const printed: Array<[string, string]> = rows.map((r) => [t(r.keyKey), 'lines' in r && r.lines ? r.lines.join('\n') : 'valueKey' in r && r.valueKey ? t(r.valueKey) : String(('value' in r && r.value) || '')]);
    printed.push([t('supportDuty.field.status'), t(caseTag(c.status).textKey)]);
    const county = (await this.reference.counties()).find((x) => x.code === c.countyCode);
    return buildCasePdf({ kind, caseNumber: c.caseNumber ?? '', day: taipeiDay(), rows: printed, bureau: county?.bureauNameZh ?? c.countyCode });
  }

  /** The refusal as the check page shows it. */
  refusalErrors(refused: RuleCheck[], lang: Lang): FieldError[] {
    return refused.map((r) => ({ field: 'submit', messageKey: 'supportDuty.refused', params: { text: ruleView(r, lang).text } }));
  }

  async messages(principal: Principal) {
    const kind = principal.role === 'institution' ? 'institution' : 'personnel';
    return (await this.cases.messagesFor(kind, principal.id)).map((m) => ({ createdAt: m.createdAt, template: m.template, params: m.params, href: `/support-duty/cases/${m.caseId}` }));
  }

  private async personView(p: Professional, lang: Lang) {
    const home = p.homeInstitutionCode ? await this.reference.institution(p.homeInstitutionCode) : null;
    return {
      name: p.nameZh,
      maskedId: maskNationalId(this.reference.nationalIdOf(p)),
      category: categoryName(p.categoryCode, lang),
      certificateNumber: p.certificateNumber,
      home: home ? (lang === 'en' ? home.nameEn : home.nameZh) : null,
      suspended: p.suspended,
    };
  }

  /**
   * The person a case is for: a clinician themself; for an institution one of its own registered
   * staff (a professional of another institution, or none, is a field error: never a filing).
   */
  private async personFor(principal: Principal, professionalId: number | null, errors: FieldError[], people?: Map<number, Professional>): Promise<Professional | null> {
    if (principal.role === 'personnel') {
      const self = await this.reference.professional(Number(principal.id));
      if (!self?.homeInstitutionCode) throw supportDutyError.forbidden('filer-not-registered', 'supportDuty.errors.notRegistered');
      return self;
    }
    if (professionalId === null) return null;
    const person = professionalId <= 0 ? null : people ? (people.get(professionalId) ?? null) : await this.reference.professional(professionalId);
    if (!person || person.homeInstitutionCode !== principal.id) {
      if (!errors.some((e) => e.field === 'professionalId')) errors.push({ field: 'professionalId', messageKey: 'supportDuty.errors.professional.empty' });
      return null;
    }
    return person;
  }

  /** The supported institution from a code, or from a name that matches exactly one. */
  private async resolveInstitution(text: string, errors: FieldError[], known?: Map<string, Institution>): Promise<Institution | null> {
    const code = institutionCodeIn(text);
    if (code) {
      const found = known ? (known.get(code) ?? null) : await this.reference.institution(code);
      if (!found) errors.push({ field: 'supportedInstitution', messageKey: 'supportDuty.errors.institution.notFound' });
      return found;
    }
    const found = await this.reference.searchInstitutions(text, 2);
    const exact = found.filter((i) => i.nameZh === text || i.nameEn === text);
    if (exact.length === 1 || found.length === 1) return exact[0] ?? found[0];
    errors.push({ field: 'supportedInstitution', messageKey: found.length ? 'supportDuty.errors.institution.ambiguous' : 'supportDuty.errors.institution.notFound' });
    return null;
  }
}

/** The institution code a supported-institution field names: the code alone, or the code and the name. */
export function institutionCodeIn(text: string): string | null {
  return /^\d{10}$/.test(text) ? text : (/^(\d{10})\s/.exec(text)?.[1] ?? null);
}

function pick(c: SupportDutyCase): CaseFields {
  const { professionalId, personIndex, professionalName, categoryCode, certificateNumber, homeInstitutionCode, supportedInstitutionCode, countyCode, departmentCode, purpose, purposeText, periods, firstDay, lastDay, sessionCount } = c;
  return { professionalId, personIndex, professionalName, categoryCode, certificateNumber, homeInstitutionCode, supportedInstitutionCode, countyCode, departmentCode, purpose, purposeText, periods, firstDay, lastDay, sessionCount };
}
