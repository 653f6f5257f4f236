// The support-duty module's face: what the app (and later the reporting module) may use.
export { SupportDutyModule } from './support-duty.module';
export type { CaseChangedEvent } from './lifecycle/case-lifecycle.service';
