import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { WorkerModule } from '../../src/app/worker.module';
import { loadConfig } from '../../src/config/app-config';
import { createTestApp, csrfFrom, type TestApp } from '../support/app';
import { waitFor } from '../support/polling';
import { applyEvents, binaryGet, submitCase } from '../support/reporting';
import { useSoftHsmTestStore } from '../support/softhsm';
import { signInAsStaff } from '../support/staff';
import { createInstitution, createProfessional, preparePki } from '../support/support-duty';
import { setAsideOtherFilesJobs } from '../support/worker';

useSoftHsmTestStore();

type Agent = Awaited<ReturnType<typeof signInAsStaff>>['agent'];


/** Every link on a page, with the HTML entities Handlebars wrote decoded. */
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));

/** The progress element's value on a progress page, or null when there is none. */
const progressOf = (html: string) => {
  const m = /<progress[^>]*id="pdf-progress"[^>]*value="(\d+)"/.exec(html);
  return m ? Number(m[1]) : null;
};

describe('reporting: a large PDF is made by a job with a progress page; a small one at once', () => {
  // a report of more than 3 table lines is "large" here
  const env = { REPORT_PDF_JOB_LINES: '3' };
  let t: TestApp;
  let worker: INestApplicationContext | null = null;
  // March–June 2024: no other test file uses them (the pages take 2000–2023, dev generate the last 730 days, the rest the present)
  const year = 2024;
  let reviewer: Agent;

  beforeAll(async () => {
    t = await createTestApp(env);
    await preparePki(t);
    const person = await createProfessional(t, await createInstitution(t, { countyCode: '63000' }));
    const ids: string[] = [];
    // four institutions of Tainan (67000) in March–June: 1 category + 4 institutions + 4 months = 9 lines; May alone: 3 lines
    for (const [i, m] of ['03', '04', '05', '06'].entries()) {
      const supported = await createInstitution(t, { countyCode: '67000' });
      ids.push(await submitCase(t, { person, supported, firstDay: `${year}-${m}-1${i}`, sessionCount: i + 1 }));
    }
    await applyEvents(t, ids);
    reviewer = (await signInAsStaff(t, 'county_reviewer', { countyCode: '67000' })).agent;
    await setAsideOtherFilesJobs(t.dataSource, t.config.redisUrl);
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('a small report: the PDF link answers with the PDF itself', async () => {
    const page = await reviewer.get(`/reports?year=${year}&part=m05`).expect(200);
    expect(hrefs(page.text)).toContain(`/reports/export.pdf?year=${year}&part=m05`);
    expect(page.text).not.toContain('action="/reports/export.pdf"');
    const pdf = await binaryGet(reviewer, `/reports/export.pdf?year=${year}&part=m05`).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it("a large report: a button queues the PDF, its progress page polls (and refreshes without JavaScript), then offers the download; only to who asked for it", async () => {
    const page = await reviewer.get(`/reports?year=${year}`).expect(200);
    expect(page.text).toContain('action="/reports/export.pdf"');
    expect(hrefs(page.text).filter((h) => h.startsWith('/reports/export.pdf'))).toEqual([]);
    // the PDF's URL itself asks for the button rather than making a large PDF in the request
    const ask = await reviewer.get(`/reports/export.pdf?year=${year}`).expect(200);
    expect(ask.headers['content-type']).toContain('text/html');
    expect(ask.text).toContain('action="/reports/export.pdf"');
    expect(ask.text).toContain(`name="year" value="${year}"`);

    // another county by the form: not found, nothing queued
    await reviewer.post('/reports/export.pdf').type('form').send({ _csrf: csrfFrom(ask.text), year: String(year), part: 'year', county: '66000' }).expect(404);
    const queued = await reviewer.post('/reports/export.pdf').type('form').send({ _csrf: csrfFrom(ask.text), year: String(year), part: 'year' }).expect(303);
    const href = queued.headers.location as string;
    expect(href).toMatch(/^\/reports\/pdf\/pdf-[0-9a-f-]{36}$/);

    // no worker yet: waiting, with the progress element at 0, polling, and the refresh link
    const waiting = await reviewer.get(href).expect(200);
    expect(waiting.text).toContain('data-state="waiting"');
    expect(progressOf(waiting.text)).toBe(0);
    expect(waiting.text).toContain(`hx-get="${href}"`);
    expect(waiting.text).toContain('<label class="govuk-label" for="pdf-progress">');
    expect(waiting.text).toContain(`<a class="govuk-link" href="${href}">`);
    await reviewer.get(`${href}/file`).expect(404); // not made yet

    // someone else (even of the same county) cannot see it
    const { agent: colleague } = await signInAsStaff(t, 'county_reviewer', { countyCode: '67000' });
    await colleague.get(href).expect(404);
    await colleague.get(`${href}/file`).expect(404);
    await reviewer.get('/reports/pdf/pdf-00000000-0000-0000-0000-000000000000').expect(404);

    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...env, DEV_SMTP_LISTENER: 'false' })), { logger: false });
    await worker.init();
    const done = await waitFor('the PDF job to finish', async () => {
      const res = await reviewer.get(href).expect(200);
      return res.text.includes('data-state="completed"') && res;
    }, 60_000);
    expect(progressOf(done.text)).toBeNull();
    expect(done.text).not.toContain('hx-get=');
    expect(done.text).toContain(`href="${href}/file"`);
    const file = await binaryGet(reviewer, `${href}/file`).expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="support-duty-report-${year}-year-67000.pdf"`);
    const bytes = file.body as Buffer;
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(file.headers.etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    await colleague.get(`${href}/file`).expect(404);
  });
});
