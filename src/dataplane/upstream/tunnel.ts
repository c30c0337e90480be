// HTTP/1.1 Upgrade (WebSocket) proxying: the upgrade request is written to a fresh connection to
// the endpoint, then both sockets are piped into each other. The upstream's answer (101 or an
// error status) reaches the client byte for byte. A failure to reach the upstream answers 502 and
// is recorded on the exchange.

import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HeaderBag } from '../filters/headers.js';
import type { ExchangeRecord } from '../types.js';
import { upstreamErrorKind } from './errors.js';
import type { Endpoint } from './registry.js';

const CONNECT_TIMEOUT_MS = 10_000;

export interface UpgradeRequest {
  method: string;
  path: string;
  /** Upstream headers (hop-by-hop already removed); Connection/Upgrade are added here. */
  headers: HeaderBag;
  upgrade: string;
}

export function openTunnel(
  client: Duplex,
  head: Buffer,
  endpoint: Endpoint,
  request: UpgradeRequest,
  record: ExchangeRecord,
): void {
  const upstream: Socket = connect({ host: endpoint.address, port: endpoint.port });
  const started = performance.now();
  upstream.setTimeout(CONNECT_TIMEOUT_MS);
  upstream.once('timeout', () =>
    upstream.destroy(
      Object.assign(new Error('upstream connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
    ),
  );
  upstream.once('connect', () => {
    record.upstreamMs = performance.now() - started;
    upstream.setTimeout(0);
    upstream.setNoDelay(true);
    upstream.write(serializeHead(request));
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (err) => {
    record.errorKind = upstreamErrorKind(err);
    if (upstream.connecting || upstream.bytesRead === 0) {
      record.status = 502;
      writeRawStatus(client, 502);
    }
    client.destroy();
  });
  client.on('error', () => upstream.destroy());
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
}

const UNSAFE_VALUE = /[\r\n\0]/;

function serializeHead(request: UpgradeRequest): string {
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const name in request.headers) {
    const value = request.headers[name];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (!UNSAFE_VALUE.test(v)) head += `${name}: ${v}\r\n`;
    }
  }
  return `${head}connection: upgrade\r\nupgrade: ${request.upgrade}\r\n\r\n`;
}

/** A minimal HTTP/1.1 response on a raw (not yet upgraded) client socket. */
export function writeRawStatus(client: Duplex, status: number, extra = ''): void {
  if (client.destroyed || !client.writable) return;
  const body = `${status}\n`;
  client.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${extra}content-type: text/plain\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
  );
}
