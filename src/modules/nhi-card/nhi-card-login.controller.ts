import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { secretField, textField } from '../../common/forms';
import { addressIn } from '../../common/web/client-address';
import { safeReturnTo } from '../../common/web/return-to';
import { APP_CONFIG, type AppConfig, toBlockList } from '../../config/app-config';
import { SessionService } from '../auth';
import { NhiCardLoginService } from './nhi-card-login.service';

/** NHI card + password sign-in, posted as JSON by the login page's script (card type 健保卡). */
@Controller()
export class NhiCardLoginController {
  private readonly intranet;

  constructor(
    private readonly logins: NhiCardLoginService,
    private readonly sessions: SessionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.intranet = toBlockList(config.intranetCidrs);
  }

  @Post('auth/nhi-card')
  @Public()
  async login(@Req() req: Request, @Res() res: Response, @Body() body: unknown) {
    const raw = (body ?? {}) as Record<string, unknown>;
    const principal = await this.logins.login({
      token: raw.token,
      challenge: raw.challenge,
      sessionId: req.sessionID,
      origin: req.get('origin'),
      password: secretField(body, 'password'),
      clientIp: req.ip ?? null,
      fromIntranet: addressIn(this.intranet, req.ip),
    });
    await this.sessions.signIn(req, res, principal);
    res.status(200).json({ ok: true, redirect: safeReturnTo(textField(body, 'returnTo'), this.config.publicOrigin), displayName: principal.displayName, role: principal.role });
  }
}
