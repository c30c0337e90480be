// HTTP/1.1 Upgrade requests. WebSocket upgrades are routed exactly like other requests
// (listener, route, request header modifier, URL rewrite, weighted backend, endpoint), then
// tunnelled; gateway answers (404, 421, redirects, direct responses, 5xx) are written on the raw
// socket. Other upgrades (such as `h2c` from `curl --http2`) are ignored, as RFC 9110 allows: the
// request is served as a plain HTTP/1.1 request on a connection that closes afterwards.
// A WebSocket upgrade is one exchange record, completed when its client socket closes: status 101
// once the tunnel is open (the upstream's own answer is relayed, not parsed), bytes as counted on
// the client socket.

import { type IncomingHttpHeaders, type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CompiledPort } from './config/types.js';
import type { Exchange, ExchangeSet } from './exchange.js';
import { applyHeaderMod } from './filters/headers.js';
import {
  locationFor,
  pickEndpoint,
  prepareUpstreamRequest,
  recordRoute,
  rejectionFor,
  routeRequest,
  serveRequest,
} from './proxy.js';
import { openTunnel, writeRawStatus } from './upstream/tunnel.js';

/** What routing a WebSocket upgrade reads from its request (an IncomingMessage has it). */
export interface UpgradeRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/** The upgrade entry point: a failure while handling one upgrade answers 500, never throws. */
export function serveUpgrade(
  port: CompiledPort,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  exchanges: ExchangeSet,
): void {
  socket.on('error', () => socket.destroy());
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
    serveWithoutUpgrade(port, req, socket, exchanges);
    return;
  }
  serveWebSocket(port, req, socket, head, exchanges);
}

/** Routes and tunnels a WebSocket upgrade (the fast engine's entry point too). */
export function serveWebSocket(
  port: CompiledPort,
  req: UpgradeRequest,
  socket: Duplex,
  head: Buffer,
  exchanges: ExchangeSet,
): void {
  const exchange = exchanges.beginUpgrade(port.gateway, req, socket);
  try {
    handleUpgrade(port, req, socket, head, exchange);
  } catch {
    answer(socket, exchange, 500);
  }
}

/** Answers an upgrade request as an ordinary request; node:http no longer parses this socket. */
function serveWithoutUpgrade(
  port: CompiledPort,
  req: IncomingMessage,
  socket: Duplex,
  exchanges: ExchangeSet,
) {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => socket.end());
  res.once('close', () => res.detachSocket(socket as Socket));
  serveRequest(port, req, res, exchanges);
}

function answer(socket: Duplex, exchange: Exchange, status: number, extra?: string): void {
  exchange.status = status;
  writeRawStatus(socket, status, extra);
}

function handleUpgrade(
  port: CompiledPort,
  req: UpgradeRequest,
  socket: Duplex,
  head: Buffer,
  exchange: Exchange,
): void {
  const routed = routeRequest(port, exchange.method, exchange.path, req.headers, req.socket);
  if (typeof routed === 'number') {
    exchange.rejection = rejectionFor(routed);
    answer(socket, exchange, routed);
    return;
  }
  recordRoute(exchange, routed);
  const behavior = routed.route.value;
  const action = behavior.action;
  if (action.type === 'redirect') {
    const location = locationFor(port, routed, action.redirect);
    answer(socket, exchange, action.redirect.statusCode, `location: ${location}\r\n`);
    return;
  }
  if (action.type === 'direct') {
    answer(socket, exchange, action.status);
    return;
  }
  const { headers, path } = prepareUpstreamRequest(
    port,
    req.headers,
    req.socket.remoteAddress,
    routed,
    exchange.requestId,
  );
  const backend = action.backends.pick(Math.random());
  const endpoint = pickEndpoint(backend, exchange);
  if (typeof endpoint === 'number') {
    answer(socket, exchange, endpoint);
    return;
  }
  // Tunnels are plain HTTP/1.1 only: never to h2c clusters, never in clear text to TLS ones.
  if (backend?.cluster?.fastPath === false) {
    answer(socket, exchange, 502);
    return;
  }
  if (backend?.requestHeaders !== undefined) applyHeaderMod(backend.requestHeaders, headers);
  exchange.status = 101;
  exchange.upstreamAddress = endpoint.label;
  openTunnel(
    socket,
    head,
    endpoint,
    { method: routed.match.method, path, headers, upgrade: req.headers.upgrade ?? 'websocket' },
    exchange,
  );
}
