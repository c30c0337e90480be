// HTTP/1.1 Upgrade requests. WebSocket upgrades are routed exactly like other requests
// (listener, route, request header modifier, URL rewrite, weighted backend, endpoint), then
// tunnelled; gateway answers (404, 421, redirects, direct responses, 5xx) are written on the raw
// socket. Other upgrades (such as `h2c` from `curl --http2`) are ignored, as RFC 9110 allows: the
// request is served as a plain HTTP/1.1 request on a connection that closes afterwards.

import { type IncomingHttpHeaders, type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CompiledPort } from './config/types.js';
import { applyHeaderMod } from './filters/headers.js';
import { locationFor, pickEndpoint, prepareUpstreamRequest, routeRequest, serveRequest } from './proxy.js';
import { openTunnel, writeRawStatus } from './upstream/tunnel.js';

/** What routing a WebSocket upgrade reads from its request (an IncomingMessage has it). */
export interface UpgradeRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/** The upgrade entry point: a failure while handling one upgrade answers 500, never throws. */
export function serveUpgrade(port: CompiledPort, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
    serveWithoutUpgrade(port, req, socket);
    return;
  }
  serveWebSocket(port, req, socket, head);
}

/** Routes and tunnels a WebSocket upgrade (the fast engine's entry point too). */
export function serveWebSocket(port: CompiledPort, req: UpgradeRequest, socket: Duplex, head: Buffer): void {
  try {
    handleUpgrade(port, req, socket, head);
  } catch {
    writeRawStatus(socket, 500);
  }
}

/** Answers an upgrade request as an ordinary request; node:http no longer parses this socket. */
function serveWithoutUpgrade(port: CompiledPort, req: IncomingMessage, socket: Duplex): void {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => socket.end());
  res.once('close', () => res.detachSocket(socket as Socket));
  serveRequest(port, req, res);
}

function handleUpgrade(port: CompiledPort, req: UpgradeRequest, socket: Duplex, head: Buffer): void {
  const routed = routeRequest(port, req.method ?? 'GET', req.url ?? '/', req.headers, req.socket);
  if (typeof routed === 'number') {
    writeRawStatus(socket, routed);
    return;
  }
  const behavior = routed.route.value;
  const action = behavior.action;
  if (action.type === 'redirect') {
    const location = locationFor(port, routed, action.redirect);
    writeRawStatus(socket, action.redirect.statusCode, `location: ${location}\r\n`);
    return;
  }
  if (action.type === 'direct') {
    writeRawStatus(socket, action.status);
    return;
  }
  const { headers, path } = prepareUpstreamRequest(port, req.headers, req.socket.remoteAddress, routed);
  const backend = action.backends.pick(Math.random());
  const endpoint = pickEndpoint(backend);
  if (typeof endpoint === 'number') {
    writeRawStatus(socket, endpoint);
    return;
  }
  if (backend?.cluster?.protocol === 'h2c') {
    writeRawStatus(socket, 502);
    return;
  }
  if (backend?.requestHeaders !== undefined) applyHeaderMod(backend.requestHeaders, headers);
  openTunnel(socket, head, endpoint, {
    method: routed.match.method,
    path,
    headers,
    upgrade: req.headers.upgrade ?? 'websocket',
  });
}
