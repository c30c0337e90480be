/**
 * Writing responses the way the upstream Go handlers do, on either a Node HTTP/1 or HTTP/2
 * response: a fixed body with an explicit Content-Length, header names kept in the case they were
 * given (HTTP/1 sorts them, as Go's `Header.Write` does), the JSON error body of `processError`,
 * and the abrupt endings Go produces by panicking or hijacking (a TCP RST, or RST_STREAM on HTTP/2).
 */
import { type ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import { type Http2ServerResponse, constants as http2Constants } from 'node:http2';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { goJson, trimGoSpace } from './go-http.js';
import { type EchoRequest, isHttp2 } from './request-info.js';

export type EchoResponse = ServerResponse | Http2ServerResponse;

/** Headers an HTTP/2 response may not carry; Node throws on them, Go drops them. */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

/** Statuses that never carry a body, so Go sends no Content-Length with them. */
function hasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

function isWritableHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

function byName([a]: [string, string], [b]: [string, string]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sends a complete response; `headers` keeps exact-case names, like Go's header map. */
export function send(
  res: EchoResponse,
  status: number,
  headers: Iterable<[string, string]>,
  body: string | Buffer = '',
): void {
  const payload = Buffer.from(body);
  const pairs = [...headers]
    .map(([name, value]): [string, string] => [name, trimGoSpace(value)])
    .filter(([name, value]) => isWritableHeader(name, value))
    .sort(byName);
  if (!hasNoBody(status)) pairs.push(['Content-Length', String(payload.length)]);
  if ('stream' in res) {
    res.writeHead(status, http2HeaderObject(pairs));
  } else {
    res.writeHead(status, pairs.flat());
  }
  res.end(payload);
}

function http2HeaderObject(pairs: Array<[string, string]>): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(key)) continue;
    headers[key] = [...(headers[key] ?? []), value];
  }
  return headers;
}

/** Go's `processError`: a compact JSON `{"message": ...}` body with the given status. */
export function sendError(res: EchoResponse, error: unknown, status: number): void {
  const message = error instanceof Error ? error.message : String(error);
  send(
    res,
    status,
    [
      ['Content-Type', 'application/json'],
      ['X-Content-Type-Options', 'nosniff'],
    ],
    goJson({ message }),
  );
}

/** A plain-text body; Go sniffs `text/plain; charset=utf-8` for these. */
export function sendText(
  res: EchoResponse,
  status: number,
  text: string,
  extra: Array<[string, string]> = [],
): void {
  send(res, status, [['Content-Type', 'text/plain; charset=utf-8'], ...extra], text);
}

/**
 * Ends the exchange without a response: a TCP reset on HTTP/1 (SO_LINGER 0 upstream), and
 * RST_STREAM(INTERNAL_ERROR) on HTTP/2, where Go cannot hijack the connection.
 */
export function abortExchange(req: EchoRequest): void {
  if (isHttp2(req)) {
    req.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const socket = req.socket;
  if (!(socket instanceof TLSSocket)) {
    socket.resetAndDestroy();
    return;
  }
  // A TLS socket sits on a TCP socket (Node's private `_parent`). Node's own resetAndDestroy()
  // marks the TCP socket with `resetAndClosing` and destroys it; setting the mark and then
  // destroying the TLS socket sends the RST too, and keeps the HTTP server's connection list
  // consistent (resetting the TCP socket first leaves a stale entry that crashes server.close()).
  const tcp = (socket as TLSSocket & { _parent?: Socket | null })._parent;
  if (tcp) (tcp as Socket & { resetAndClosing?: boolean }).resetAndClosing = true;
  socket.destroy();
}
