import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import pino from 'pino';
import { BlockList } from 'node:net';
import { addressIn } from '../../src/common/web/client-address';
import { accessLog, headersSetBy } from '../../src/common/web/http-pipeline';

/** A pino logger at `level` whose lines are collected. */
function collectingLogger(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

function exchange(url: string, statusCode: number) {
  const res = Object.assign(new EventEmitter(), { statusCode }) as unknown as Response & EventEmitter;
  const req = { url, originalUrl: url, method: 'GET', requestId: 'req-1', ip: '192.0.2.4' } as unknown as Request;
  return { req, res };
}

describe('the request pipeline, built once', () => {
  it("works out helmet's headers once, as helmet itself sets them on an answer", () => {
    const headers = new Map(headersSetBy(helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"] } }, referrerPolicy: { policy: 'same-origin' } })));
    expect(headers.get('Content-Security-Policy')).toBe("default-src 'self';script-src 'self'");
    expect(headers.get('Referrer-Policy')).toBe('same-origin');
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(headers.has('X-Powered-By')).toBe(false);
  });

  it('refuses a header middleware that does not finish at once (its headers could depend on the request)', () => {
    const later: RequestHandler = (_req, _res, next) => void setImmediate(next);
    expect(() => headersSetBy(later)).toThrow('did not finish synchronously');
  });

  it('writes one access-log line per answer, at the level its status deserves, never for static assets', async () => {
    const { logger, lines } = collectingLogger('info');
    const log = accessLog(logger);
    for (const [url, status] of [['/counters', 200], ['/missing', 404], ['/broken', 500], ['/assets/app.css', 200]] as const) {
      const { req, res } = exchange(url, status);
      log(req, res);
      res.emit('finish');
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.level, (l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode, l.reqId, l.clientIp])).toEqual([
      [30, '/counters', 200, 'req-1', '192.0.2.4'],
      [40, '/missing', 404, 'req-1', '192.0.2.4'],
      [50, '/broken', 500, 'req-1', '192.0.2.4'],
    ]);
    expect(typeof lines[0].responseTime).toBe('number');
  });

  it('sets nothing up when the level drops every line, and drops what is below the level', () => {
    const silent = collectingLogger('silent');
    const { req, res } = exchange('/counters', 500);
    accessLog(silent.logger)(req, res);
    expect(res.listenerCount('finish')).toBe(0);

    const warn = collectingLogger('warn');
    const ok = exchange('/counters', 200);
    accessLog(warn.logger)(ok.req, ok.res);
    ok.res.emit('finish');
    expect(warn.lines).toEqual([]);
  });

  it('answers address-list questions the same from memory as the list does, IPv4-mapped addresses included', () => {
    const list = new BlockList();
    list.addSubnet('10.0.0.0', 8, 'ipv4');
    for (let round = 0; round < 2; round++) {
      expect(addressIn(list, '10.1.2.3')).toBe(true);
      expect(addressIn(list, '::ffff:10.1.2.3')).toBe(true);
      expect(addressIn(list, '192.0.2.1')).toBe(false);
      expect(addressIn(list, undefined)).toBe(false);
    }
    const other = new BlockList();
    expect(addressIn(other, '10.1.2.3')).toBe(false);
  });
});
