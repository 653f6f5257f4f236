import { ViewRenderer, type BaseViewContext } from '../../src/common/web/view-renderer';

const renderer = new ViewRenderer();

function render(name: string, page: Record<string, unknown>, lang: 'zh-TW' | 'en' = 'zh-TW'): string {
  const context: BaseViewContext = {
    lang,
    htmlLang: lang === 'en' ? 'en' : 'zh-Hant-TW',
    otherLang: lang === 'en' ? 'zh-TW' : 'en',
    csrfToken: 'token-123',
    currentPath: '/admin/jobs',
    user: null,
    title: '',
    errors: [],
    values: {},
    nav: [],
    ...page,
  };
  return renderer.render(name, context, { layout: false });
}

const job = (state: string, running: boolean, progress: number) => ({
  id: 'outbox-7',
  state,
  stateKey: `jobs.state.${state}`,
  tagClass: 'govuk-tag--blue',
  running,
  progress,
  failedReason: null,
});

describe('statistics job page', () => {
  const href = '/admin/jobs/statistics/outbox-7';

  it('polls itself every 2 s with HTMX while the job runs, with a progress bar and a plain refresh link', () => {
    const html = render('reporting/reference-summary', { href, job: job('active', true, 40), result: null });
    expect(html).toMatch(/<div id="job-status" hx-get="\/admin\/jobs\/statistics\/outbox-7" hx-trigger="every 2s" hx-select="#job-status" hx-swap="outerHTML">/);
    expect(html).toMatch(/<progress[^>]*id="job-progress"[^>]*max="100" value="40">/);
    expect(html).toContain('<label class="govuk-label" for="job-progress">進度</label>');
    expect(html).toContain(`<a class="govuk-link" href="${href}">`);
    expect(html).toContain('執行中');
  });

  it('stops polling and shows the result table with caption and header scopes once completed', () => {
    const html = render(
      'reporting/reference-summary',
      {
        href,
        job: job('completed', false, 100),
        result: {
          generatedAt: '2026-01-02T03:04:05.000Z',
          counties: [{ name: 'Taipei City', institutions: 3, counters: [1, 1, 0], countersTotal: 2 }],
          totals: { institutions: 3, counters: [1, 1, 0], countersTotal: 2 },
        },
      },
      'en',
    );
    expect(html).not.toContain('hx-trigger');
    expect(html).not.toContain('<progress');
    expect(html).toContain('<caption class="govuk-table__caption govuk-table__caption--m">Institutions and registration counters by county</caption>');
    expect(html).toMatch(/<th scope="row" class="govuk-table__header">Taipei City<\/th>\s*<td[^>]*>3<\/td>/);
    // the one date formatter (Taiwan time), kept on one line as a parameter of the message
    expect(html).toContain('Counted at <span class="app-nowrap">Friday 2 January 2026, 11:04:05</span>');
  });
});

describe('jobs page', () => {
  const outbox = { pending: 2, oldestSeconds: 75, lastError: 'Connection is closed.' };

  it('shows the outbox backlog and a warning instead of the queues when Redis is down', () => {
    const html = render('notifications/jobs', { redisDown: true, queues: [], outbox, retried: null });
    expect(html).toContain('govuk-warning-text');
    expect(html).toContain('75 秒');
    expect(html).toContain('Connection is closed.');
    expect(html).not.toContain('id="queue-counts"');
  });

  it('gives every failed job a retry form carrying the CSRF token', () => {
    const html = render('notifications/jobs', {
      redisDown: false,
      outbox: { pending: 0, oldestSeconds: 0, lastError: null },
      retried: 'notifications/outbox-9',
      queues: [
        {
          name: 'notifications',
          nameKey: 'jobs.queue.notifications',
          counts: { waiting: 0, active: 0, delayed: 0, completed: 4, failed: 1 },
          failed: [{ id: 'outbox-9', name: 'email', attemptsMade: 1, attempts: 5, failedReason: 'SMTP refused', failedAt: new Date(), retryAction: '/admin/jobs/notifications/outbox-9/retry' }],
        },
      ],
    });
    expect(html).toMatch(/<form method="post" action="\/admin\/jobs\/notifications\/outbox-9\/retry">\s*<input type="hidden" name="_csrf" value="token-123">/);
    expect(html).toContain('<th scope="row" class="govuk-table__header">通知（電子郵件）</th>');
    expect(html).toContain('工作 notifications/outbox-9 已重新排入佇列。');
    expect(html).toContain('1 / 5');
  });
});
