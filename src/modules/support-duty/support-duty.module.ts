import { Module } from '@nestjs/common';
import { BatchModule, BatchWorkerModule } from './batch/batch.module';
import { FilingModule } from './filing/filing.module';
import { ReviewModule } from './review/review.module';

/**
 * Support duty (報備支援, seed 002), one folder per journey: filing/ (clinicians and
 * institutions: single entry, change, cancel, query, print, attachments, the dashboard),
 * batch/ (institutions' batch entry and its job), review/ (county health bureaus), lifecycle/
 * (the records, the rules and the state machine they share). See docs/decisions/0012.
 */
@Module({ imports: [FilingModule, BatchModule, ReviewModule] })
export class SupportDutyModule {}

/** Worker process: the batch entry job. */
@Module({ imports: [BatchWorkerModule] })
export class SupportDutyWorkerModule {}
