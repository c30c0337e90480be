// One request's flow on the fast engine — the same steps, in the same order, as proxy.ts on
// node:http, with the same router, filters and gateway answers: listener by Host, route, CORS,
// redirect / direct answers, then forward. Forwarding to an HTTP/1.1 cluster runs on the raw
// pool (exchange.ts); requests with mirrors, and requests to h2c or TLS clusters, take the undici path
// of proxy.ts, their body handed over as a stream.

import type { Exchange } from '../exchange.js';
import type { HeaderPairs } from '../filters/cors.js';
import { actualResponseHeaders, isPreflight, preflightHeaders } from '../filters/cors.js';
import { applyHeaderMod } from '../filters/headers.js';
import {
  forwardRequest,
  locationFor,
  pickEndpoint,
  prepareUpstreamRequest,
  type RoutedRequest,
  recordRoute,
  rejectionFor,
} from '../proxy.js';
import { sendDirect, sendPreflight, sendRedirect, sendStatus } from '../respond.js';
import { normalizeHost } from '../router/hostname.js';
import type { BackendTarget } from '../upstream/balancer.js';
import type { Endpoint } from '../upstream/registry.js';
import { BodyStream } from './body-stream.js';
import type { FastConnection } from './connection.js';
import { ProxyExchange, type ResponseEdits } from './exchange.js';
import { headerObject, isProxyOwnedRequestHeader, serializeHeaders } from './head.js';
import { FastMatchRequest, type FastRequest } from './request.js';
import { FastResponse } from './response.js';

/** The entry point: a failure while handling one request answers 500, never throws. */
export function serveFastRequest(connection: FastConnection, request: FastRequest, record: Exchange): void {
  try {
    handleRequest(connection, request, record);
  } catch {
    const res =
      request.exchange instanceof FastResponse ? request.exchange : new FastResponse(connection, request);
    if (res.headersSent) connection.socket.destroy();
    else sendStatus(res, 500);
  }
}

function handleRequest(connection: FastConnection, request: FastRequest, record: Exchange): void {
  const port = connection.config;
  const host = normalizeHost(request.authority);
  const listener = port.listeners.lookup(host);
  const match = listener === undefined ? undefined : new FastMatchRequest(request, host);
  const route = match === undefined ? undefined : listener?.routes.find(match);
  if (listener === undefined || match === undefined || route === undefined) {
    record.rejection = rejectionFor(404);
    answer(connection, request, 404);
    return;
  }
  const routed: RoutedRequest = { listener, match, route, authority: request.authority };
  recordRoute(record, routed);
  const behavior = route.value;
  let cors: HeaderPairs | undefined;
  if (behavior.cors !== undefined) {
    const origin = request.header('origin');
    if (origin !== undefined) {
      const requestMethod = request.header('access-control-request-method');
      if (isPreflight(match.method, origin, requestMethod)) {
        const requested = request.header('access-control-request-headers');
        const headers = preflightHeaders(behavior.cors, origin, requestMethod as string, requested);
        sendPreflight(new FastResponse(connection, request), headers);
        return;
      }
      cors = actualResponseHeaders(behavior.cors, origin);
    }
  }
  const action = behavior.action;
  if (action.type === 'redirect') {
    const location = locationFor(port, routed, action.redirect);
    sendRedirect(new FastResponse(connection, request), action.redirect.statusCode, location);
    return;
  }
  if (action.type === 'direct') {
    sendDirect(new FastResponse(connection, request), action.status, action.body);
    return;
  }
  forward(connection, request, routed, action.backends.pick(Math.random()), cors, record);
}

