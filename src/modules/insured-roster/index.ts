// The insured-roster module's face.
export { InsuredRosterModule } from './roster.module';
export { RosterService, UPLOAD_COLUMNS } from './roster.service';
