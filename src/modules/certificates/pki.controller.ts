import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Protocol, Public } from '../../common/access/access.decorator';
import { CrlService } from './crl.service';
import { OCSP_GET_PREFIX, ocspCacheHeaders } from './ocsp/ocsp-http-front';
import { OcspResponderService } from './ocsp/ocsp-responder.service';
import { ocspErrorResponse, OcspRequestError, ocspRequestFromGetPath, OCSP_REQUEST_CONTENT_TYPE, OCSP_RESPONSE_CONTENT_TYPE } from './ocsp/ocsp-protocol';
import { certificatesError } from './certificates.errors';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * What relying parties fetch (public, like any CA's repository): the newest CRL of each of our
 * CAs and the CA certificates, at the addresses written in the certificates we issue, and the
 * OCSP responder (RFC 6960: POST of the DER request, or GET with it in base64 in the path; a GET
 * whose pre-signed answer is cached is answered before it gets here, by OcspHttpFront).
 */
@Controller('pki')
export class PkiController {
  constructor(
    private readonly crls: CrlService,
    private readonly ocsp: OcspResponderService,
  ) {}

  @Post('ocsp')
  @Protocol()
  async ocspPost(@Req() req: Request, @Res() res: Response) {
    const body = Buffer.isBuffer(req.body) && req.is(OCSP_REQUEST_CONTENT_TYPE) ? req.body : null;
    res.set('Cache-Control', 'no-store');
    this.sendOcsp(res, body ? await this.ocsp.respond(body) : ocspErrorResponse('malformedRequest'));
  }

  @Get('ocsp/*request')
  @Protocol()
  async ocspGet(@Req() req: Request, @Res() res: Response) {
    // The raw path, not the route parameter: base64 may hold '/', which routing splits on.
    let der: Buffer;
    try {
      der = ocspRequestFromGetPath(req.path.slice(OCSP_GET_PREFIX.length));
    } catch (error) {
      if (!(error instanceof OcspRequestError)) throw error;
      return this.sendOcsp(res.set('Cache-Control', 'no-store'), ocspErrorResponse(error.status));
    }
    const answer = await this.ocsp.answer(der);
    res.set(answer.cache ? ocspCacheHeaders(answer.cache) : { 'Cache-Control': 'no-store' });
    // Express answers 304 Not Modified when If-None-Match names the ETag.
    this.sendOcsp(res, answer.der);
  }

  /** RFC 5019: GET answers may be cached by HTTP caches; POST answers and errors are not. */
  private sendOcsp(res: Response, body: Buffer) {
    res.status(200).type(OCSP_RESPONSE_CONTENT_TYPE).send(body);
  }

  @Get('crl/:slug.crl')
  @Public()
  async crl(@Param('slug') slug: string, @Res() res: Response) {
    const crl = SLUG.test(slug) ? await this.crls.latestCrlBySlug(slug) : null;
    if (!crl) throw certificatesError.notFound('crl-not-found', 'errors.404.message');
    const maxAge = crl.nextUpdate ? Math.max(0, Math.min(3600, Math.floor((crl.nextUpdate.getTime() - Date.now()) / 1000))) : 0;
    res
      .status(200)
      .type('application/pkix-crl')
      .set('Cache-Control', `public, max-age=${maxAge}`)
      .set('Last-Modified', crl.thisUpdate.toUTCString())
      .send(crl.der);
  }

  @Get('ca/:slug.crt')
  @Public()
  async caCertificate(@Param('slug') slug: string, @Res() res: Response) {
    const ca = SLUG.test(slug) ? await this.crls.caBySlug(slug) : null;
    if (!ca) throw certificatesError.notFound('ca-not-found', 'errors.404.message');
    res.status(200).type('application/pkix-cert').set('Cache-Control', 'public, max-age=3600').send(ca.der);
  }
}
