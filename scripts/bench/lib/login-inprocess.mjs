// The in-process half of the login bench (scripts/bench/login.mjs), run as a child process with
// the app's environment so that it shares no event loop with the load generator.
//
// It starts a Nest application context of the compiled code (dist/: CoreModule, AuditModule and
// AuthModule, which brings the certificates and reference modules), issues one personnel
// certificate with the development HCA (CertificateIssuer, key on the SoftHSM2 token) for the
// demo physician DEMO_FIXTURES.physicianAtClinic and a node-generated EC P-256 key, signs a Web eID
// token with that key for PUBLIC_ORIGIN, and then measures, in interleaved slices:
//   validate  TrustStoreService.validate(der, { purpose: 'client-auth' }): the validator the
//             login uses (path to the anchor on a warm chain cache + the CRL lookup)
//   token     the whole server-side check of the token as CertificateLoginService.login does it:
//             parseWebEidToken, its signature check (the service's own verifySignature) and
//             TrustStoreService.validate
//   bare      crypto.verify('sha256', hash(origin)||hash(challenge), P-256 key, ieee-p1363) on the
//             same key and data: the physical limit of one ES256 verification
// For the NHI card sign-in it also issues a development NHI card certificate (node key) for the
// same physician's card number (insured-person registry), gives that card an active registration
// with a random password (scrypt, the common secret hasher) and times one password check.
// Prints one line `result <JSON>` (rates, validator stats and the card's key and certificate for
// the HTTP half) and exits. Arguments: <measured seconds per loop> <warm-up seconds>.
import { generateKeyPairSync, randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { benchArgs, dist, percentile, require } from './inprocess.mjs';

const { NestFactory } = require('@nestjs/core');
const { loadConfig } = dist('config/app-config.js');
const { CoreModule } = dist('core/core.module.js');
const { AuditModule } = dist('modules/audit/audit.module.js');
const { AuthModule } = dist('modules/auth/auth.module.js');
const { checkWebEidSignature } = dist('modules/auth/web-eid-signature.js');
const { CertificateIssuer } = dist('modules/certificates/certificate-issuer.service.js');
const { TrustStoreService } = dist('modules/certificates/trust-store.service.js');
const { ReferenceService } = dist('modules/reference/reference.service.js');
const { DEMO_FIXTURES, findDemoInstitution } = dist('modules/reference/data/index.js');
const { WEB_EID_FORMAT, parseWebEidToken, signedData } = dist('shared/web-eid.js');
const { cliActor } = dist('cli/cli-output.js');
const { x509 } = dist('modules/certificates/validation/x509-runtime.js');
const { hashSecret, verifySecret } = dist('common/crypto/secret-hash.js');
const { DataSource } = require('typeorm');

const { seconds, warmupSeconds } = benchArgs('login-inprocess.mjs');

/** Slices per loop: the loops take turns so that a change in the machine's load hits them alike. */
const SLICES = 5;
/** Upper bound of operations in one slice, whatever the clock says. */
const MAX_OPS_PER_SLICE = 2_000_000;

/**
 * Runs `op` (sync or async) back to back for `ms`, at most MAX_OPS_PER_SLICE times; adds the
 * count, the time and each operation's duration (µs) to `acc`.
 */
const slice = async (op, ms, acc) => {
  const start = performance.now();
  const end = start + ms;
  let now = start;
  for (let i = 0; i < MAX_OPS_PER_SLICE && now < end; i++) {
    const t0 = now;
    const r = op();
    if (r instanceof Promise) await r;
    now = performance.now();
    acc.durations.push((now - t0) * 1000);
  }
  acc.ms += now - start;
};

const summary = (acc) => {
  const sorted = Float64Array.from(acc.durations).sort();
  return {
    ops: acc.durations.length,
    seconds: acc.ms / 1000,
    perSecond: acc.durations.length / (acc.ms / 1000),
    meanUs: (acc.ms * 1000) / acc.durations.length,
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
  };
};

const config = loadConfig(process.env);
class LoginBenchModule {}
const app = await NestFactory.createApplicationContext(
  { module: LoginBenchModule, imports: [CoreModule.forRoot(config), AuditModule, AuthModule] },
  { logger: ['error'] },
);
try {
  const trustStore = app.get(TrustStoreService);

  // The card: a demo professional of the seed, so that the HTTP logins find an account.
  const person = DEMO_FIXTURES.physicianAtClinic;
  if (!(await app.get(ReferenceService).professionalByNationalId(person.nationalId))) {
    throw new Error(`the demo professional ${person.nationalId} is not in the database: load the seed (\`npm start\`, or \`npm run cli -- seed\`)`);
  }
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issued = await app.get(CertificateIssuer).issue(
    {
      family: 'hca',
      subjectType: 'personnel',
      subject: { name: person.nameZh, nationalId: person.nationalId, organization: findDemoInstitution(person.homeInstitutionCode)?.nameZh },
      spki: publicKey.export({ type: 'spki', format: 'der' }),
      holderRef: 'bench:login',
    },
    { ...cliActor(), displayName: 'npm run bench -- login' },
  );
  const der = issued.der;

  // The token as the reader helper makes it (see test/integration/certificate-login.spec.ts).
  const origin = config.publicOrigin;
  const challenge = randomBytes(32).toString('base64');
  const data = signedData(origin, challenge, 'ES256');
  const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const token = {
    format: WEB_EID_FORMAT,
    unverifiedCertificate: der.toString('base64'),
    algorithm: 'ES256',
    signature: signature.toString('base64'),
    appVersion: 'bench/1.0',
  };
  const tokenJson = JSON.parse(JSON.stringify(token)); // as the JSON body parser hands it over

  const checkResult = (result) => {
    if (!result.valid) throw new Error(`TrustStoreService.validate refused the bench certificate: ${result.code} (${result.message})`);
    return result;
  };
  const validateOp = () => trustStore.validate(der, { purpose: 'client-auth' }).then(checkResult);
  const tokenOp = async () => {
    // What CertificateLoginService.login does with the token, less Redis, the challenge store,
    // the account lookup and the audit row.
    const parsed = parseWebEidToken(tokenJson);
    const leaf = Buffer.from(parsed.unverifiedCertificate, 'base64');
    const signatureCheck = checkWebEidSignature(parsed, leaf, origin, challenge);
    if (signatureCheck !== 'ok') throw new Error(`the bench token's signature: ${signatureCheck}`);
    return checkResult(await trustStore.validate(leaf, { purpose: 'client-auth' }));
  };
  const bareOp = () => {
    if (!verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('bare verify failed');
  };

  // Correctness first: the result the login would get, the CRL consulted, and a warm chain cache.
  const first = checkResult(await trustStore.validate(der, { purpose: 'client-auth' }));
  const warm = await tokenOp();
  if (first.family !== 'hca-personnel') throw new Error(`the bench certificate validated as family ${first.family}, not hca-personnel`);
  if (warm.revocation !== 'good') throw new Error(`revocation was "${warm.revocation}", not "good": is there a fresh CRL? (npm run cli -- pki crl refresh)`);
  if (warm.chainCache !== 'hit') throw new Error(`the chain cache did not answer the second validation (${warm.chainCache})`);
  bareOp();

  // The issuing CA signs with ECDSA P-256 / SHA-256 as the card does: one certificate check costs
  // one ES256 verification, the same unit as the bare loop (reported with the results).
  const leafX509 = new x509.X509Certificate(der);
  const caKey = new X509Certificate((await app.get(CertificateIssuer).issuingCa('hca')).der).publicKey;
  const certificateSignature = `${leafX509.signatureAlgorithm.name}/${leafX509.signatureAlgorithm.hash.name} by a ${caKey.asymmetricKeyType} ${caKey.asymmetricKeyDetails?.namedCurve ?? ''} key`.trim();

  const loops = { validate: validateOp, token: tokenOp, bare: bareOp };
  const acc = Object.fromEntries(Object.keys(loops).map((k) => [k, { ms: 0, durations: [] }]));
  const warmAcc = { ms: 0, durations: [] };
  for (const op of Object.values(loops)) await slice(op, (warmupSeconds * 1000) / 3, warmAcc);

  // TrustStoreService keeps its validator in a private field: its stats() show what a validation did.
  const validator = () => trustStore.loaded?.validator;
  const statsAcc = { validations: 0, chainCacheHits: 0, chainCacheMisses: 0, signatureChecks: 0 };
  for (let s = 0; s < SLICES; s++) {
    for (const [name, op] of Object.entries(loops)) {
      const before = validator()?.stats();
      await slice(op, (seconds * 1000) / SLICES, acc[name]);
      const after = validator()?.stats();
      // Counted only while the validator stayed the same one (a rebuild resets its counters).
      if (name === 'validate' && before && after && after.validations >= before.validations) {
        for (const k of Object.keys(statsAcc)) statsAcc[k] += after[k] - before[k];
      }
    }
  }

  // The NHI card + password sign-in: the physician's NHI card (a node key certified by the
  // development NHI card CA) with an active registration and a random password.
  const insured = await app.get(ReferenceService).insuredByNationalId(person.nationalId);
  if (!insured) throw new Error(`the demo physician ${person.nationalId} is not in the insured-person registry: load the seed (\`npm run cli -- seed\`)`);
  const nhiKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const nhiIssued = await app.get(CertificateIssuer).issue(
    { family: 'nhi', subjectType: 'nhi-card', subject: { name: person.nameZh, cardNumber: insured.cardNumber }, spki: nhiKeys.publicKey.export({ type: 'spki', format: 'der' }), holderRef: 'bench:login-nhi' },
    { ...cliActor(), displayName: 'npm run bench -- login' },
  );
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashSecret(password);
  await app.get(DataSource).query(
    `INSERT INTO nhi_card_account (card_number, national_id_index, phone, email, password_hash, status, lang, verified_at)
     VALUES (?, ?, '0912-345-678', 'bench@example.test', ?, 'active', 'zh-TW', UTC_TIMESTAMP(3))
     ON DUPLICATE KEY UPDATE password_hash = VALUES(password_hash), status = 'active', locked_at = NULL`,
    [insured.cardNumber, insured.nationalIdIndex, passwordHash],
  );
  const hashMs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    if (!(await verifySecret(password, passwordHash))) throw new Error('the bench password does not verify');
    hashMs.push(performance.now() - t0);
  }
  hashMs.sort((a, b) => a - b);

  const result = {
    origin,
    nhi: {
      der: nhiIssued.der.toString('base64'),
      privateKeyPem: nhiKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      password,
      cardNumber: `${insured.cardNumber.slice(0, 4)}****${insured.cardNumber.slice(-4)}`,
      hash: passwordHash.split('$').slice(0, 4).join('$'),
      hashMedianMs: hashMs[2],
    },
    certificate: {
      id: issued.id,
      serialHex: issued.serialHex,
      subjectDn: issued.subjectDn,
      holder: person.nameZh,
      issuer: issued.issuer.subjectDn,
      der: der.toString('base64'),
      signature: certificateSignature,
    },
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    validate: summary(acc.validate),
    token: summary(acc.token),
    bare: summary(acc.bare),
    validatorStats: statsAcc,
    validation: { family: first.family, revocation: warm.revocation, chainCache: warm.chainCache, pathLength: first.path.length },
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
} finally {
  await app.close();
}
