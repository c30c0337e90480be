// The node:http / node:http2 side of a request as the router sees it: normalized host, path and
// raw query split once, headers read from Node's lower-cased header object.

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { BaseMatchRequest } from './router/match.js';

export type ClientRequest = IncomingMessage | Http2ServerRequest;

export class NodeMatchRequest extends BaseMatchRequest {
  constructor(
    method: string,
    host: string,
    url: string,
    readonly headers: IncomingHttpHeaders,
  ) {
    const q = url.indexOf('?');
    super(method, host, q === -1 ? url : url.slice(0, q), q === -1 ? '' : url.slice(q + 1));
  }

  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/** Host header, or :authority for HTTP/2. */
export function authorityOf(headers: IncomingHttpHeaders): string | undefined {
  return (headers[':authority'] as string | undefined) ?? headers.host;
}

/** Whether the request carries a body the upstream must receive. */
export function hasBody(req: ClientRequest): boolean {
  if ('stream' in req) return !req.stream.endAfterHeaders;
  const headers = req.headers;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

/** The TLS server name (SNI) the connection was opened with, if any. */
export function serverNameOf(socket: unknown): string | undefined {
  const name = (socket as { servername?: unknown } | null)?.servername;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
