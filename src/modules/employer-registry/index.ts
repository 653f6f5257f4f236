// The employer registry module's face: what other modules (and the CLI) may use.
export { EmployerRegistryModule, EmployerRegistryWorkerModule } from './employer-registry.module';
export { UnitContacts } from './unit-contacts';
export { EmployerRegistryService, EMPLOYER_CARD_TYPE, type Comparison, type UnitView } from './employer-registry.service';
export { EmployerRegistrySeeder } from './employer-registry.seeder';
export type { EmployerUnit } from './employer-unit.entity';
export { certificateIdentifier, UNIT_KINDS, UNIT_KIND_FAMILY, type CertificateIdentifier, type UnitKind } from './unit-kind';
export { DEMO_UNITS, demoCardArguments, type DemoUnit } from './data/demo-units';
export { CertificateReader, cardScriptMessages, presentationFrom, type CardPresentation } from './certificate-reader';
export { RegistrationService } from './registration.service';
export type { EmployerRegistration } from './registration.entity';
