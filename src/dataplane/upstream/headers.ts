// Header hygiene between client and upstream: hop-by-hop headers (RFC 9110 §7.6.1: Connection and
// the names it lists, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade) never
// cross the proxy; HTTP/2 pseudo-headers stay on their side; X-Forwarded-For/-Proto/-Host describe
// the client. `Expect` is dropped too: the client side already answered `100-continue`.

import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderBag } from '../filters/headers.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'expect',
  'host',
]);

/**
 * A fresh header object for the upstream request (the caller may modify it freely). `authority`
 * is the Host (or :authority) as received, `address` the client's IP, `proto` its scheme.
 */
export function upstreamRequestHeaders(
  src: IncomingHttpHeaders,
  authority: string,
  address: string | undefined,
  proto: 'http' | 'https',
): HeaderBag {
  const out: HeaderBag = {};
  for (const name in src) {
    if (HOP_BY_HOP.has(name) || name.charCodeAt(0) === 58 /* : */) continue;
    out[name] = src[name];
  }
  const connection = src.connection;
  if (connection !== undefined) dropListed(out, connection);
  out.host = authority;
  const forwardedFor = src['x-forwarded-for'];
  out['x-forwarded-for'] =
    address === undefined
      ? forwardedFor
      : forwardedFor === undefined
        ? address
        : `${forwardedFor}, ${address}`;
  out['x-forwarded-proto'] = proto;
  out['x-forwarded-host'] = authority;
  return out;
}

/** Removes hop-by-hop headers from an upstream response header object, in place. */
export function stripResponseHopByHop(headers: HeaderBag): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    dropListed(headers, Array.isArray(connection) ? connection.join(',') : connection);
  }
  for (const name of RESPONSE_HOP_BY_HOP) {
    if (headers[name] !== undefined) delete headers[name];
  }
}

const RESPONSE_HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

function dropListed(headers: HeaderBag, connection: string): void {
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'host' && headers[name] !== undefined) delete headers[name];
  }
}
