import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { DEFAULT_HELPER_PORT, HELPER_ENDPOINTS, HelperErrorName } from '../shared/web-eid';
import { CardReader } from './card-reader';
import { HelperError } from './errors';

export interface ReaderHelperOptions {
  /** TCP port on 127.0.0.1 (default 47321; 0 picks a free one). */
  port?: number;
  /** Exact origins (scheme://host[:port]) whose pages may use the helper. */
  allowedOrigins: string[];
  /** PKCS#11 library of the cards. */
  modulePath: string;
  /** Only tokens whose label starts with this are cards. */
  labelPrefix: string;
  /** Where the one-JSON-line-per-request log goes (default: stdout). */
  log?: (line: string) => void;
  /** The clock for certificate validity. */
  now?: () => Date;
}

export interface ReaderHelper {
  server: Server;
  /** The port actually listened on. */
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** Request bodies are a few short strings. */
const MAX_BODY_BYTES = 4096;
const CARD_ERROR_STATUS = 422;

type Handler = (context: { body: Record<string, unknown>; query: URLSearchParams; origin: string | undefined }) => unknown;

interface Route {
  method: 'GET' | 'POST';
  /** Refuse requests without an allowed Origin (everything but /status, which a user may open directly). */
  originRequired: boolean;
  handle: Handler;
}

/** The HTTP status of each refusal: one place, every name. */
function httpStatus(error: HelperErrorName): number {
  switch (error) {
    case 'origin-not-allowed':
    case 'origin-mismatch':
    case 'host-not-allowed':
      return 403;
    case 'bad-request':
      return 400;
    case 'not-found':
      return 404;
    case 'method-not-allowed':
      return 405;
    case 'payload-too-large':
      return 413;
    case 'unsupported-media-type':
      return 415;
    case 'internal':
      return 500;
    case 'card-not-present':
    case 'card-unreadable':
    case 'pin-length':
    case 'pin-incorrect':
    case 'pin-locked':
    case 'card-not-opened':
    case 'helper-unreachable':
    case 'certificate-not-valid-now':
      return CARD_ERROR_STATUS;
  }
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw new HelperError('bad-request', { message: `"${name}" must be a string` });
  return value;
}

function optionalStringField(body: Record<string, unknown>, name: string): string | undefined {
  return body[name] === undefined ? undefined : stringField(body, name);
}

function routes(reader: CardReader): Record<string, Route> {
  return {
    [HELPER_ENDPOINTS.status]: { method: 'GET', originRequired: false, handle: () => reader.status() },
    [HELPER_ENDPOINTS.certificate]: {
      method: 'GET',
      originRequired: true,
      handle: ({ query }) => reader.certificate(query.get('token') ?? undefined),
    },
    [HELPER_ENDPOINTS.sign]: {
      method: 'POST',
      originRequired: true,
      handle: ({ body, origin }) => {
        const request = {
          origin: stringField(body, 'origin'),
          challenge: stringField(body, 'challenge'),
          pin: optionalStringField(body, 'pin'),
          token: optionalStringField(body, 'token'),
        };
        if (request.origin !== origin) throw new HelperError('origin-mismatch', { message: 'The origin to sign for is not the origin of the page' });
        return reader.sign(request);
      },
    },
    [HELPER_ENDPOINTS.pinChange]: {
      method: 'POST',
      originRequired: true,
      handle: ({ body }) =>
        reader.changePin({ token: optionalStringField(body, 'token'), oldPin: stringField(body, 'oldPin'), newPin: stringField(body, 'newPin') }),
    },
    [HELPER_ENDPOINTS.pinUnlock]: {
      method: 'POST',
      originRequired: true,
      handle: ({ body }) =>
        reader.unlockPin({ token: optionalStringField(body, 'token'), puk: stringField(body, 'puk'), newPin: stringField(body, 'newPin') }),
    },
    [HELPER_ENDPOINTS.cardOpen]: {
      method: 'POST',
      originRequired: true,
      handle: ({ body }) => reader.openCard({ token: optionalStringField(body, 'token'), pin: stringField(body, 'pin') }),
    },
  };
}

/** Reads a JSON object body of at most MAX_BODY_BYTES. Parser messages (which quote the body) are dropped. */
function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new HelperError('payload-too-large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        reject(new HelperError('payload-too-large'));
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => reject(new HelperError('bad-request')));
    request.on('end', () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reject(new HelperError('bad-request', { message: 'The body is not valid JSON' }));
        return;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        reject(new HelperError('bad-request', { message: 'The body must be a JSON object' }));
        return;
      }
      resolve(parsed as Record<string, unknown>);
    });
  });
}

