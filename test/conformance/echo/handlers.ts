/**
 * The echo server's request handlers and its router. The HTTP and HTTPS ports route like upstream's
 * `preserveSlashes` wrapper around a Go `ServeMux`: `//` is collapsed, a path with `.`/`..` gets a
 * 301 to its cleaned form, `/status` and `/retry` get a 301 to their trailing-slash subtree, then
 * `/health`, `/status/NNN`, `/retry/…`, `/ws` and everything else (the JSON echo). The h2c port
 * has no router: HTTP/2 requests are echoed whatever their path, anything else gets 400.
 */
import { goDurationMillis } from './go-duration.js';
import {
  bytesToUtf8,
  cleanPath,
  escapeGoPath,
  goJson,
  goRemoteAddr,
  goUnescape,
  parseGoQuery,
} from './go-http.js';
import {
  type EchoContext,
  type EchoRequest,
  headerValues,
  isHttp2,
  requestAssertions,
  requestUri,
} from './request-info.js';
import { abortExchange, type EchoResponse, send, sendError, sendText } from './respond.js';

/** What the handlers share for the lifetime of one echo server. */
export interface EchoRuntime {
  context: EchoContext;
  /** The `httpPort` field of every echo body (upstream reports `$HTTP_PORT`). */
  httpPort: string;
  /** SHA-256 fingerprints of the client CAs, left out of reported peer chains. */
  trustedCaFingerprints: ReadonlySet<string>;
  /** Writes one line of the server's stdout. */
  log(line: string): void;
  /** A timer that the server cancels when it closes. */
  sleep(ms: number): Promise<void>;
  /** `/retry/` attempts seen so far, per uuid. */
  retryAttempts: Map<string, number>;
}

/** How a request on the HTTP/HTTPS ports is served. */
export type Route =
  | { kind: 'bad-request' }
  | { kind: 'redirect'; location: string }
  | { kind: 'health' | 'ws' | 'status' | 'retry' | 'echo' };

/** Whether the request body can still be read (not for an Upgrade request the server handed over). */
export interface ServeOptions {
  bodyAvailable: boolean;
}

const MAX_FORM_BYTES = 10 << 20;
const ABSOLUTE_FORM_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
const SUBTREES = new Set(['/status', '/retry']);

