// The audit module's face: what other modules may use.
export { AuditModule } from './audit.module';
export { AuditService, type AuditActor, type AuditEntry } from './audit.service';
