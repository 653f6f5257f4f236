import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { Strategy } from 'passport-custom';
import type { Principal } from '../../common/context/request-context';
import { addressIn } from '../../common/web/client-address';
import { APP_CONFIG, type AppConfig, toBlockList } from '../../config/app-config';
import { loginRefused } from './auth.errors';
import { CertificateLoginService } from './certificate-login.service';

/**
 * The passport strategy 'certificate': the body carries { challenge, token, cardType } from the
 * login page; CertificateLoginService decides. The guard hands passport this instance rather than
 * a name from passport's process-wide registry, so each application uses its own services.
 */
@Injectable()
export class CertificateStrategy extends Strategy {
  constructor(login: CertificateLoginService, @Inject(APP_CONFIG) config: AppConfig) {
    const intranet = toBlockList(config.intranetCidrs);
    super((req, done) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      login
        .login({
          token: body.token,
          challenge: body.challenge,
          cardType: body.cardType,
          sessionId: req.sessionID,
          origin: req.get('origin'),
          clientIp: req.ip ?? null,
          fromIntranet: addressIn(intranet, req.ip),
        })
        .then((principal) => done(null, principal), (err) => done(err));
    });
  }
}

/** Runs the strategy; its refusal (with its code) reaches the errors filter as it is. */
@Injectable()
export class CertificateAuthGuard implements CanActivate {
  constructor(private readonly strategy: CertificateStrategy) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    return new Promise((resolve, reject) => {
      // passport attaches this request's success/fail/error callbacks to the strategy object it is
      // given: each request gets its own object (as passport does for strategies registered by
      // name), or concurrent sign-ins would answer each other's requests.
      const authenticate = passport.authenticate(Object.create(this.strategy), { session: false }, (err: unknown, user: Principal | false) => {
        if (err) return reject(err);
        if (!user) return reject(loginRefused('token-malformed'));
        req.user = user;
        resolve(true);
      });
      authenticate(req, res, (err: unknown) => reject(err ?? loginRefused('token-malformed')));
    });
  }
}
