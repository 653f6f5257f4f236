// The reporting module's face.
export { CaseSummaryModule, ReportingCliModule, ReportingModule, ReportingWorkerModule } from './reporting.module';
export { MonthlyReportsService, isMonth, type MonthlyRunResult } from './monthly-reports.service';
export { CaseSummaryService, type RebuildResult } from './case-summary.service';
export { SyntheticCasesService, type GenerateResult } from './synthetic-cases.service';
export { FiguresService, type FiguresRefreshResult } from './figures.service';
