import { formatDateTime, formatDay } from '../../src/common/i18n/dates';
import { isUnbroken } from '../../src/common/web/unbroken';
import { ViewRenderer } from '../../src/common/web/view-renderer';

describe('numbers, dates and codes kept on one line', () => {
  it('knows phone numbers, the formatter\'s dates and codes, and leaves prose alone', () => {
    for (const value of ['06-2351234', '(02)2351-2345', '0912-345-678', '0800-364-422', formatDay('2027-02-01', 'zh-TW'), formatDay('2027-02-01', 'en'), formatDateTime(new Date(), 'zh-TW'), formatDateTime(new Date(), 'en'), 'R20261123K7MZ3Q', 'HB-63000', 'A12****789']) {
      expect([value, isUnbroken(value)]).toEqual([value, true]);
    }
    for (const value of ['王小明', '臺北市大安區復興南路一段200號', 'lin@example.test', '週一至週五 08:30–17:30', 'Apply for a card', '', 42, '3']) {
      expect([value, isUnbroken(value)]).toEqual([value, false]);
    }
  });

  it('wraps such parameters of a message in app-nowrap, escaping everything', () => {
    const renderer = new ViewRenderer();
    const html = (renderer as unknown as { hbs: { compile(s: string): (c: unknown) => string } }).hbs.compile('{{t "cards.status.reserved" date=date counter=counter}}')({ lang: 'zh-TW', date: formatDay('2027-02-01', 'zh-TW'), counter: '<b>衛生所</b>' });
    expect(html).toContain('<span class="app-nowrap">116年2月1日（星期一）</span>');
    expect(html).toContain('&lt;b&gt;衛生所&lt;/b&gt;');
  });
});
