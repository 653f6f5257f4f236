import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { commonError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { OpsService } from './ops.service';

@Controller()
export class OpsController {
  constructor(
    private readonly ops: OpsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Database, Redis and the queue backlog; 503 when the database or Redis is down. */
  @Get('healthz')
  @Public()
  async healthz(@Res() res: Response) {
    const health = await this.ops.health();
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  }

  /** Ready to take traffic (200) or not (503), and why. */
  @Get('readyz')
  @Public()
  async readyz(@Res() res: Response) {
    const readiness = await this.ops.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  }

  @Get('metrics')
  @Public({ intranet: true })
  async metrics(@Res() res: Response) {
    if (!this.config.metricsEnabled) throw commonError.notFound('route-not-found', 'errors.404.message');
    res.type(this.ops.registry.contentType).send(await this.ops.registry.metrics());
  }
}
