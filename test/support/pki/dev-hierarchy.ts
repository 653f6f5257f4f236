// A development hierarchy of a test file's own (a root and an issuing HCA CA, keys on the
// worker's SoftHSM2 token, CRLs signed) and a personnel certificate it issued, for tests that
// revoke a CA or change an anchor's settings without touching what other files of the worker use.
import { randomBytes, webcrypto } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { AuditActor } from '../../../src/modules/audit';
import { CertificateIssuer, type IssuedResult } from '../../../src/modules/certificates/certificate-issuer.service';
import type { CaCertificate } from '../../../src/modules/certificates/certificates.entity';
import { CrlService } from '../../../src/modules/certificates/crl.service';
import { DevPkiService } from '../../../src/modules/certificates/dev-pki.service';
import { TrustStoreService } from '../../../src/modules/certificates/trust-store.service';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

export interface OwnHierarchy {
  root: CaCertificate;
  issuing: CaCertificate;
  /** Issued by `issuing` (the newest issuing HCA CA while it is good). */
  leaf: IssuedResult;
  /** Disables both CAs: dev-init and issuing take the newest enabled CA, so other files must not meet these. */
  dispose(): Promise<void>;
}

export async function ownDevHierarchy(app: INestApplication, name: string, actor: AuditActor): Promise<OwnHierarchy> {
  const tag = randomBytes(3).toString('hex');
  const devPki = app.get(DevPkiService);
  await devPki.init({ actor });
  const root = await devPki.createCa('hca', 'root', `CN=${name} Root ${tag}, O=NHI Services Development, C=TW`, undefined, actor);
  const issuing = await devPki.createCa('hca', 'issuing', `CN=${name} CA ${tag}, O=NHI Services Development, C=TW`, root, actor);
  await app.get(CrlService).refresh({ force: true });
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', keys.publicKey));
  const leaf = await app
    .get(CertificateIssuer)
    .issue({ family: 'hca', subjectType: 'personnel', subject: { name: '王小明', nationalId: 'A123456789', organization: '臺北示範醫學中心' }, spki }, actor);
  const dispose = async () => {
    const trustStore = app.get(TrustStoreService);
    for (const ca of [issuing, root]) await trustStore.disable(String(ca.id), actor).catch(() => undefined);
  };
  return { root, issuing, leaf, dispose };
}