function splitTarget(uri: string): { rawPath: string; rawQuery: string } {
  const target = uri.replace(ABSOLUTE_FORM_PREFIX, '');
  const q = target.indexOf('?');
  return q < 0
    ? { rawPath: target, rawQuery: '' }
    : { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

/** Decides how upstream's mux would serve a request target. */
export function routeRequest(uri: string): Route {
  if (uri === '*') return { kind: 'bad-request' };
  const { rawPath, rawQuery } = splitTarget(uri);
  const decoded = goUnescape(rawPath, false);
  if (decoded === undefined) return { kind: 'bad-request' };
  const path = decoded.replaceAll('//', '/');
  const cleaned = cleanPath(path);
  const target = SUBTREES.has(cleaned) ? cleaned + '/' : cleaned;
  if (target !== path) {
    return { kind: 'redirect', location: escapeGoPath(target) + (rawQuery ? '?' + rawQuery : '') };
  }
  if (path === '/health') return { kind: 'health' };
  if (path === '/ws') return { kind: 'ws' };
  if (path.startsWith('/status/')) return { kind: 'status' };
  if (path.startsWith('/retry/')) return { kind: 'retry' };
  return { kind: 'echo' };
}

/** The handler of the HTTP and HTTPS ports. */
export function serveHttp(rt: EchoRuntime, req: EchoRequest, res: EchoResponse, options: ServeOptions): void {
  const route = routeRequest(requestUri(req));
  run(res, rt, () => {
    switch (route.kind) {
      case 'bad-request':
        return sendText(res, 400, '400 Bad Request', [['Connection', 'close']]);
      case 'redirect':
        return redirect(req, res, route.location);
      case 'health':
        return sendText(res, 200, 'OK');
      case 'status':
        return serveStatus(req, res);
      case 'retry':
        return serveRetry(rt, req, res, options);
      case 'ws':
        return serveWebSocketWithoutUpgrade(req, res);
      case 'echo':
        return serveEcho(rt, req, res, options);
    }
  });
}

/** The handler of the h2c port. */
export function serveH2c(rt: EchoRuntime, req: EchoRequest, res: EchoResponse, options: ServeOptions): void {
  run(res, rt, () => {
    if (!isHttp2(req) && headerValues(req, 'Upgrade')[0] !== 'h2c') {
      return sendText(res, 400, 'Expected h2c request');
    }
    return serveEcho(rt, req, res, options);
  });
}

function run(res: EchoResponse, rt: EchoRuntime, handle: () => void | Promise<void>): void {
  Promise.resolve()
    .then(handle)
    .catch((error: unknown) => {
      rt.log(`echo handler failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendError(res, error, 500);
    });
}

/** Go's `http.Redirect` with 301. */
function redirect(req: EchoRequest, res: EchoResponse, location: string): void {
  const headers: Array<[string, string]> = [['Location', location]];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 301, headers);
    return;
  }
  const href = location.replace(/[&'<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  headers.push(['Content-Type', 'text/html; charset=utf-8']);
  send(res, 301, headers, `<a href="${href}">Moved Permanently</a>.\n\n`);
}

/**
 * `/status/NNN` answers NNN; the whole RequestURI must match, so a query string gives 400.
 * A code below 100 makes Go panic and drop the connection. Go sends a 1xx code as an
 * informational response followed by 200; Node cannot send arbitrary 1xx, so only the 200 is sent.
 */
function serveStatus(req: EchoRequest, res: EchoResponse): void {
  const match = /^\/status\/(\d\d\d)$/.exec(requestUri(req));
  const code = match ? Number(match[1]) : 400;
  if (code < 100) abortExchange(req);
  else send(res, code < 200 ? 200 : code, []);
}

/** A plain request to `/ws`: x/net/websocket rejects the handshake (HTTP/2 cannot be hijacked). */
function serveWebSocketWithoutUpgrade(req: EchoRequest, res: EchoResponse): void {
  if (isHttp2(req)) abortExchange(req);
  else send(res, 400, [['Connection', 'close']], 'not websocket protocol');
}

/** The lines Go's `echoHandler` prints and the echo body it writes. */
async function serveEcho(rt: EchoRuntime, req: EchoRequest, res: EchoResponse, options: ServeOptions) {
  const remote = goRemoteAddr(req.socket.remoteAddress, req.socket.remotePort);
  rt.log(`Echoing back request made to ${bytesToUtf8(requestUri(req))} to client (${remote})`);
  const delay = await formValue(req, 'delay', options);
  if (delay !== '') {
    let millis: number;
    try {
      millis = goDurationMillis(delay);
    } catch (error) {
      return sendError(res, error, 500);
    }
    await rt.sleep(millis);
  }
  const body = goJson(requestAssertions(req, rt.context, rt.httpPort, rt.trustedCaFingerprints), ' ');
  const headers = echoSetHeaders(req);
  headers.set('Content-Type', 'application/json');
  headers.set('X-Content-Type-Options', 'nosniff');
  send(res, 200, headers, body);
}

/**
 * `X-Echo-Set-Header: Name:Value,Name2:Value2` becomes response headers. Names keep their case
 * (Go writes straight into the header map) and a repeated name gets `,value` appended. Framing
 * headers are not taken: Go would fail the write, and Node would send a broken response.
 */
export function echoSetHeaders(req: EchoRequest): Map<string, string> {
  const headers = new Map<string, string>();
  for (const list of headerValues(req, 'X-Echo-Set-Header')) {
    for (const pair of list.split(',')) {
      const trimmed = pair.trim();
      const colon = trimmed.indexOf(':');
      const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
      const value = colon < 0 ? '' : trimmed.slice(colon + 1);
      if (/^(content-length|transfer-encoding)$/i.test(name)) continue;
      const previous = headers.get(name);
      headers.set(name, previous === undefined ? value : `${previous},${value.trim()}`);
    }
  }
  return headers;
}

/**
 * Go's `Request.FormValue`: a urlencoded POST/PUT/PATCH body first, then the query string.
 * (Multipart bodies, which Go also parses here, are not supported.)
 */
async function formValue(req: EchoRequest, name: string, options: ServeOptions): Promise<string> {
  const fromBody = options.bodyAvailable && hasFormBody(req) ? await readForm(req) : undefined;
  const bodyValue = fromBody?.get(name)?.[0];
  if (bodyValue !== undefined) return bodyValue;
  return parseGoQuery(splitTarget(requestUri(req)).rawQuery).get(name)?.[0] ?? '';
}

function hasFormBody(req: EchoRequest): boolean {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    ['POST', 'PUT', 'PATCH'].includes(req.method ?? '') && mediaType === 'application/x-www-form-urlencoded'
  );
}

/** Reads a urlencoded body; past Go's 10 MiB limit the body form is ignored, as Go does. */
async function readForm(req: EchoRequest): Promise<Map<string, string[]> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return parseGoQuery(Buffer.concat(chunks).toString('latin1'));
}

/**
 * `/retry/?uuid=U&succeedAfter=N[&responseCode=C][&delayRetry=D]`: the first N requests for U
 * fail, after waiting D if given: with status C, or by resetting the connection when no C is
 * given. Later requests for U are echoed. Bad parameters get 400.
 */
async function serveRetry(rt: EchoRuntime, req: EchoRequest, res: EchoResponse, options: ServeOptions) {
  let plan: RetryPlan;
  try {
    plan = parseRetryPlan(splitTarget(requestUri(req)).rawQuery);
  } catch (error) {
    return sendError(res, error, 400);
  }
  const attempt = (rt.retryAttempts.get(plan.uuid) ?? 0) + 1;
  rt.retryAttempts.set(plan.uuid, attempt);
  if (attempt > plan.succeedAfter) return serveEcho(rt, req, res, options);
  if (plan.delayMillis > 0) await rt.sleep(plan.delayMillis);
  if (plan.responseCode === undefined) return abortExchange(req);
  send(res, plan.responseCode, []);
}

interface RetryPlan {
  uuid: string;
  succeedAfter: number;
  responseCode?: number;
  delayMillis: number;
}

export function parseRetryPlan(rawQuery: string): RetryPlan {
  const query = parseGoQuery(rawQuery);
  const param = (key: string) => query.get(key)?.[0] ?? '';
  const uuid = param('uuid');
  if (uuid === '') throw new Error('missing required query parameter "uuid"');
  const succeedAfter = param('succeedAfter') || '0';
  if (!/^\d+$/.test(succeedAfter)) throw new Error(`invalid succeedAfter ${JSON.stringify(succeedAfter)}`);
  const code = param('responseCode');
  if (code !== '' && !/^[1-9]\d\d$/.test(code))
    throw new Error(`invalid responseCode ${JSON.stringify(code)}`);
  const delay = param('delayRetry');
  return {
    uuid,
    succeedAfter: Number(succeedAfter),
    ...(code === '' ? {} : { responseCode: Number(code) }),
    delayMillis: delay === '' ? 0 : goDurationMillis(delay),
  };
}
