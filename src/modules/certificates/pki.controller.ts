import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../common/access/access.decorator';
import { NotFoundError } from '../../common/errors/domain-error';
import { CrlService } from './crl.service';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * What relying parties fetch (public, like any CA's repository): the newest CRL of each of our
 * CAs and the CA certificates, at the addresses written in the certificates we issue.
 */
@Controller('pki')
export class PkiController {
  constructor(private readonly crls: CrlService) {}

  @Get('crl/:slug.crl')
  @Public()
  async crl(@Param('slug') slug: string, @Res() res: Response) {
    const crl = SLUG.test(slug) ? await this.crls.latestCrlBySlug(slug) : null;
    if (!crl) throw new NotFoundError('crl-not-found', 'errors.404.message');
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
    if (!ca) throw new NotFoundError('ca-not-found', 'errors.404.message');
    res.status(200).type('application/pkix-cert').set('Cache-Control', 'public, max-age=3600').send(ca.der);
  }
}
