import { Module } from '@nestjs/common';
import { CountersController } from './counters.controller';
import { ReferenceSeeder } from './reference.seeder';
import { ReferenceService } from './reference.service';

@Module({
  controllers: [CountersController],
  providers: [ReferenceService, ReferenceSeeder],
  exports: [ReferenceService, ReferenceSeeder],
})
export class ReferenceModule {}
