import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CertificatesModule } from '../certificates';
import { NotificationsModule } from '../notifications';
import { OpsController } from './ops.controller';
import { OpsService } from './ops.service';

@Module({ imports: [NotificationsModule, CertificatesModule], controllers: [OpsController], providers: [OpsService], exports: [OpsService] })
export class OpsModule implements NestModule {
  constructor(private readonly ops: OpsService) {}

  /** Request durations by matched route (not raw URL, so the label set stays small). */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        const end = this.ops.httpDuration.startTimer();
        res.on('finish', () => end({ method: req.method, route: (req.route?.path as string | undefined) ?? 'unmatched', status: String(res.statusCode) }));
        next();
      })
      .forRoutes('*path');
  }
}
