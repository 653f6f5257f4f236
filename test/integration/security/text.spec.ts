// Finding 11: NUL bytes, bidi overrides, zero-width characters and lone surrogates were accepted
// and stored in names and addresses, and lengths counted UTF-16 units (a rare character of a
// name counted twice). Now such characters are refused with a clear message, the form keeps
// what was typed, text is stored in NFC, and lengths count characters.
import type Redis from 'ioredis';
import { translate } from '../../../src/common/i18n/i18n';
import { REDIS } from '../../../src/core/core.module';
import { firstBookableDay } from '../../../src/modules/cards/lifecycle/counter-date';
import { CardReservationService } from '../../../src/modules/cards/reservation/card-reservation.service';
import { createTestApp, sessionIdOf, type TestApp } from '../../support/app';
import { reservationAtDetails, reservationDetailsForm } from '../../support/cards';

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');

describe('text hygiene in what people type', () => {
  let t: TestApp;
  let redis: Redis;
  let firstDay: string;
  beforeAll(async () => {
    t = await createTestApp();
    redis = t.app.get<Redis>(REDIS);
    firstDay = firstBookableDay(await t.app.get(CardReservationService).calendar())!;
  });
  afterAll(() => t.close());


  async function draftOf(agent: ReturnType<TestApp['agent']>) {
    return JSON.parse((await redis.get(`sess:${sessionIdOf(agent)}`))!).cardReservation.draft;
  }

  it.each([
    ['a right-to-left override in the address', { mailingAddress: '臺北市中正區\u202E號001路南山中' }, 'mailingAddress'],
    ['a NUL byte in the address', { mailingAddress: '臺北市中正區\u0000中山南路100號' }, 'mailingAddress'],
    ['a zero-width space in the agent\'s name', { agentName: '林\u200B美華', agentNationalId: 'A223456781' }, 'agentName'],
    // a form cannot carry one (UTF-8 has no lone surrogates); JSON's \uD842 escape can
    ['a lone surrogate in the agent\'s name (JSON)', { agentName: '林\uD842美華', agentNationalId: 'A223456781' }, 'agentName'],
  ])('refuses %s with a clear message, and nothing is taken as complete', async (what, extra, field) => {
    const { agent, token } = await reservationAtDetails(t);
    const body = { _csrf: token, ...reservationDetailsForm(firstDay, extra) };
    const post = agent.post('/cards/reserve/personnel/details');
    const res = what.endsWith('(JSON)') ? await post.set('Content-Type', 'application/json').send(JSON.stringify(body)) : await post.type('form').send(body);
    expect(res.status).toBe(422);
    expect(res.text).toContain(html(translate('zh-TW', 'forms.errors.characters')));
    expect(res.text).toContain(`href="#${field}"`);
    expect((await draftOf(agent)).detailsComplete).toBe(false);
  });

  it('counts a rare character of a name as one: an address of 200 such characters is taken, 201 is too long', async () => {
    const { agent, token } = await reservationAtDetails(t);
    const long = await agent.post('/cards/reserve/personnel/details').type('form').send({ _csrf: token, ...reservationDetailsForm(firstDay, { mailingAddress: '𠮷'.repeat(201) }) });
    expect(long.status).toBe(422);
    expect(long.text).toContain(html(translate('zh-TW', 'cards.errors.mailingAddress.tooLong', { max: 200 })));
    await agent.post('/cards/reserve/personnel/details').type('form').send({ _csrf: token, ...reservationDetailsForm(firstDay, { mailingAddress: '𠮷'.repeat(200) }) }).expect(303);
    expect((await draftOf(agent)).details.mailingAddress).toBe('𠮷'.repeat(200));
  });

  it('keeps text in Unicode normal form C', async () => {
    const { agent, token } = await reservationAtDetails(t);
    const decomposed = 'Cafe\u0301 臺北市中正區中山南路100號';
    await agent.post('/cards/reserve/personnel/details').type('form').send({ _csrf: token, ...reservationDetailsForm(firstDay, { mailingAddress: decomposed }) }).expect(303);
    expect((await draftOf(agent)).details.mailingAddress).toBe(decomposed.normalize('NFC'));
  });
});
