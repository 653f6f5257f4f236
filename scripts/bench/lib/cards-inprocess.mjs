// The in-process half of the cards bench (scripts/bench/cards.mjs), run as a child process with
// the app's environment so that it shares no event loop (and no time) with the HTTP load.
//
// It starts a Nest application context of the compiled code (dist/: CoreModule, AuditModule,
// CertificatesModule and CardsModule) and:
//   calendar  the first bookable counter day, as the integration test computes it
//             (firstBookableDay(CardReservationService.calendar())), for the HTTP reservations
//   issue     CertificateIssuer.issue for a node-generated EC P-256 key (a personnel certificate
//             of the development HCA for DEMO_FIXTURES.physicianAtClinic, holderRef bench:cards),
//             back to back for <seconds>: the signature in the HSM (SoftHSM2 over PKCS#11) plus
//             the issued_certificate row and its audit row in one transaction
//   hsmSign   HsmService.sign of 32 bytes with the same CA key, back to back for <seconds>: what
//             one HSM signature costs through the service (its kept session, cached key handle)
//   rawSign   the token's bare C_Sign: one session, one login, one key handle, then only
//             session.sign in a loop (what the HSM itself can do)
//   crl       a CRL of N synthetic revoked entries (10,000 and 100,000 by default), made as
//             CrlService.publish makes it (crlEntriesOf the rows, then CrlService.signCrl: the
//             TBSCertList written, signed with the HCA's HSM key), in memory only: nothing is
//             written to the database and nothing published; then read back as the trust store
//             does after each new CRL (a CrlRevocationSource of it) and one lookup (which checks
//             the CRL's signature the first time)
// Prints one line `result <JSON>` and exits. Arguments: <measured seconds per loop> <warm-up seconds>.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { benchArgs, dist, percentile, require } from './inprocess.mjs';

const { NestFactory } = require('@nestjs/core');
const { loadConfig } = dist('config/app-config.js');
const { CoreModule } = dist('core/core.module.js');
const { AuditModule } = dist('modules/audit/audit.module.js');
const { CertificatesModule } = dist('modules/certificates/certificates.module.js');
const { CardsModule } = dist('modules/cards/cards.module.js');
const { CardReservationService } = dist('modules/cards/reservation/card-reservation.service.js');
const { firstBookableDay } = dist('modules/cards/lifecycle/counter-date.js');
const { CertificateIssuer } = dist('modules/certificates/certificate-issuer.service.js');
const { HsmService } = dist('modules/certificates/hsm.service.js');
const { REVOCATION_REASONS } = dist('modules/certificates/revocation.service.js');
const { certificateOf, randomSerialHex } = dist('modules/certificates/pki-extensions.js');
const { CrlService, crlEntriesOf } = dist('modules/certificates/crl.service.js');
const { CrlRevocationSource } = dist('modules/certificates/validation/index.js');
const { ReferenceService } = dist('modules/reference/reference.service.js');
const { DEMO_FIXTURES, findDemoInstitution } = dist('modules/reference/data/index.js');
const { cliActor } = dist('cli/cli-output.js');

const { seconds, warmupSeconds } = benchArgs('cards-inprocess.mjs');

/** Upper bound of operations in one loop, whatever the clock says. */
const MAX_OPS = 1_000_000;
/** CRL sizes to build (BENCH_CRL_ENTRIES, comma-separated; default 10,000 and 100,000). */
const CRL_SIZES = (process.env.BENCH_CRL_ENTRIES || '10000,100000').split(',').map(Number);
if (!CRL_SIZES.every((n) => Number.isSafeInteger(n) && n > 0 && n <= 1_000_000)) throw new Error('BENCH_CRL_ENTRIES: comma-separated counts from 1 to 1,000,000');
const HOUR_MS = 60 * 60 * 1000;
/** The reasons a revoked row can carry, and an on-hold row's. */
const REASONS = [...REVOCATION_REASONS, 'certificateHold'];

/** Runs `op` (sync or async) back to back for `ms` (at most MAX_OPS times): count, rate and latency (µs). */
const loop = async (op, ms) => {
  const durations = [];
  const start = performance.now();
  const end = start + ms;
  let now = start;
  for (let i = 0; i < MAX_OPS && now < end; i++) {
    const t0 = now;
    const r = op();
    if (r instanceof Promise) await r;
    now = performance.now();
    durations.push((now - t0) * 1000);
  }
  const sorted = Float64Array.from(durations).sort();
  const total = (now - start) / 1000;
  return { ops: durations.length, seconds: total, perSecond: durations.length / total, meanUs: (total * 1e6) / durations.length, p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99) };
};

