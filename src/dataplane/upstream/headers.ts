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

export interface ClientInfo {
  /** The Host header (or :authority) as received, port included. */
  authority: string;
  /** The client's IP address. */
  address: string | undefined;
  /** The scheme the request arrived with. */
  proto: 'http' | 'https';
}

/** A fresh header object for the upstream request (the caller may modify it freely). */
export function upstreamRequestHeaders(src: IncomingHttpHeaders, client: ClientInfo): HeaderBag {
  const out: HeaderBag = {};
  for (const name in src) {
    if (HOP_BY_HOP.has(name) || name.charCodeAt(0) === 58 /* : */) continue;
    out[name] = src[name];
  }
  const connection = src.connection;
  if (connection !== undefined) dropListed(out, connection);
  out.host = client.authority;
  const forwardedFor = src['x-forwarded-for'];
  out['x-forwarded-for'] =
    client.address === undefined
      ? forwardedFor
      : forwardedFor === undefined
        ? client.address
        : `${forwardedFor}, ${client.address}`;
  out['x-forwarded-proto'] = client.proto;
  out['x-forwarded-host'] = client.authority;
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
