// Responses the gateway writes itself: short text/plain errors, redirects, CORS preflights and
// direct responses. `ClientResponse` is what both node:http's ServerResponse and node:http2's
// compatibility Http2ServerResponse provide. Each helper returns the body bytes it wrote (for the
// exchange record).

import { STATUS_CODES } from 'node:http';
import type { HeaderPairs } from './filters/cors.js';
import type { HeaderBag } from './filters/headers.js';

export interface ClientResponse {
  readonly headersSent: boolean;
  readonly statusCode: number;
  readonly writableEnded: boolean;
  /** ServerResponse only. */
  readonly destroyed?: boolean;
  /** Http2ServerResponse only. */
  readonly stream?: { readonly destroyed: boolean };
  writeHead(status: number, headers?: HeaderBag): unknown;
  write(chunk: Buffer): boolean;
  end(): unknown;
  end(chunk: Buffer | string): unknown;
  destroy(error?: Error): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/** True once nothing more can be written to `res`. */
export function responseClosed(res: ClientResponse): boolean {
  return res.writableEnded || res.destroyed === true || res.stream?.destroyed === true;
}

const errorBodies = new Map<number, Buffer>();

function errorBody(status: number): Buffer {
  let body = errorBodies.get(status);
  if (body === undefined) {
    body = Buffer.from(`${status} ${STATUS_CODES[status] ?? 'Error'}\n`);
    errorBodies.set(status, body);
  }
  return body;
}

/** A short text/plain answer such as `404 Not Found`; a no-op when the response is closed. */
export function sendStatus(res: ClientResponse, status: number): number {
  if (responseClosed(res)) return 0;
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  const body = errorBody(status);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(body.length) });
  res.end(body);
  return body.length;
}

export function sendRedirect(res: ClientResponse, status: number, location: string): number {
  if (responseClosed(res)) return 0;
  res.writeHead(status, { location, 'content-length': '0' });
  res.end();
  return 0;
}

export function sendDirect(res: ClientResponse, status: number, body: Buffer | undefined): number {
  if (responseClosed(res)) return 0;
  if (body === undefined) return sendStatus(res, status);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(body.length) });
  res.end(body);
  return body.length;
}

export function sendPreflight(res: ClientResponse, headers: HeaderPairs): number {
  if (responseClosed(res)) return 0;
  const bag: HeaderBag = { 'content-length': '0' };
  for (const [name, value] of headers) bag[name] = value;
  res.writeHead(200, bag);
  res.end();
  return 0;
}