function forward(
  connection: FastConnection,
  request: FastRequest,
  routed: RoutedRequest,
  backend: BackendTarget | undefined,
  cors: HeaderPairs | undefined,
  record: Exchange,
): void {
  const behavior = routed.route.value;
  if (behavior.mirrors.length > 0 || backend?.cluster?.fastPath === false) {
    forwardViaUndici(connection, request, routed, backend, cors, record);
    return;
  }
  const endpoint = pickEndpoint(backend, record);
  if (typeof endpoint === 'number') {
    answer(connection, request, endpoint);
    return;
  }
  let head: string;
  try {
    head = upstreamHead(connection, request, routed, backend as BackendTarget, endpoint, record.requestId);
  } catch {
    answer(connection, request, 502);
    return;
  }
  const edits: ResponseEdits | undefined =
    behavior.responseHeaders === undefined && backend?.responseHeaders === undefined && cors === undefined
      ? undefined
      : { ruleMod: behavior.responseHeaders, backendMod: backend?.responseHeaders, extra: cors };
  const pool = endpoint.pool;
  if (pool === undefined) {
    answer(connection, request, 502);
    return;
  }
  record.upstreamAddress = endpoint.label;
  new ProxyExchange(connection, request, pool, head, edits, behavior.timeoutMs, record).start();
}

function answer(connection: FastConnection, request: FastRequest, status: number): void {
  sendStatus(new FastResponse(connection, request), status);
}

/**
 * The upstream request head. Without header edits the received headers are copied as they are
 * (hop-by-hop ones left out) and X-Forwarded-* appended; with edits, the header object path shared
 * with the node:http engine applies them. Throws on a header value that cannot be sent.
 */
function upstreamHead(
  connection: FastConnection,
  request: FastRequest,
  routed: RoutedRequest,
  backend: BackendTarget,
  endpoint: Endpoint,
  requestId: string,
): string {
  const behavior = routed.route.value;
  const framing = request.chunked ? 'transfer-encoding: chunked\r\n' : '';
  const address = connection.clientAddress;
  const port = connection.config;
  if (
    behavior.requestHeaders !== undefined ||
    behavior.rewrite !== undefined ||
    backend.requestHeaders !== undefined ||
    request.connectionNames
  ) {
    const source = headerObject(request.raw);
    const { headers, path } = prepareUpstreamRequest(port, source, address, routed, requestId);
    if (backend.requestHeaders !== undefined) applyHeaderMod(backend.requestHeaders, headers);
    if (headers.host === '') headers.host = `${endpoint.address}:${endpoint.port}`;
    return `${request.method} ${path} HTTP/1.1\r\n${serializeHeaders(headers)}${framing}\r\n`;
  }
  const raw = request.raw;
  let head = `${request.method} ${request.url} HTTP/1.1\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!isProxyOwnedRequestHeader(name)) head += `${name}: ${raw[i + 1]}\r\n`;
  }
  const authority = request.authority;
  const forwardedFor =
    address === undefined
      ? request.forwardedFor
      : request.forwardedFor === ''
        ? address
        : `${request.forwardedFor}, ${address}`;
  head += `host: ${authority === '' ? `${endpoint.address}:${endpoint.port}` : authority}\r\n`;
  if (forwardedFor !== '') head += `x-forwarded-for: ${forwardedFor}\r\n`;
  head += `x-forwarded-proto: ${port.scheme}\r\nx-forwarded-host: ${authority}\r\n`;
  return `${head}x-request-id: ${requestId}\r\n${framing}\r\n`;
}

/** Mirrors, h2c and TLS clusters: proxy.ts's undici exchange, the body handed over as a stream. */
function forwardViaUndici(
  connection: FastConnection,
  request: FastRequest,
  routed: RoutedRequest,
  backend: BackendTarget | undefined,
  cors: HeaderPairs | undefined,
  record: Exchange,
): void {
  const res = new FastResponse(connection, request);
  let body: BodyStream | null = null;
  if (request.hasBody) {
    body = new BodyStream(connection);
    request.attachBody(body);
  }
  const source = { headers: headerObject(request.raw), clientAddress: connection.clientAddress, body };
  forwardRequest(connection.config, source, res, routed, backend, cors, record);
}
