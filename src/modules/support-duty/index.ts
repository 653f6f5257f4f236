// The support-duty module's face: what the app, the worker (and later the reporting module) may use.
export { SupportDutyModule, SupportDutyWorkerModule } from './support-duty.module';
export type { CaseChangedEvent } from './lifecycle/case-lifecycle.service';