const config = loadConfig(process.env);
class CardsBenchModule {}
const app = await NestFactory.createApplicationContext(
  { module: CardsBenchModule, imports: [CoreModule.forRoot(config), AuditModule, CertificatesModule, CardsModule] },
  { logger: ['error'] },
);
try {
  // ---- the counter date for the HTTP half -----------------------------------------------------
  const calendar = await app.get(CardReservationService).calendar();
  const counterDate = firstBookableDay(calendar);
  if (!counterDate) throw new Error('no bookable counter day in the next 60 days (closed days?)');

  // ---- issuing --------------------------------------------------------------------------------
  const person = DEMO_FIXTURES.physicianAtClinic;
  if (!(await app.get(ReferenceService).professionalByNationalId(person.nationalId))) {
    throw new Error(`the demo professional ${person.nationalId} is not in the database: load the seed (\`npm start\`, or \`npm run cli -- seed\`)`);
  }
  const issuer = app.get(CertificateIssuer);
  const hsm = app.get(HsmService);
  const ca = await issuer.issuingCa('hca');
  const actor = { ...cliActor(), displayName: 'npm run bench -- cards' };
  const subject = { name: person.nameZh, nationalId: person.nationalId, organization: findDemoInstitution(person.homeInstitutionCode)?.nameZh };
  // Keys are made outside the measured loop: the card generates its key, not the CA.
  const keys = [];
  const nextSpki = () => {
    if (!keys.length) for (let i = 0; i < 64; i++) keys.push(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));
    return keys.pop();
  };
  let lastIssued;
  const issueOp = async () => {
    lastIssued = await issuer.issue({ family: 'hca', subjectType: 'personnel', subject, spki: nextSpki(), holderRef: 'bench:cards' }, actor);
  };
  nextSpki();
  await issueOp(); // correctness first, and warm
  const issuedCert = certificateOf(lastIssued.der);
  if (!(await issuedCert.verify({ publicKey: certificateOf(ca.der).publicKey, signatureOnly: true }))) throw new Error('the issued certificate does not verify with the HCA key');

  const data = randomBytes(32);
  const key = hsm.key(ca.hsmKeyLabel);
  const algorithm = { name: 'ECDSA', hash: 'SHA-256' };
  const hsmSignOp = () => hsm.sign(key, algorithm, data);
  hsmSignOp();

  if (warmupSeconds > 0) {
    await loop(issueOp, (warmupSeconds * 1000) / 2);
    await loop(hsmSignOp, (warmupSeconds * 1000) / 2);
  }
  const issue = await loop(issueOp, seconds * 1000);
  const hsmSign = await loop(hsmSignOp, seconds * 1000);

  // The token alone: HsmService keeps its session handling private; reached here (JavaScript) to
  // separate the per-signature session + login from the signature itself.
  if (typeof hsm.withCaSession !== 'function' || typeof hsm.privateKeyHandle !== 'function') {
    throw new Error('HsmService has no withCaSession / privateKeyHandle any more: update scripts/bench/lib/cards-inprocess.mjs');
  }
  const rawSign = hsm.withCaSession((session) => {
    const handle = hsm.privateKeyHandle(session, ca.hsmKeyLabel);
    const durations = [];
    const start = performance.now();
    const end = start + Math.min(seconds, 5) * 1000;
    let now = start;
    for (let i = 0; i < MAX_OPS && now < end; i++) {
      session.sign(handle, { scheme: 'ecdsa', hash: 'sha256' }, data);
      const t = performance.now();
      durations.push((t - now) * 1000);
      now = t;
    }
    const sorted = Float64Array.from(durations).sort();
    const total = (now - start) / 1000;
    return { ops: durations.length, seconds: total, perSecond: durations.length / total, meanUs: (total * 1e6) / durations.length, p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99) };
  });
  // What keeping the session saves: a new session and login (after a release), each round.
  const t0 = performance.now();
  const loginRounds = 20;
  for (let i = 0; i < loginRounds; i++) {
    hsm.module().release();
    hsm.withCaSession(() => undefined);
  }
  const sessionLoginUs = ((performance.now() - t0) * 1000) / loginRounds;

  // ---- CRL ------------------------------------------------------------------------------------
  const crlService = app.get(CrlService);
  const caCert = certificateOf(ca.der);
  const syntheticRows = (n) => {
    const base = Date.now() - 365 * 24 * HOUR_MS;
    return Array.from({ length: n }, (_, i) => {
      const reason = REASONS[i % REASONS.length];
      return { serialHex: randomSerialHex(), revokedAt: new Date(base + i * 1000), updatedAt: new Date(base + i * 1000), revocationReason: reason };
    });
  };
  const crlRun = async (n) => {
    const rows = syntheticRows(n);
    // The last entry lists a real certificate (the first one issued above), looked up after.
    rows[n - 1].serialHex = issuedCert.serialNumber;
    const tStart = performance.now();
    const thisUpdate = new Date();
    const nextUpdate = new Date(thisUpdate.getTime() + config.crlValidityHours * HOUR_MS);
    const entries = crlEntriesOf(rows);
    const tEntries = performance.now();
    const der = await crlService.signCrl(ca, { thisUpdate, nextUpdate, crlNumber: 1, entries });
    const tSigned = performance.now();
    // Read back as the trust store does, then look up a listed serial (the first lookup checks
    // the CRL signature with the HCA key).
    const source = new CrlRevocationSource({ crls: [der] });
    const tRead = performance.now();
    const listed = rows[n - 1];
    const status = await source.status(issuedCert, caCert, new Date());
    const tLookup = performance.now();
    const expected = listed.revocationReason === 'certificateHold' ? 'on-hold' : 'revoked';
    if (status.status !== expected) throw new Error(`the CRL of ${n} entries answers ${JSON.stringify(status)} for its last entry, not ${expected}`);
    return {
      entries: n,
      mapMs: tEntries - tStart,
      buildAndSignMs: tSigned - tEntries,
      totalMs: tSigned - tStart,
      derBytes: der.length,
      readMs: tRead - tSigned,
      firstLookupMs: tLookup - tRead,
      heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
    };
  };
  const crl = [];
  for (const n of CRL_SIZES) crl.push(await crlRun(n));

  const result = {
    counterDate,
    ca: { slug: ca.slug, subjectDn: ca.subjectDn, keyLabel: ca.hsmKeyLabel },
    pkcs11Module: config.pkcs11Module,
    issuedSample: { serialHex: lastIssued.serialHex, subjectDn: lastIssued.subjectDn, derBytes: lastIssued.der.length },
    issue,
    hsmSign,
    rawSign,
    sessionLoginUs,
    crl,
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
} finally {
  await app.close();
}
