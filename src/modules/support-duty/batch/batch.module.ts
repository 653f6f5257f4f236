import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../../notifications';
import { ReferenceModule } from '../../reference';
import { FilingModule } from '../filing/filing.module';
import { readAttachments } from '../filing/filing.module';
import { CaseLifecycleModule } from '../lifecycle/lifecycle.module';
import { BatchController } from './batch.controller';
import { SupportDutyBatch } from './batch.entity';
import { SupportDutyBatchProcessor } from './batch.jobs';
import { BatchRepository } from './batch.repository';
import { BatchService } from './batch.service';

/** What the web and the worker share of batch entry: the batches and the service that runs them. */
@Module({
  imports: [TypeOrmModule.forFeature([SupportDutyBatch]), CaseLifecycleModule, FilingModule, ReferenceModule, NotificationsModule],
  providers: [BatchRepository, BatchService],
  exports: [BatchService],
})
export class BatchCoreModule {}

/** Batch entry's pages (web). */
@Module({ imports: [BatchCoreModule], controllers: [BatchController] })
export class BatchModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(readAttachments).forRoutes({ path: 'support-duty/batch', method: RequestMethod.POST });
  }
}

/** Batch entry's job (worker). */
@Module({ imports: [BatchCoreModule], providers: [SupportDutyBatchProcessor] })
export class BatchWorkerModule {}
