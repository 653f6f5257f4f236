import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { sessionPrincipal } from '../../common/access/current-principal.decorator';
import { addressIn } from '../../common/web/client-address';
import { LinksRegistry } from '../../common/web/links';
import { APP_CONFIG, type AppConfig, toBlockList } from '../../config/app-config';

/** The home page: the services every module contributed that this visitor may use. */
@Injectable()
export class HomeService {
  private readonly intranet;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly links: LinksRegistry,
  ) {
    this.intranet = toBlockList(config.intranetCidrs);
  }

  servicesFor(req: Request) {
    return this.links.servicesFor(sessionPrincipal(req), addressIn(this.intranet, req.ip));
  }
}
