import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { LOGGER } from '../../../core/tokens';
import { OcspAnswerCache, type CachedOcspAnswer } from './ocsp-answer-cache';
import { OCSP_RESPONSE_CONTENT_TYPE } from './ocsp-protocol';
import { OcspResponderService } from './ocsp-responder.service';

/** Where GET requests of the responder arrive (RFC 6960 A.1): this prefix, then the base64 request. */
export const OCSP_GET_PREFIX = '/pki/ocsp/';

/** The headers of a pre-signed answer (RFC 5019 section 6): HTTP caches may keep it until its nextUpdate. */
export function ocspCacheHeaders(answer: CachedOcspAnswer, now = Date.now()): Record<string, string> {
  const maxAge = Math.max(0, Math.floor((answer.nextUpdate.getTime() - now) / 1000));
  return {
    'Cache-Control': `public, max-age=${maxAge}, no-transform, must-revalidate`,
    ETag: answer.etag,
    'Last-Modified': answer.producedAt.toUTCString(),
    Expires: answer.nextUpdate.toUTCString(),
  };
}

function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}

/**
 * The front of the OCSP responder, ahead of Express and the whole page pipeline (request id,
 * logging, helmet, session, guards): a `GET /pki/ocsp/{request}` whose pre-signed answer is in the
 * cache (OcspResponderService.cachedGetAnswer: this process's copy, or one Redis MGET) is
 * answered here, with its caching headers and 304 for a matching If-None-Match. Everything else
 * (a miss, a nonce, a POST, anything that does not parse, any other address) goes on to Express
 * unchanged, where PkiController makes the answer and caches it. A hit needs no database and no
 * signature.
 * Decision record 0010.
 */
@Injectable()
export class OcspHttpFront implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    private readonly ocsp: OcspResponderService,
    private readonly answers: OcspAnswerCache,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ocsp-front' });
  }

  onApplicationBootstrap(): void {
    // An application context (the CLI) has no HTTP server.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    this.answers.listen();
    const next = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    const pass = (req: IncomingMessage, res: ServerResponse) => {
      for (const listener of next) listener.call(server, req, res);
    };
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '';
      if (req.method !== 'GET' || !url.startsWith(OCSP_GET_PREFIX) || url.includes('?')) return pass(req, res);
      this.ocsp.cachedGetAnswer(url.slice(OCSP_GET_PREFIX.length)).then(
        (answer) => (answer ? this.send(req, res, answer) : pass(req, res)),
        (error: unknown) => {
          this.logger.warn({ err: error }, 'OCSP answer cache unavailable; the request goes on to the application');
          pass(req, res);
        },
      );
    });
  }

  private send(req: IncomingMessage, res: ServerResponse, answer: CachedOcspAnswer): void {
    const headers = { ...ocspCacheHeaders(answer), 'X-Content-Type-Options': 'nosniff' };
    if (notModified(req, answer.etag)) return void res.writeHead(304, headers).end();
    res.writeHead(200, { ...headers, 'Content-Type': OCSP_RESPONSE_CONTENT_TYPE, 'Content-Length': String(answer.der.length) }).end(answer.der);
  }
}
