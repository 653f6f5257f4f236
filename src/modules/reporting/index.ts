// The reporting module's face.
export { CaseSummaryModule, ReportingModule, ReportingWorkerModule } from './reporting.module';
export { CaseSummaryService, type RebuildResult } from './case-summary.service';
export { SyntheticCasesService, type GenerateResult } from './synthetic-cases.service';
