import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { commonError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { OpsService } from './ops.service';

/** Whether the request carries `Authorization: Bearer <token>`. */
function bearerIs(req: Request, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Liveness, readiness and metrics. Anyone may ask whether the service is up (a load balancer, a
 * monitor); what is down and why, and the queue backlog, only the intranet is told; metrics need
 * the intranet and METRICS_TOKEN.
 */
@Controller()
export class OpsController {
  constructor(
    private readonly ops: OpsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 when the database and Redis answer, else 503; the details (and the backlog) for the intranet. */
  @Get('healthz')
  @Public()
  async healthz(@Req() req: Request, @Res() res: Response) {
    const health = await this.ops.health();
    res.status(health.status === 'ok' ? 200 : 503).json(req.fromIntranet ? health : { status: health.status });
  }

  /** Ready to take traffic (200) or not (503); why, for the intranet. */
  @Get('readyz')
  @Public()
  async readyz(@Req() req: Request, @Res() res: Response) {
    const readiness = await this.ops.readiness();
    res.status(readiness.ready ? 200 : 503).json(req.fromIntranet ? readiness : { ready: readiness.ready });
  }

  @Get('metrics')
  @Public({ intranet: true })
  async metrics(@Req() req: Request, @Res() res: Response) {
    if (!this.config.metricsEnabled || !this.config.metricsToken) throw commonError.notFound('route-not-found', 'errors.404.message');
    // A scraper, not a person: a plain 401 with the scheme to use.
    if (!bearerIs(req, this.config.metricsToken)) return res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('A bearer token (METRICS_TOKEN) is required.\n');
    res.type(this.ops.registry.contentType).send(await this.ops.registry.metrics());
  }
}
