// What users see when a service the app needs stops answering: the HSM (card issuance) and the
// database (any page that reads it) give the 503 page with what happened and that nothing was
// done; /readyz says which part is down.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { translate } from '../../src/common/i18n/i18n';
import { CardReservation } from '../../src/modules/cards/lifecycle/card-reservation.entity';
import { firstBookableDay } from '../../src/modules/cards/lifecycle/counter-date';
import type { ReservationDraft } from '../../src/modules/cards/lifecycle/reservation-draft';
import { CardReservationService } from '../../src/modules/cards/reservation/card-reservation.service';
import { DevPkiService } from '../../src/modules/certificates/dev-pki.service';
import { DEMO_FIXTURES } from '../../src/modules/reference/data';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { createdReference, createTestCounter } from '../support/cards';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';

const zh = (key: string) => translate('zh-TW', key);
const DOCTOR = DEMO_FIXTURES.physicianAtClinic;

/** A TCP relay to the database that the test can cut, as a network or server failure would. */
async function databaseRelay(host: string, port: number): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const db = connect(port, host);
    for (const s of [client, db]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(db).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

describe('outages', () => {
  useSoftHsmTestStore();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DevPkiService).init({ actor: { kind: 'test' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('an HSM that refuses gives the 503 page at the counter, the reservation stays as it was, and /readyz names the HSM', async () => {
    const broken = await createTestApp({ HSM_TOKEN_LABEL: `no-such-token-${randomBytes(3).toString('hex')}` });
    try {
      const counter = await createTestCounter(t);
      const reservations = t.app.get(CardReservationService);
      const draft: ReservationDraft = {
        cardType: 'personnel',
        agreedAt: Date.now(),
        applicant: { kind: 'personnel', nationalId: DOCTOR.nationalId, categoryCode: DOCTOR.categoryCode, certificateNumber: DOCTOR.certificateNumber, name: DOCTOR.nameZh, professionalId: 0, homeInstitutionCode: DOCTOR.homeInstitutionCode },
        details: { county: counter.countyCode, counter: counter.code, counterDate: firstBookableDay(await reservations.calendar())!, phone: '0912345678', email: '', agentName: '', agentNationalId: '', mailingAddress: '臺北市大安區復興南路一段200號' },
        detailsComplete: true,
        userCodeHash: await reservations.hashUserCode('Qz7wK2'),
      };
      const reference = createdReference(await reservations.create(draft, 'zh-TW', { sessionId: 'outage-test', clientIp: '127.0.0.1' }));
      const { agent } = await signInAsStaff(broken, 'counter_staff', { counterCode: counter.code });
      const page = await agent.get(`/counter/reservations/${reference}`).expect(200);
      const version = /name="version" value="(\d+)"/.exec(page.text)![1];
      const body = new URLSearchParams([['_csrf', csrfFrom(page.text)], ['version', version], ['decision', 'approve'], ['documents', 'id'], ['documents', 'licence'], ['documents', 'certificate']]);
      const res = await agent.post(`/counter/reservations/${reference}`).type('form').send(body.toString());
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.text).toContain(zh('errors.503.heading'));
      expect(res.text).toContain(zh('errors.unavailable.hsm'));
      expect((await t.dataSource.getRepository(CardReservation).findOneByOrFail({ reference })).status).toBe('reserved');

      const ready = await broken.agent().get('/readyz').expect(200);
      expect(ready.body).toMatchObject({ ready: true, database: 'ok', redis: 'ok', hsm: 'down' });
      expect(ready.body.reasons).toEqual([expect.stringMatching(/^hsm: the HSM token "no-such-token-/)]);
      expect((await t.agent().get('/readyz').expect(200)).body).toMatchObject({ ready: true, hsm: 'ok', reasons: [] });
    } finally {
      await broken.close();
    }
  });

  it('a database that stops answering gives the 503 page on a page that reads it, and /readyz answers 503 naming the database', async () => {
    const relay = await databaseRelay(t.config.db.host, t.config.db.port);
    const cut = await createTestApp({ DB_HOST: '127.0.0.1', DB_PORT: String(relay.port) });
    try {
      await cut.agent().get('/counters?county=63000').expect(200);
      await relay.cut();
      const res = await cut.agent().get('/counters?county=63000');
      expect(res.status).toBe(503);
      expect(res.text).toContain(zh('errors.503.heading'));
      expect(res.text).toContain(zh('errors.unavailable.database'));
      const ready = await cut.agent().get('/readyz').expect(503);
      expect(ready.body).toMatchObject({ ready: false, database: 'down' });
      expect(ready.body.reasons).toContain('database: not answering');
    } finally {
      await cut.close().catch(() => undefined);
    }
  });
});
