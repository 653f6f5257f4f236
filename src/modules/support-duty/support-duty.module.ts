import { Module } from '@nestjs/common';
import { FilingModule } from './filing/filing.module';
import { ReviewModule } from './review/review.module';

/**
 * Support duty (報備支援, seed 002), one folder per journey: filing/ (clinicians and
 * institutions), review/ (county health bureaus), lifecycle/ (the records, the rules and the
 * state machine they share). See docs/decisions/0012.
 */
@Module({ imports: [FilingModule, ReviewModule] })
export class SupportDutyModule {}
