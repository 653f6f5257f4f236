import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '../../common/context/request-context';
import { csrfTokenOf, rotateCsrfNonce } from '../../common/web/csrf';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SESSION_COOKIE } from '../../common/web/http-pipeline';
import { AuditService } from '../audit';
import { SessionRegistry } from './session-registry';

function promised(run: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}

/**
 * The browser session of a signed-in principal: started with a new session id and a new CSRF
 * nonce (nothing from before sign-in carries over), registered with its principal (so that
 * disabling the account ends it), ended with the session destroyed.
 */
@Injectable()
export class SessionService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly registry: SessionRegistry,
  ) {}

  /**
   * Writes the session now (a challenge is about to be bound to its id); returns the CSRF token
   * of this session, which the page's script uses from then on.
   */
  async keep(req: Request): Promise<string> {
    await promised((done) => req.session.save(done));
    return csrfTokenOf(req, this.config.sessionSecret);
  }

  /**
   * A new session for the principal; returns the page its sign-in leads to first, when its
   * resolver named one (`landing`, never kept in the session).
   */
  async signIn(req: Request, res: Response, signedIn: Principal): Promise<string | undefined> {
    const { landing, ...principal } = signedIn;
    await promised((done) => req.session.regenerate(done));
    req.session.principal = principal;
    req.session.signedInAt = Date.now();
    await this.registry.add(principal, req.sessionID);
    rotateCsrfNonce(req, res);
    return landing;
  }

  async signOut(req: Request, res: Response): Promise<void> {
    const principal = req.session.principal;
    await this.audit.recordAlone({ action: 'auth.logout', targetType: principal?.kind, targetId: principal?.id });
    if (principal) await this.registry.remove(principal, req.sessionID);
    await promised((done) => req.session.destroy(done));
    res.clearCookie(SESSION_COOKIE);
    rotateCsrfNonce(req, res);
  }
}
