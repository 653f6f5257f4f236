// The reporting module's face.
export { ReportingModule, ReportingWorkerModule } from './reporting.module';
