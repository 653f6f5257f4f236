// The in-process half of the roster bench (scripts/bench/roster.mjs), a child process with the
// app's environment and a Nest application context of dist/ (CoreModule, AuditModule, AuthModule,
// the roster module):
//   unit     a bench unit of kind company (unit code 79xxxxxxx, named 壓測單位…) in the employer
//            registry, and a MOEACA company certificate for it on a node-generated EC P-256 key, so
//            the HTTP half signs in as the unit's manager with it
//   upload   RosterService.upload of a CSV of BENCH_ROSTER_ROWS (default 10,000) rows, all or
//            nothing in one transaction (bulk key lookup, multi-row INSERTs, one audit row); first
//            the same size with one bad row at the end (nothing enrolled, every bad row reported),
//            then the good one
// Prints `result <JSON>` and exits. Everything it adds is marked (unit codes 79…, names 壓測…).
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { benchArgs, dist, require } from './inprocess.mjs';

const { NestFactory } = require('@nestjs/core');
const { Module } = require('@nestjs/common');
const { getDataSourceToken } = require('@nestjs/typeorm');
const { loadConfig } = dist('config/app-config.js');
const { CoreModule } = dist('core/core.module.js');
const { AuditModule } = dist('modules/audit/audit.module.js');
const { AuthModule } = dist('modules/auth/auth.module.js');
const { CertificateIssuer } = dist('modules/certificates/certificate-issuer.service.js');
const { InsuredRosterModule } = dist('modules/insured-roster/roster.module.js');
const { RosterService, UPLOAD_COLUMNS } = dist('modules/insured-roster/roster.service.js');
const { ProtectedIdCodec } = dist('common/crypto/protected-id.js');
const { nationalIdWithCheckDigit, validateBusinessNumber } = dist('common/identifiers/index.js');
const { cliActor } = dist('cli/cli-output.js');

benchArgs('roster-inprocess.mjs');
const ROWS = Number(process.env.BENCH_ROSTER_ROWS ?? 10_000);

class BenchModule {}
const config = loadConfig(process.env);
Module({ imports: [CoreModule.forRoot(config), AuditModule, AuthModule, InsuredRosterModule] })(BenchModule);
const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
try {
  const db = app.get(getDataSourceToken());
  const ids = app.get(ProtectedIdCodec);
  const roster = app.get(RosterService);

  // the unit, with a business number of its own (checksum valid)
  let businessNumber;
  do businessNumber = `7${String(randomInt(0, 9_999_999)).padStart(7, '0')}`;
  while (!validateBusinessNumber(businessNumber).ok);
  const unitCode = `79${String(randomInt(0, 9_999_999)).padStart(7, '0')}`;
  const name = `壓測單位${randomBytes(3).toString('hex')}`;
  const responsible = ids.protect(nationalIdWithCheckDigit(`A1${String(randomInt(0, 9_999_999)).padStart(7, '0')}`));
  await db.query(
    `INSERT INTO employer_unit (unit_code, kind, name_zh, business_number, agency_oid, institution_code, county_code, responsible_id_cipher, responsible_id_index, labour_insurance_number, created_at, updated_at)
     VALUES (?, 'company', ?, ?, NULL, NULL, '63000', ?, ?, NULL, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
    [unitCode, name, businessNumber, responsible.cipher, responsible.index],
  );
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issued = await app.get(CertificateIssuer).issue(
    { family: 'moeaca', subjectType: 'company', subject: { name, businessNumber }, spki: publicKey.export({ type: 'spki', format: 'der' }), holderRef: 'bench:roster' },
    { ...cliActor(), displayName: 'npm run bench -- roster' },
  );

  // the CSV: ROWS people of the unit, unique national IDs
  const people = new Set();
  while (people.size < ROWS) people.add(nationalIdWithCheckDigit(`${'ABEFGHKMNPTUW'[randomInt(13)]}${randomInt(1, 3)}${String(randomInt(0, 9_999_999)).padStart(7, '0')}`));
  const lines = [...people].map((id, i) => `${id},壓測員工${i},1985-03-04,${1 + (i % 10)},2025-01-02`);
  const csv = (rows) => `\uFEFF${UPLOAD_COLUMNS.join(',')}\r\n${rows.join('\r\n')}\r\n`;
  const principal = { kind: 'employer', id: unitCode, role: 'employer_manager', displayName: name, credential: `${issued.serialHex}@bench`, unitCode };
  const count = async () => Number((await db.query("SELECT COUNT(*) AS n FROM insured_member WHERE unit_code = ? AND status = 'enrolled'", [unitCode]))[0].n);

  // all or nothing: one bad row at the end enrols nothing
  let started = performance.now();
  const refused = await roster.upload(principal, csv([...lines.slice(0, -1), `${lines.at(-1).split(',')[0]},壓測員工,1985-13-40,99,2025-01-02`]));
  const refusedMs = performance.now() - started;
  const afterRefused = await count();

  started = performance.now();
  const accepted = await roster.upload(principal, csv(lines));
  const acceptedMs = performance.now() - started;
  const enrolled = await count();

  const result = {
    unit: { unitCode, name, businessNumber },
    certificate: { der: issued.der.toString('base64'), serialHex: issued.serialHex },
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    origin: config.publicOrigin,
    refused: { rows: ROWS, ms: refusedMs, ok: refused.ok, problems: refused.ok ? 0 : refused.problems.length, enrolledAfter: afterRefused },
    accepted: { rows: ROWS, ms: acceptedMs, ok: accepted.ok, count: accepted.ok ? accepted.count : 0, enrolledAfter: enrolled },
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
} finally {
  await app.close();
}
