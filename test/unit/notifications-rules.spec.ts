import { emailPayload } from '../../src/modules/notifications/notifications.service';
import { pageParam, pager } from '../../src/common/web/pagination';
import { withTimeout } from '../../src/common/async/timeout';
import { outboxIdOf, outboxJobId } from '../../src/modules/notifications/queues';

describe('emailPayload', () => {
  it('normalises one address or several into a list, lowercasing the domain', () => {
    expect(emailPayload({ to: ' Someone@Example.ORG ', subject: ' 主旨 ', text: '內文' })).toEqual({ to: ['Someone@example.org'], subject: '主旨', text: '內文' });
    expect(emailPayload({ to: ['a@example.org', 'b@example.org'], subject: 's', text: 't', template: 'staff.welcome' }).to).toEqual(['a@example.org', 'b@example.org']);
  });

  it.each([
    [{ to: 'not-an-address', subject: 's', text: 't' }, /Not an e-mail address/],
    [{ to: [], subject: 's', text: 't' }, /at least one recipient/],
    [{ to: 'a@example.org', subject: '  ', text: 't' }, /subject/],
    [{ to: 'a@example.org', subject: 'two\nlines', text: 't' }, /subject/],
    [{ to: 'a@example.org', subject: 'x'.repeat(201), text: 't' }, /subject/],
    [{ to: 'a@example.org', subject: 's', text: ' ' }, /body/],
    [{ to: 'a@example.org', subject: 's', text: 't', template: 'bad name' }, /template/],
  ])('refuses %j', (message, error) => {
    expect(() => emailPayload(message)).toThrow(error);
  });
});

describe('outbox job ids', () => {
  it('round-trips a row id and refuses anything else', () => {
    expect(outboxJobId(42)).toBe('outbox-42');
    expect(outboxIdOf(outboxJobId('42'))).toBe(42);
    expect(outboxIdOf('42')).toBeNull();
    expect(outboxIdOf('outbox-')).toBeNull();
    expect(outboxIdOf('outbox-1x')).toBeNull();
  });
});

describe('withTimeout', () => {
  it('passes a prompt result through and rejects a late one', async () => {
    await expect(withTimeout(Promise.resolve(7), 50, 'x')).resolves.toBe(7);
    await expect(withTimeout(new Promise((resolve) => setTimeout(resolve, 500)), 20, 'add job')).rejects.toThrow('add job: no answer within 20 ms');
  });

  it('passes the original rejection through', async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 50, 'x')).rejects.toThrow('boom');
  });
});

describe('pager', () => {
  const href = (p: number) => `/admin/mailbox?page=${p}`;

  it('has no page links for a single page', () => {
    expect(pager(1, 1, href)).toEqual({ items: [] });
  });

  it('shows first, last and two either side of the current page, with ellipses between gaps', () => {
    const p = pager(6, 12, href);
    expect(p.previous).toEqual({ href: href(5) });
    expect(p.next).toEqual({ href: href(7) });
    expect(p.items.map((i) => ('ellipsis' in i ? '…' : i.current ? `[${i.number}]` : String(i.number)))).toEqual(['1', '…', '4', '5', '[6]', '7', '8', '…', '12']);
  });

  it('has no previous link on the first page and no next link on the last', () => {
    expect(pager(1, 3, href).previous).toBeUndefined();
    expect(pager(3, 3, href).next).toBeUndefined();
  });

  it('reads only positive whole page numbers', () => {
    expect(pageParam('3')).toBe(3);
    for (const bad of [undefined, '', '0', '-1', '2.5', 'abc', '1e9']) expect(pageParam(bad)).toBe(1);
  });
});