function send(response: ServerResponse, status: number, body: unknown, close = false): void {
  const payload = status === 204 ? '' : JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  if (status !== 204) {
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(payload));
  }
  if (close) response.setHeader('Connection', 'close');
  response.end(payload);
}

/**
 * Starts the reader helper on 127.0.0.1: a small JSON API over the card's PKCS#11 module for
 * the pages of the allowed origins. Requests with a Host other than 127.0.0.1/localhost at our
 * port (DNS rebinding) or an Origin not allowed are refused, and CORS headers are only ever
 * given to an allowed origin, never "*".
 */
export async function createReaderHelper(options: ReaderHelperOptions): Promise<ReaderHelper> {
  const reader = new CardReader({ modulePath: options.modulePath, labelPrefix: options.labelPrefix, now: options.now });
  const table = routes(reader);
  const allowedOrigins = new Set(options.allowedOrigins);
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  let allowedHosts = new Set<string>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<{ path: string; error?: HelperError }> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = Object.prototype.hasOwnProperty.call(table, url.pathname) ? table[url.pathname] : undefined;
    // Unknown paths are not logged verbatim: a careless caller could put anything in a URL.
    const path = route ? url.pathname : '(unknown)';
    const refuse = (error: HelperError, close = false) => {
      send(response, httpStatus(error.error), error.toResponse(), close);
      return { path, error };
    };

    if (!allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      return refuse(new HelperError('host-not-allowed', { message: 'Host not allowed' }));
    }
    const origin = request.headers.origin;
    const originAllowed = origin !== undefined && allowedOrigins.has(origin);
    response.setHeader('Vary', 'Origin');
    if (origin !== undefined && !originAllowed) return refuse(new HelperError('origin-not-allowed', { message: 'Origin not allowed' }));
    if (originAllowed) response.setHeader('Access-Control-Allow-Origin', origin);

    if (request.method === 'OPTIONS') {
      if (!originAllowed) return refuse(new HelperError('origin-not-allowed', { message: 'Origin not allowed' }));
      response.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      response.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      response.setHeader('Access-Control-Max-Age', '600');
      // Chrome's Private Network Access: a page on a private address calling loopback.
      if (request.headers['access-control-request-private-network'] === 'true') {
        response.setHeader('Access-Control-Allow-Private-Network', 'true');
      }
      send(response, 204, undefined);
      return { path };
    }
    if (!route) return refuse(new HelperError('not-found', { message: 'Not found' }));
    if (request.method !== route.method) {
      response.setHeader('Allow', `${route.method}, OPTIONS`);
      return refuse(new HelperError('method-not-allowed', { message: 'Method not allowed' }));
    }
    if (route.originRequired && !originAllowed) return refuse(new HelperError('origin-not-allowed', { message: 'Origin not allowed' }));

    try {
      let body: Record<string, unknown> = {};
      if (route.method === 'POST') {
        const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (type !== 'application/json') return refuse(new HelperError('unsupported-media-type', { message: 'Send JSON' }), true);
        body = await readJsonBody(request);
      }
      send(response, 200, route.handle({ body, query: url.searchParams, origin }));
      return { path };
    } catch (error) {
      if (error instanceof HelperError) return refuse(error, error.error === 'payload-too-large');
      return refuse(new HelperError('internal', { message: 'Internal error' }));
    }
  };

  const server = createServer((request, response) => {
    const started = process.hrtime.bigint();
    const finish = (outcome: { path: string; error?: HelperError }) => {
      log(
        JSON.stringify({
          time: new Date().toISOString(),
          msg: 'request',
          method: request.method,
          path: outcome.path,
          status: response.statusCode,
          error: outcome.error?.error,
          code: outcome.error?.code,
          diagnostic: outcome.error?.details.diagnostic,
          durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        }),
      );
    };
    handle(request, response).then(finish, () => {
      if (!response.headersSent) send(response, 500, new HelperError('internal', { message: 'Internal error' }).toResponse());
      finish({ path: '(unknown)', error: new HelperError('internal') });
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_HELPER_PORT, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
