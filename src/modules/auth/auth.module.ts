import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { StaffLoginController } from './staff-login.controller';
import { StaffService } from './staff.service';

@Module({
  imports: [ReferenceModule],
  controllers: [StaffLoginController],
  providers: [StaffService],
  exports: [StaffService],
})
export class AuthModule {}
