// The reference module's face: what other modules (and the CLI) may use.
export { ReferenceModule } from './reference.module';
export { ReferenceService, type CounterSearch, type CountyCounts } from './reference.service';
export { ReferenceSeeder, type SeedReport } from './reference.seeder';
export type { County, Department, InsuredPerson, Institution, Professional, RegistrationCounter } from './reference.entity';
export { COUNTER_KINDS, DEMO_FIXTURES, DEMO_INSURED, DEMO_PERSONNEL, DEMO_RESPONSIBLE_PERSONS, findDemoInsured, findDemoInstitution, type CounterKind, type DemoInsuredPerson } from './data';
