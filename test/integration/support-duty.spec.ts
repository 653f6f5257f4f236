import { createHash, randomBytes } from 'node:crypto';
import { addDays, taipeiDay } from '../../src/common/time/taipei-day';
import { FilingService } from '../../src/modules/support-duty/filing/filing.service';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';
import {
  caseForm,
  createInstitution,
  createProfessional,
  institutionPrincipal,
  mondayIn,
  personnelPrincipal,
  preparePki,
  signInWithCard,
  type TestInstitution,
  type TestProfessional,
} from '../support/support-duty';

useSoftHsmTestStore();

describe('support duty (報備支援) and county review', () => {
  let t: TestApp;
  let filing: FilingService;

  beforeAll(async () => {
    t = await createTestApp();
    filing = t.app.get(FilingService);
    await preparePki(t);
  });
  afterAll(() => t.close());

  /** Saves and submits a case through the service as `p` (the person themself). */
  async function file(p: TestProfessional, form: Record<string, unknown>) {
    const principal = personnelPrincipal(p);
    const saved = await filing.saveDraft(principal, form, 'zh-TW');
    if (saved.errors) throw new Error(JSON.stringify(saved.errors));
    return { caseId: saved.caseId, outcome: await filing.submit(principal, saved.caseId, null) };
  }

  async function world(options: { weeklySessions?: number | null; countyCode?: string } = {}) {
    const home = await createInstitution(t, { countyCode: '63000', email: `home-${Date.now()}@example.test` });
    const supported = await createInstitution(t, { countyCode: options.countyCode ?? '66000', weeklySessions: options.weeklySessions ?? null });
    const person = await createProfessional(t, home);
    return { home, supported, person };
  }

  it('a clinician files a case: form → check your answers → submitted with a case number', async () => {
    const { supported, person } = await world();
    const { agent, csrf } = await signInWithCard(t, { personnel: person });
    const form = await agent.get('/support-duty/new').expect(200);
    expect(form.text).toContain(person.nameZh);
    // the sessions with their clock times (policy)
    expect(form.text).toContain('上午（08:00–12:00）');
    expect(form.text).toContain('晚上（18:00–21:00）');
    const monday = mondayIn(2);
    const saved = await agent
      .post('/support-duty/new')
      .type('form')
      .send({ _csrf: csrf, ...caseForm(supported.code, { from: monday, to: addDays(monday, 13), weekdays: ['1', '3'], sessions: ['morning'] }) })
      .expect(303);
    const check = await agent.get(saved.headers.location).expect(200);
    expect(check.text).toContain('確認申請內容');
    expect(check.text).toContain(supported.nameZh);
    expect(check.text).toContain('週一、週三：上午（08:00–12:00）');
    const submitted = await agent.post(`${saved.headers.location}/submit`).type('form').send({ _csrf: csrfFrom(check.text), version: '1' }).expect(303);
    const page = await agent.get(submitted.headers.location).expect(200);
    expect(page.text).toMatch(/SD\d{10}/);
    expect(page.text).toContain('審查中');
    expect(page.text).toContain('週一、週三：上午（08:00–12:00）');
    const [row] = (await t.dataSource.query('SELECT session_count, status FROM support_duty_case WHERE id = ?', [saved.headers.location.split('/').pop()])) as Array<{ session_count: number; status: string }>;
    expect(row).toEqual({ session_count: 4, status: 'submitted' });
  });

  it('attachments: PDF/JPG/PNG by content, at most 5 of 5 MB, all or nothing, kept by checksum', async () => {
    const { supported, person } = await world();
    const { agent, csrf } = await signInWithCard(t, { personnel: person });
    const saved = await agent.post('/support-duty/new').type('form').send({ _csrf: csrf, ...caseForm(supported.code, { from: mondayIn(2), weekdays: ['1'], sessions: ['morning'] }) }).expect(303);
    const base = saved.headers.location;
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(64)]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);
    const upload = (files: Array<[Buffer, string]>) => {
      const req = agent.post(`${base}/attachments`).field('_csrf', csrf);
      for (const [bytes, name] of files) req.attach('files', bytes, name);
      return req;
    };
    // a text file named .png: refused by content, and the good file is not kept either
    const bad = await upload([[pdf, '診斷證明.pdf'], [Buffer.from('not an image'), 'photo.png']]).expect(422);
    expect(bad.text).toContain('photo.png 不是 PDF、JPG 或 PNG 檔案');
    expect(bad.text).not.toContain('診斷證明.pdf 不是');
    expect(await t.dataSource.query('SELECT id FROM support_duty_attachment WHERE case_id = ?', [base.split('/').pop()])).toEqual([]);
    // too big and too many
    expect((await upload([[Buffer.concat([pdf, Buffer.alloc(5 * 1024 * 1024)]), 'big.pdf']]).expect(422)).text).toContain('超過 5 MB');
    expect((await upload(Array.from({ length: 6 }, (_, i) => [pdf, `f${i}.pdf`] as [Buffer, string])).expect(422)).text).toContain('附件最多 5 個檔案');
    // good files: stored, listed, and served back byte for byte
    await upload([[pdf, '診斷證明.pdf'], [png, 'photo.png']]).expect(303);
    const check = await agent.get(base).expect(200);
    expect(check.text).toContain('診斷證明.pdf');
    const href = /href="([^"]+\/attachments\/\d+)"/.exec(check.text)![1];
    const download = await agent.get(href).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(download.body as Buffer, pdf)).toBe(0);
    const [row] = (await t.dataSource.query('SELECT sha256 FROM support_duty_attachment WHERE case_id = ? ORDER BY id LIMIT 1', [base.split('/').pop()])) as Array<{ sha256: string }>;
    expect(row.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    // someone else cannot fetch it
    const stranger = await signInWithCard(t, { institution: await createInstitution(t) });
    await stranger.agent.get(href).expect(404);
  });

  it('discards the applicant\'s own draft after a confirmation page (POST with CSRF, audited); another user\'s draft is not found', async () => {
    const { home: homeInstitution, supported, person } = await world();
    const { agent, csrf } = await signInWithCard(t, { personnel: person });
    const saved = await agent.post('/support-duty/new').type('form').send({ _csrf: csrf, ...caseForm(supported.code, { from: mondayIn(2), weekdays: ['1'], sessions: ['morning'] }) }).expect(303);
    const base = saved.headers.location as string;
    const id = base.split('/').pop()!;
    const check = await agent.get(base).expect(200);
    expect(check.text).toContain(`href="${base}/discard"`);
    const confirm = await agent.get(`${base}/discard`).expect(200);
    expect(confirm.text).toContain('確認刪除草稿');
    expect(confirm.text).toContain(supported.nameZh);
    // someone else: neither the page nor the POST
    const other = await signInWithCard(t, { personnel: await createProfessional(t, await createInstitution(t)) });
    await other.agent.get(`${base}/discard`).expect(404);
    await other.agent.post(`${base}/discard`).type('form').send({ _csrf: other.csrf, version: '1' }).expect(404);
    // the institution may see its staff member's draft but did not file it: not its to discard
    const home = await signInWithCard(t, { institution: homeInstitution });
    await home.agent.get(`${base}/discard`).expect(404);
    // without the CSRF token: refused
    await agent.post(`${base}/discard`).type('form').send({ version: '1' }).expect(403);
    const done = await agent.post(`${base}/discard`).type('form').send({ _csrf: csrfFrom(confirm.text), version: '1' }).expect(303);
    expect(done.headers.location).toBe('/support-duty?discarded=1');
    expect((await agent.get(done.headers.location).expect(200)).text).toContain('草稿已刪除');
    const [row] = (await t.dataSource.query('SELECT status FROM support_duty_case WHERE id = ?', [id])) as Array<{ status: string }>;
    expect(row.status).toBe('discarded');
    const audits = (await t.dataSource.query("SELECT action, actor_id FROM audit_event WHERE target_type = 'support_duty_case' AND target_id = ?", [`draft-${id}`])) as Array<{ action: string; actor_id: string }>;
    expect(audits).toEqual([{ action: 'support-duty.discard', actor_id: String(person.id) }]);
    // gone from the applicant's pages; a second discard finds nothing
    await agent.get(base).expect(404);
    expect((await agent.get('/support-duty').expect(200)).text).not.toContain(`/support-duty/cases/${id}"`);
    await agent.post(`${base}/discard`).type('form').send({ _csrf: csrfFrom(confirm.text), version: '1' }).expect(404);
  });

  it('bad input re-renders the form (422) with the values kept and the errors', async () => {
    const { home, person } = await world();
    const { agent, csrf } = await signInWithCard(t, { personnel: person });
    const res = await agent
      .post('/support-duty/new')
      .type('form')
      .send({ _csrf: csrf, ...caseForm(home.code, { from: '2027-02-30', weekdays: [], sessions: ['morning'] }), purpose: 'other' })
      .expect(422);
    expect(res.text).toContain('請修正以下問題');
    expect(res.text).toContain('請輸入正確的起訖日期');
    expect(res.text).toContain('支援目的為「其他」時請說明');
    expect(res.text).toContain(`value="${home.code}"`);
  });

  it('an institution files only for its own staff, and cannot see or submit another institution\'s cases', async () => {
    const a = await world();
    const b = await world();
    const { agent, csrf } = await signInWithCard(t, { institution: a.home });
    const form = await agent.get('/support-duty/new').expect(200);
    expect(form.text).toContain(a.person.nameZh);
    expect(form.text).not.toContain(b.person.nameZh);
    const monday = mondayIn(2);
    // another institution's staff member by form tampering: a field error, nothing filed
    const tampered = await agent
      .post('/support-duty/new')
      .type('form')
      .send({ _csrf: csrf, professionalId: String(b.person.id), ...caseForm(a.supported.code, { from: monday, weekdays: ['1'], sessions: ['morning'] }) })
      .expect(422);
    expect(tampered.text).toContain('請選擇本院的醫事人員');
    expect(await t.dataSource.query('SELECT id FROM support_duty_case WHERE professional_id = ?', [b.person.id])).toEqual([]);
    // its own staff: filed
    await agent
      .post('/support-duty/new')
      .type('form')
      .send({ _csrf: csrf, professionalId: String(a.person.id), ...caseForm(a.supported.code, { from: monday, weekdays: ['1'], sessions: ['morning'] }) })
      .expect(303);
    // another institution's case by URL: not found, for reading and for submitting
    const bCase = (await file(b.person, caseForm(b.supported.code, { from: monday, weekdays: ['1'], sessions: ['morning'] }))).caseId;
    await agent.get(`/support-duty/cases/${bCase}`).expect(404);
    await agent.post(`/support-duty/cases/${bCase}/cancel`).type('form').send({ _csrf: csrf }).expect(404);
    const list = await agent.get('/support-duty').expect(200);
    expect(list.text).toContain(a.person.nameZh);
    expect(list.text).not.toContain(b.person.nameZh);
    // and the other institution's staff cannot be filed for through the service either
    const direct = await filing.saveDraft(institutionPrincipal(a.home), { professionalId: String(b.person.id), ...caseForm(a.supported.code, { from: monday, weekdays: ['1'], sessions: ['morning'] }) }, 'zh-TW');
    expect(direct.errors?.map((e) => e.field)).toContain('professionalId');
  });

  it('the institution dashboard: cases by status, others supporting us, quota per week, support ending soon', async () => {
    const ours = await world({ weeklySessions: 20 });
    const visitor = await createProfessional(t, await createInstitution(t));
    const monday = mondayIn(1);
    // our staff supports elsewhere (approved, ending within 14 days) and someone else supports us
    const outbound = await file(ours.person, caseForm(ours.supported.code, { from: monday, to: addDays(monday, 4), weekdays: ['1', '2'], sessions: ['morning'] }));
    await t.dataSource.query("UPDATE support_duty_case SET status = 'approved' WHERE id = ?", [outbound.caseId]);
    const inbound = await file(visitor, caseForm(ours.home.code, { from: monday, weekdays: ['1'], sessions: ['night'] }));
    expect(inbound.outcome.submitted).toBe(true);
    const { agent } = await signInWithCard(t, { institution: ours.home });
    const page = await agent.get('/support-duty/dashboard').expect(200);
    expect(page.text).toContain(visitor.nameZh);
    expect(page.text).toContain('他院支援本院：共 1 件');
    expect(page.text).toContain('即將到期的支援');
    expect(page.text).toMatch(new RegExp(`${monday}</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td>`));
    const outboundPage = await agent.get('/support-duty/dashboard?direction=outbound&status=approved').expect(200);
    expect(outboundPage.text).toContain('本院支援他院：共 1 件');
    expect(outboundPage.text).toContain(ours.person.nameZh);
    // clinicians have no dashboard
    const clinician = await signInWithCard(t, { personnel: ours.person });
    await clinician.agent.get('/support-duty/dashboard').expect(403);
  });

  it('refuses the supported institution being the home institution', async () => {
    const { home, person } = await world();
    const saved = await filing.saveDraft(personnelPrincipal(person), caseForm(home.code, { from: mondayIn(2), weekdays: ['1'], sessions: ['morning'] }), 'zh-TW');
    expect(saved.errors).toEqual([{ field: 'supportedInstitution', messageKey: 'supportDuty.errors.institution.home' }]);
  });

  describe('rules at their boundaries', () => {
    const refusedRules = (o: Awaited<ReturnType<typeof file>>['outcome']) => (o.submitted ? [] : o.refused.map((r) => r.rule));

    it('8 sessions in a week pass, the 9th is refused with the numbers', async () => {
      const { supported, person } = await world();
      const monday = mondayIn(3);
      // Monday to Thursday, morning and afternoon: 8 sessions
      const eight = await file(person, caseForm(supported.code, { from: monday, to: addDays(monday, 3), weekdays: ['1', '2', '3', '4'], sessions: ['morning', 'afternoon'] }));
      expect(eight.outcome.submitted).toBe(true);
      const other = await createInstitution(t, { countyCode: '66000' });
      const ninth = await file(person, caseForm(other.code, { from: addDays(monday, 4), weekdays: ['5'], sessions: ['night'] }));
      expect(refusedRules(ninth.outcome)).toEqual(['weekly-sessions']);
      const message = filing.refusalErrors(ninth.outcome.submitted ? [] : ninth.outcome.refused, 'zh-TW')[0].params!.text;
      expect(message).toContain('已支援 8 診次');
      expect(message).toContain('上限 8 診次');
      // the next week is free again
      const nextWeek = await file(person, caseForm(other.code, { from: addDays(monday, 7), weekdays: ['1'], sessions: ['night'] }));
      expect(nextWeek.outcome.submitted).toBe(true);
    });

    it('a person\'s periods may not overlap', async () => {
      const { supported, person } = await world();
      const monday = mondayIn(3);
      expect((await file(person, caseForm(supported.code, { from: monday, weekdays: ['1'], sessions: ['morning'] }))).outcome.submitted).toBe(true);
      const other = await createInstitution(t);
      expect(refusedRules((await file(person, caseForm(other.code, { from: monday, weekdays: ['1'], sessions: ['morning', 'afternoon'] }))).outcome)).toEqual(['overlap']);
      expect((await file(person, caseForm(other.code, { from: monday, weekdays: ['1'], sessions: ['afternoon'] }))).outcome.submitted).toBe(true);
    });

    it('the same slot twice within one case is a form error', async () => {
      const { supported, person } = await world();
      const monday = mondayIn(3);
      const saved = await filing.saveDraft(
        personnelPrincipal(person),
        { ...caseForm(supported.code, { from: monday, weekdays: ['1'], sessions: ['morning'] }), p2From: monday, p2To: monday, p2Weekdays: ['1'], p2Sessions: ['morning'] },
        'zh-TW',
      );
      expect(saved.errors?.map((e) => e.messageKey)).toEqual(['supportDuty.errors.period.repeated']);
    });

    it('a suspended registration (停業) cannot file', async () => {
      const home = await createInstitution(t);
      const supported = await createInstitution(t);
      const person = await createProfessional(t, home, { suspended: true });
      expect(refusedRules((await file(person, caseForm(supported.code, { from: mondayIn(2), weekdays: ['1'], sessions: ['morning'] }))).outcome)).toEqual(['suspended']);
    });

    it('a case starts at least one day ahead; an emergency may start today', async () => {
      const { supported, person } = await world();
      const today = taipeiDay();
      const weekday = String(new Date(`${today}T00:00:00Z`).getUTCDay() || 7);
      expect(refusedRules((await file(person, caseForm(supported.code, { from: today, weekdays: [weekday], sessions: ['night'] }))).outcome)).toEqual(['lead-time']);
      const tomorrow = addDays(today, 1);
      const tomorrowWeekday = String(new Date(`${tomorrow}T00:00:00Z`).getUTCDay() || 7);
      expect((await file(person, caseForm(supported.code, { from: tomorrow, weekdays: [tomorrowWeekday], sessions: ['night'] }))).outcome.submitted).toBe(true);
      expect((await file(person, caseForm(supported.code, { from: today, weekdays: [weekday], sessions: ['night'] }, { purpose: 'emergency' }))).outcome.submitted).toBe(true);
    });

    it('an institution\'s supported sessions stay within 40% of its weekly sessions', async () => {
      // 10 weekly sessions: 4 may be supported
      const { supported, person } = await world({ weeklySessions: 10 });
      const monday = mondayIn(4);
      expect((await file(person, caseForm(supported.code, { from: monday, to: addDays(monday, 3), weekdays: ['1', '2', '3', '4'], sessions: ['morning'] }))).outcome.submitted).toBe(true);
      const second = await createProfessional(t, await createInstitution(t));
      const refused = await file(second, caseForm(supported.code, { from: monday, weekdays: ['1'], sessions: ['afternoon'] }));
      expect(refusedRules(refused.outcome)).toEqual(['institution-share']);
      const text = filing.refusalErrors(refused.outcome.submitted ? [] : refused.outcome.refused, 'zh-TW')[0].params!.text;
      expect(text).toContain('已有 4 診次支援');
      expect(text).toContain('上限 4 診次');
    });
  });

  it('20 concurrent submissions that together break a quota: exactly the allowed number succeed', async () => {
    // 10 weekly sessions × 40% = 4; 20 people each ask for one session in the same week
    const supported = await createInstitution(t, { weeklySessions: 10 });
    const monday = mondayIn(5);
    const people = await Promise.all(Array.from({ length: 20 }, async () => createProfessional(t, await createInstitution(t))));
    const drafts = await Promise.all(
      people.map(async (p) => {
        const saved = await filing.saveDraft(personnelPrincipal(p), caseForm(supported.code, { from: monday, weekdays: ['1'], sessions: ['morning'] }), 'zh-TW');
        if (saved.errors) throw new Error(JSON.stringify(saved.errors));
        return { p, caseId: saved.caseId };
      }),
    );
    const outcomes = await Promise.all(drafts.map(({ p, caseId }) => filing.submit(personnelPrincipal(p), caseId, null)));
    expect(outcomes.filter((o) => o.submitted)).toHaveLength(4);
    expect(outcomes.filter((o) => !o.submitted && o.refused[0].rule === 'institution-share')).toHaveLength(16);
    const [count] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM support_duty_slot WHERE institution_code = ?', [supported.code])) as Array<{ n: string }>;
    expect(Number(count.n)).toBe(4);
  });

  describe('county review', () => {
    async function submitted(options: { countyCode?: string } = {}) {
      const w = await world({ countyCode: options.countyCode ?? '66000' });
      const monday = mondayIn(6);
      const { caseId, outcome } = await file(w.person, caseForm(w.supported.code, { from: monday, to: addDays(monday, 6), weekdays: ['2'], sessions: ['night'] }));
      expect(outcome.submitted).toBe(true);
      return { ...w, caseId };
    }

    it('county reviewers see only their county\'s cases; ministry staff see all', async () => {
      const ours = await submitted({ countyCode: '66000' });
      const theirs = await submitted({ countyCode: '64000' });
      const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
      const queue = await agent.get(`/review/support-duty?institution=${ours.supported.code}`).expect(200);
      expect(queue.text).toContain(ours.person.nameZh);
      await agent.get(`/review/support-duty/${ours.caseId}`).expect(200);
      await agent.get(`/review/support-duty/${theirs.caseId}`).expect(404);
      const other = await agent.get(`/review/support-duty?institution=${theirs.supported.code}`).expect(200);
      expect(other.text).not.toContain(theirs.person.nameZh);
      const ministry = await signInAsStaff(t, 'ministry_staff');
      await ministry.agent.get(`/review/support-duty/${theirs.caseId}`).expect(200);
      // applicants have no way into the review pages
      const applicant = await signInWithCard(t, { personnel: ours.person });
      await applicant.agent.get('/review/support-duty').expect(403);
    });

    it('shows every rule check, approves, tells the applicant and the institution; a second reviewer gets the conflict page', async () => {
      const c = await submitted();
      const first = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
      const second = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
      const page1 = await first.agent.get(`/review/support-duty/${c.caseId}`).expect(200);
      const page2 = await second.agent.get(`/review/support-duty/${c.caseId}`).expect(200);
      expect(page1.text).toContain('與本人其他支援時段無重疊');
      expect(page1.text).toContain('每週支援診次');
      expect(page1.text).toContain('受支援機構每週支援診次');
      expect(page1.text).toContain('執業登記有效');
      // reject without a reason: the form again
      await first.agent.post(`/review/support-duty/${c.caseId}`).type('form').send({ _csrf: csrfFrom(page1.text), version: '2', decision: 'reject' }).expect(422);
      await first.agent.post(`/review/support-duty/${c.caseId}`).type('form').send({ _csrf: csrfFrom(page1.text), version: '2', decision: 'approve' }).expect(303);
      const conflict = await second.agent.post(`/review/support-duty/${c.caseId}`).type('form').send({ _csrf: csrfFrom(page2.text), version: '2', decision: 'reject', reason: '資料不符' });
      expect(conflict.status).toBe(409);
      const [row] = (await t.dataSource.query('SELECT status FROM support_duty_case WHERE id = ?', [c.caseId])) as Array<{ status: string }>;
      expect(row.status).toBe('approved');
      // notified: in-app for the person and the institution, e-mail through the outbox
      const messages = (await t.dataSource.query('SELECT recipient_kind, template FROM support_duty_message WHERE case_id = ? ORDER BY recipient_kind', [c.caseId])) as Array<Record<string, string>>;
      expect(messages).toEqual([
        { recipient_kind: 'institution', template: 'support-duty.approved' },
        { recipient_kind: 'personnel', template: 'support-duty.approved' },
      ]);
      const mails = (await t.dataSource.query("SELECT payload FROM outbox_message WHERE queue = 'notifications' AND payload LIKE ?", [`%${c.person.email}%`])) as Array<{ payload: string }>;
      expect(mails).toHaveLength(1);
      expect(JSON.parse(mails[0].payload).subject).toContain('已核准');
      const applicant = await signInWithCard(t, { personnel: c.person });
      const inbox = await applicant.agent.get('/support-duty/messages').expect(200);
      expect(inbox.text).toContain('已核准');
      // printed: the applicant's form and the bureau's decision letter, PDFs in zh-TW
      const printed = await applicant.agent.get(`/support-duty/cases/${c.caseId}/print.pdf`).buffer(true).expect(200);
      expect(printed.headers['content-type']).toBe('application/pdf');
      expect(printed.body.subarray(0, 5).toString()).toBe('%PDF-');
      const letter = await first.agent.get(`/review/support-duty/${c.caseId}/decision.pdf`).buffer(true).expect(200);
      expect(letter.body.subarray(0, 5).toString()).toBe('%PDF-');
      const stranger = await signInWithCard(t, { institution: await createInstitution(t) });
      await stranger.agent.get(`/support-duty/cases/${c.caseId}/print.pdf`).expect(404);
      // every state change wrote its reporting event and its audit row
      const events = (await t.dataSource.query("SELECT payload FROM outbox_message WHERE queue = 'support-duty-events' AND payload LIKE ?", [`%"caseId":"${c.caseId}"%`])) as Array<{ payload: string }>;
      expect(events.map((e) => JSON.parse(e.payload).event)).toEqual(['submit', 'approve']);
      const audits = (await t.dataSource.query("SELECT action FROM audit_event WHERE target_type = 'support_duty_case' AND target_id = (SELECT case_number FROM support_duty_case WHERE id = ?) ORDER BY id", [c.caseId])) as Array<{ action: string }>;
      expect(audits.map((a) => a.action)).toEqual(['support-duty.submit', 'support-duty.approve']);
    });

    it('approves the selected cases, each at the version the queue showed; one changed meanwhile is reported, not approved', async () => {
      const one = await submitted();
      const two = await submitted();
      const other = await submitted({ countyCode: '64000' });
      const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
      const queue = await agent.get(`/review/support-duty?institution=${one.supported.code}`).expect(200);
      expect(queue.text).toContain(`value="${one.caseId}:2"`);
      const res = await agent
        .post('/review/support-duty/approve')
        .type('form')
        .send({ _csrf: csrfFrom(queue.text), cases: [`${one.caseId}:2`, `${two.caseId}:1`, `${other.caseId}:2`] })
        .expect(200);
      expect(res.text).toContain('已核准 1 件');
      expect(res.text).toContain('下列 2 件');
      const statuses = (await t.dataSource.query('SELECT id, status FROM support_duty_case WHERE id IN (?) ORDER BY id', [[one.caseId, two.caseId, other.caseId]])) as Array<{ status: string }>;
      expect(statuses.map((r) => r.status)).toEqual(['approved', 'submitted', 'submitted']);
    });

    /** `n` more submitted cases like `caseId` (same people and institutions), submitted at `at(i)`. */
    async function copies(caseId: string, n: number, at: (i: number) => Date) {
      const cols = 'status, professional_id, person_index, professional_name, category_code, certificate_number, home_institution_code, supported_institution_code, county_code, department_code, purpose, periods, first_day, last_day, session_count, filed_by_kind, filed_by_id, lang';
      const [row] = (await t.dataSource.query(`SELECT ${cols} FROM support_duty_case WHERE id = ?`, [caseId])) as Array<Record<string, unknown>>;
      const rows = Array.from({ length: n }, (_, i) => [...Object.values(row), at(i)]);
      await t.dataSource.query(`INSERT INTO support_duty_case (${cols}, submitted_at) VALUES ?`, [rows]);
      await t.dataSource.query("UPDATE support_duty_case SET case_number = CONCAT('SD', LPAD(id, 10, '0')) WHERE supported_institution_code = ? AND case_number IS NULL", [row.supported_institution_code]);
    }
    const caseLinks = (html: string) => [...html.matchAll(/name="cases" type="checkbox" value="(\d+):/g)].map((m) => m[1]);
    const relHref = (html: string, rel: string) => new RegExp(`href="([^"]+)" rel="${rel}"`).exec(html)?.[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

    it('the queue pages by key, newest first (ties by id), with previous and next; the count stops at 1,000', async () => {
      const c = await submitted();
      const base = Date.now() - 3_600_000;
      // 26 more, two of them submitted at the same instant as each other
      await copies(c.caseId, 26, (i) => new Date(base + Math.min(i, 24) * 1000));
      const { agent } = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
      const first = await agent.get(`/review/support-duty?institution=${c.supported.code}`).expect(200);
      expect(first.text).toContain('共 27 件');
      const page1 = caseLinks(first.text);
      expect(page1).toHaveLength(25);
      expect(page1[0]).toBe(c.caseId); // submitted last: first
      expect(relHref(first.text, 'prev')).toBeUndefined();
      const secondPage = await agent.get(relHref(first.text, 'next')!).expect(200);
      const page2 = caseLinks(secondPage.text);
      expect(page2).toHaveLength(2);
      const ids = (await t.dataSource.query('SELECT id FROM support_duty_case WHERE supported_institution_code = ? ORDER BY submitted_at DESC, id DESC', [c.supported.code])) as Array<{ id: string }>;
      expect([...page1, ...page2]).toEqual(ids.map((r) => String(r.id)));
      expect(relHref(secondPage.text, 'next')).toBeUndefined();
      const back = await agent.get(relHref(secondPage.text, 'prev')!).expect(200);
      expect(caseLinks(back.text)).toEqual(page1);
      expect(relHref(back.text, 'prev')).toBeUndefined();
      expect(relHref(back.text, 'next')).toBeDefined();
      // past 1,000 the queue says "more than 1,000" instead of counting every case
      await copies(c.caseId, 1_000, (i) => new Date(base - (i + 1) * 1000));
      const many = await agent.get(`/review/support-duty?institution=${c.supported.code}`).expect(200);
      expect(many.text).toContain('超過 1,000 件');
      expect(caseLinks(many.text)).toEqual(page1);
    });

    it('a change goes to review while the approved case stays in force; approving it supersedes the old; cancel ends a case', async () => {
      const c = await submitted();
      const reviewer = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
      const page = await reviewer.agent.get(`/review/support-duty/${c.caseId}`).expect(200);
      await reviewer.agent.post(`/review/support-duty/${c.caseId}`).type('form').send({ _csrf: csrfFrom(page.text), decision: 'approve' }).expect(303);

      const principal = personnelPrincipal(c.person);
      const changeId = await filing.startChange(principal, c.caseId, 'zh-TW');
      const monday = mondayIn(6);
      // the change moves the night to the same Tuesday's afternoon: no overlap with the case it replaces
      const saved = await filing.saveDraft(principal, caseForm(c.supported.code, { from: monday, to: addDays(monday, 6), weekdays: ['2'], sessions: ['afternoon', 'night'] }), 'zh-TW', { id: changeId, version: null });
      expect(saved.errors).toBeNull();
      expect((await filing.submit(principal, changeId, null)).submitted).toBe(true);
      const states = async () => Object.fromEntries(((await t.dataSource.query('SELECT id, status FROM support_duty_case WHERE id IN (?, ?)', [c.caseId, changeId])) as Array<{ id: string; status: string }>).map((r) => [String(r.id), r.status]));
      expect(await states()).toEqual({ [c.caseId]: 'approved', [changeId]: 'submitted' });
      const changePage = await reviewer.agent.get(`/review/support-duty/${changeId}`).expect(200);
      await reviewer.agent.post(`/review/support-duty/${changeId}`).type('form').send({ _csrf: csrfFrom(changePage.text), decision: 'approve' }).expect(303);
      expect(await states()).toEqual({ [c.caseId]: 'superseded', [changeId]: 'approved' });

      const applicant = await signInWithCard(t, { personnel: c.person });
      const casePage = await applicant.agent.get(`/support-duty/cases/${changeId}`).expect(200);
      await applicant.agent.post(`/support-duty/cases/${changeId}/cancel`).type('form').send({ _csrf: csrfFrom(casePage.text) }).expect(303);
      expect((await states())[changeId]).toBe('cancelled');
      const [slots] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM support_duty_slot WHERE case_id IN (?, ?)', [c.caseId, changeId])) as Array<{ n: string }>;
      expect(Number(slots.n)).toBe(0);
    });

    it('an applicant cancelling a case under review tells the county bureau\'s reviewers (their message list), not another county\'s', async () => {
      const c = await submitted({ countyCode: '66000' });
      const applicant = await signInWithCard(t, { personnel: c.person });
      const casePage = await applicant.agent.get(`/support-duty/cases/${c.caseId}`).expect(200);
      await applicant.agent.post(`/support-duty/cases/${c.caseId}/cancel`).type('form').send({ _csrf: csrfFrom(casePage.text), version: '2' }).expect(303);
      const [row] = (await t.dataSource.query('SELECT case_number, status FROM support_duty_case WHERE id = ?', [c.caseId])) as Array<{ case_number: string; status: string }>;
      expect(row.status).toBe('cancelled');
      const messages = (await t.dataSource.query('SELECT recipient_kind, recipient_id, template FROM support_duty_message WHERE case_id = ?', [c.caseId])) as Array<Record<string, string>>;
      expect(messages).toEqual([{ recipient_kind: 'county', recipient_id: '66000', template: 'support-duty.cancelled' }]);
      const reviewer = await signInAsStaff(t, 'county_reviewer', { countyCode: '66000' });
      const queue = await reviewer.agent.get('/review/support-duty').expect(200);
      expect(queue.text).toContain('href="/review/support-duty/messages"');
      const inbox = await reviewer.agent.get('/review/support-duty/messages').expect(200);
      expect(inbox.text).toContain(`報備支援案件 <span class="app-nowrap">${row.case_number}</span>`);
      expect(inbox.text).toContain(`${c.person.nameZh}，${c.supported.nameZh}）已由申請人註銷`);
      expect(inbox.text).toContain(`href="/review/support-duty/${c.caseId}"`);
      const elsewhere = await signInAsStaff(t, 'county_reviewer', { countyCode: '64000' });
      expect((await elsewhere.agent.get('/review/support-duty/messages').expect(200)).text).not.toContain(row.case_number);
      // the cancel is audited and its reporting event written, as every transition
      const events = (await t.dataSource.query("SELECT payload FROM outbox_message WHERE queue = 'support-duty-events' AND payload LIKE ?", [`%"caseId":"${c.caseId}"%`])) as Array<{ payload: string }>;
      expect(events.map((e) => JSON.parse(e.payload).event)).toEqual(['submit', 'cancel']);
    });
  });
});
