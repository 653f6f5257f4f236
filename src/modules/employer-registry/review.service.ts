import { Injectable } from '@nestjs/common';
import { visibleTo } from '../../common/access/access-policy';
import type { Principal } from '../../common/context/request-context';
import type { FieldError } from '../../common/errors/domain-error';
import { checkText, choiceField, textField } from '../../common/forms';
import { isLang } from '../../common/i18n/i18n';
import { Database } from '../../core/database';
import { AuditService } from '../audit';
import { NotificationsService } from '../notifications';
import { employerRegistryError } from './employer-registry.errors';
import { EmployerRegistryRepository } from './employer-registry.repository';
import { EmployerRegistryService, type UnitView } from './employer-registry.service';
import type { EmployerReviewCase } from './registration.entity';
import { RegistrationRepository } from './registration.repository';

export const REVIEW_PAGE_SIZE = 20;
const DECISIONS = ['approve', 'reject'] as const;

/** What a reviewer sees of a case: the certificate's data beside the registry record. */
export interface ReviewCaseView {
  reviewCase: EmployerReviewCase;
  unit: UnitView | null;
}

/** The ministry's review of unit certificates that did not match the registry (審核). */
@Injectable()
export class ReviewService {
  constructor(
    private readonly repository: RegistrationRepository,
    private readonly units: EmployerRegistryRepository,
    private readonly registry: EmployerRegistryService,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  async openCases(principal: Principal, page: number) {
    const [rows, total] = await this.repository.cases('open', REVIEW_PAGE_SIZE, (page - 1) * REVIEW_PAGE_SIZE);
    return { rows: rows.filter((r) => visibleTo(principal, r, (c) => ({ unitCode: c.unitCode }))), total };
  }

  async caseFor(principal: Principal, id: string): Promise<ReviewCaseView> {
    const reviewCase = visibleTo(principal, await this.repository.caseById(id), (c) => ({ unitCode: c.unitCode }), 'review-case-not-found');
    const unit = await this.units.byUnitCode(reviewCase.unitCode);
    return { reviewCase, unit: unit ? this.registry.view(unit) : null };
  }

  /** Approve or reject (with a reason) at the version the reviewer saw: a case decided meanwhile is a conflict. */
  async decide(principal: Principal, id: string, body: unknown): Promise<{ ok: true; status: 'approved' | 'rejected' } | { ok: false; errors: FieldError[]; values: Record<string, unknown> }> {
    const { reviewCase } = await this.caseFor(principal, id);
    const decision = choiceField(body, 'decision', DECISIONS);
    const reason = textField(body, 'reason');
    const version = Number(textField(body, 'version'));
    const values = { decision: decision ?? '', reason };
    const errors: FieldError[] = [];
    if (!decision) errors.push({ field: 'decision', messageKey: 'employers.review.errors.decision' });
    if (decision === 'reject' && !reason) errors.push({ field: 'reason', messageKey: 'employers.review.errors.reason' });
    if (reason) checkText(errors, 'reason', reason, 500, 'employers.review.errors.reasonTooLong', { multiLine: true });
    if (errors.length || !decision) return { ok: false, errors, values };
    if (reviewCase.status !== 'open' || !Number.isInteger(version) || version !== reviewCase.version) throw employerRegistryError.conflict('review-case-changed', 'employers.review.errors.changedMeanwhile');
    const status = decision === 'approve' ? 'approved' : 'rejected';
    await this.database.transaction(async (tx) => {
      const changed = await this.repository.decide(tx, reviewCase.id, version, { status, decidedBy: principal.id, decidedAt: new Date(), reason: reason || null });
      if (!changed) throw employerRegistryError.conflict('review-case-changed', 'employers.review.errors.changedMeanwhile');
      await this.audit.record(tx, { action: `employers.review-case.${decision}`, targetType: 'employer_review_case', targetId: reviewCase.id, summary: { unitCode: reviewCase.unitCode, reason: reason || null } });
      await this.notifications.notify(tx, {
        to: reviewCase.applicantEmail,
        template: status === 'approved' ? 'employers.review-approved' : 'employers.review-rejected',
        lang: isLang(reviewCase.lang) ? reviewCase.lang : 'zh-TW',
        params: { applicantName: reviewCase.applicantName, unitCode: reviewCase.unitCode, reason: reason || '—' },
      });
    });
    return { ok: true, status };
  }
}
