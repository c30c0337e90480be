// HTTP/1.1 Upgrade requests (WebSocket): routed exactly like other requests (listener, route,
// request header modifier, URL rewrite, weighted backend, endpoint), then tunnelled. Gateway
// answers (404, 421, redirects, direct responses, 5xx) are written on the raw socket.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CompiledPort } from './config/types.js';
import { applyHeaderMod } from './filters/headers.js';
import { locationFor, pickEndpoint, prepareUpstreamRequest, routeRequest } from './proxy.js';
import { openTunnel, writeRawStatus } from './upstream/tunnel.js';

/** The upgrade entry point: a failure while handling one upgrade answers 500, never throws. */
export function serveUpgrade(port: CompiledPort, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  try {
    handleUpgrade(port, req, socket, head);
  } catch {
    writeRawStatus(socket, 500);
  }
}

function handleUpgrade(port: CompiledPort, req: IncomingMessage, socket: Duplex, head: Buffer): void {
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
