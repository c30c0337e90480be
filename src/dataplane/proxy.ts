// One request's flow on the node:http engine. Order (fixed, and the order the IR documents):
//   1. listener: the most specific listener of the port whose hostname matches the Host
//      (HTTPS: 421 when it is not the listener the TLS SNI selected); none → 404;
//   2. route: that listener's route index (host specificity, then precedence); none → 404;
//   3. CORS: a preflight is answered here; an actual request's CORS headers are kept for later;
//   4. action redirect / direct: answered here;
//   5. forward: upstream headers (hop-by-hop removed, X-Forwarded-*), the rule's request header
//      modifier, URL rewrite (Host, path), mirrors (sampled, fire-and-forget), weighted backend
//      choice (invalid share → its status), the backend's request header modifier, round-robin
//      endpoint (none → 503), then the exchange (response: rule modifier, backend modifier, CORS).
// Each request's Exchange (exchange.ts) records what happened; its X-Request-Id goes upstream.

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RedirectActionIR } from '../ir/types.js';
import type { CompiledListener, CompiledPort, RouteBehavior } from './config/types.js';
import type { Exchange, ExchangeSet } from './exchange.js';
import { actualResponseHeaders, type HeaderPairs, isPreflight, preflightHeaders } from './filters/cors.js';
import { applyHeaderMod, type HeaderBag } from './filters/headers.js';
import { shouldMirror } from './filters/mirror.js';
import { redirectLocation } from './filters/redirect.js';
import { modifyPath, withQuery } from './filters/rewrite.js';
import { authorityOf, type ClientRequest, hasBody, NodeMatchRequest, serverNameOf } from './request.js';
import { type ClientResponse, sendDirect, sendPreflight, sendRedirect, sendStatus } from './respond.js';
import { normalizeHost } from './router/hostname.js';
import type { BaseMatchRequest } from './router/match.js';
import type { RouteEntry } from './router/path-index.js';
import type { BackendTarget } from './upstream/balancer.js';
import { forward } from './upstream/forward.js';
import { upstreamRequestHeaders } from './upstream/headers.js';
import { sendMirror, teeBody } from './upstream/mirror.js';
import type { Endpoint } from './upstream/registry.js';

export interface RoutedRequest {
  readonly listener: CompiledListener;
  readonly match: BaseMatchRequest;
  readonly route: RouteEntry<RouteBehavior>;
  readonly authority: string;
}

/** Steps 1–2, shared with upgrades: the route for a request, or the status to answer with. */
export function routeRequest(
  port: CompiledPort,
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  socket: unknown,
): RoutedRequest | number {
  const authority = authorityOf(headers) ?? '';
  const host = normalizeHost(authority);
  const listener = port.listeners.lookup(host);
  if (port.protocol === 'HTTPS') {
    const serverName = serverNameOf(socket);
    if (serverName !== undefined && port.listeners.lookup(normalizeHost(serverName)) !== listener) return 421;
  }
  if (listener === undefined) return 404;
  const match = new NodeMatchRequest(method, host, url, headers);
  const route = listener.routes.find(match);
  if (route === undefined) return 404;
  return { listener, match, route, authority };
}

/** The request entry point: a failure while handling one request answers 500, never throws. */
export function serveRequest(
  port: CompiledPort,
  req: ClientRequest,
  res: ClientResponse,
  exchanges: ExchangeSet,
): void {
  const exchange = exchanges.begin(port.gateway, req, res);
  try {
    handleRequest(port, req, res, exchange);
  } catch {
    try {
      exchange.bytesOut = sendStatus(res, 500);
    } catch {
      res.destroy();
    }
  }
}

function handleRequest(
  port: CompiledPort,
  req: ClientRequest,
  res: ClientResponse,
  exchange: Exchange,
): void {
  const routed = routeRequest(port, exchange.method, exchange.path, req.headers, req.socket);
  if (typeof routed === 'number') {
    exchange.rejection = rejectionFor(routed);
    exchange.bytesOut = sendStatus(res, routed);
    return;
  }
  recordRoute(exchange, routed);
  const behavior = routed.route.value;
  let corsHeaders: HeaderPairs | undefined;
  const origin = req.headers.origin;
  if (behavior.cors !== undefined && origin !== undefined) {
    const requestMethod = req.headers['access-control-request-method'] as string | undefined;
    if (isPreflight(routed.match.method, origin, requestMethod)) {
      const requested = req.headers['access-control-request-headers'] as string | undefined;
      sendPreflight(res, preflightHeaders(behavior.cors, origin, requestMethod as string, requested));
      return;
    }
    corsHeaders = actualResponseHeaders(behavior.cors, origin);
  }
  const action = behavior.action;
  if (action.type === 'redirect') {
    sendRedirect(res, action.redirect.statusCode, locationFor(port, routed, action.redirect));
  } else if (action.type === 'direct') {
    exchange.bytesOut = sendDirect(res, action.status, action.body);
  } else {
    const source = {
      headers: req.headers,
      clientAddress: req.socket.remoteAddress,
      body: hasBody(req) ? req : null,
    };
    forwardRequest(port, source, res, routed, action.backends.pick(Math.random()), corsHeaders, exchange);
  }
}

/** The request as the undici exchange reads it. */
export interface ForwardSource {
  readonly headers: IncomingHttpHeaders;
  readonly clientAddress: string | undefined;
  /** null when the request has no body. */
  readonly body: Readable | null;
}

/** Step 5 on undici (mirrors, then the exchange) for the chosen backend; the fast engine's too. */
export function forwardRequest(
  port: CompiledPort,
  source: ForwardSource,
  res: ClientResponse,
  routed: RoutedRequest,
  backend: BackendTarget | undefined,
  corsHeaders: HeaderPairs | undefined,
  exchange: Exchange,
): void {
  const behavior = routed.route.value;
  const { headers, path } = prepareUpstreamRequest(
    port,
    source.headers,
    source.clientAddress,
    routed,
    exchange.requestId,
  );
  let body = source.body;
  if (behavior.mirrors.length > 0) body = mirrorRequest(behavior, routed.match.method, path, headers, body);
  const endpoint = pickEndpoint(backend, exchange);
  if (typeof endpoint === 'number') {
    exchange.bytesOut = sendStatus(res, endpoint);
    return;
  }
  if (backend?.requestHeaders !== undefined) applyHeaderMod(backend.requestHeaders, headers);
  forward(
    res,
    endpoint,
    {
      method: routed.match.method,
      path,
      headers,
      body,
      responseMods: [behavior.responseHeaders, backend?.responseHeaders],
      extraHeaders: corsHeaders,
      timeoutMs: behavior.timeoutMs,
    },
    exchange,
  );
}

/** The router's status (404 or 421) as a rejection reason. */
export function rejectionFor(status: number): 'no_route' | 'misdirected' {
  return status === 421 ? 'misdirected' : 'no_route';
}

export function recordRoute(exchange: Exchange, routed: RoutedRequest): void {
  const behavior = routed.route.value;
  exchange.listener = routed.listener.name;
  exchange.route = behavior.route;
  exchange.rule = behavior.rule;
  exchange.target = behavior;
}

/** The Location of a redirect answered on `port` for `routed`. */
export function locationFor(port: CompiledPort, routed: RoutedRequest, redirect: RedirectActionIR): string {
  const { match } = routed;
  return redirectLocation(redirect, {
    scheme: port.scheme,
    host: match.host,
    listenerPort: port.port,
    path: match.path,
    query: match.query,
    prefix: routed.route.value.prefix,
  });
}

/**
 * Headers and path for the upstream, after the request header modifier and URL rewrite. The
 * request id is set before the modifier, so a route may still change or remove it.
 */
export function prepareUpstreamRequest(
  port: CompiledPort,
  source: IncomingHttpHeaders,
  clientAddress: string | undefined,
  routed: RoutedRequest,
  requestId: string,
): { headers: HeaderBag; path: string } {
  const behavior = routed.route.value;
  const headers = upstreamRequestHeaders(source, routed.authority, clientAddress, port.scheme);
  headers['x-request-id'] = requestId;
  if (behavior.requestHeaders !== undefined) applyHeaderMod(behavior.requestHeaders, headers);
  const { match } = routed;
  let path = match.path;
  const rewrite = behavior.rewrite;
  if (rewrite !== undefined) {
    if (rewrite.hostname !== undefined) headers.host = rewrite.hostname;
    if (rewrite.path !== undefined) path = modifyPath(rewrite.path, path, behavior.prefix);
  }
  return { headers, path: withQuery(path, match.query) };
}

/**
 * The endpoint for the chosen backend, or the status to answer with (500 invalid, 503 none).
 * An invalid backend is a policy rejection; the chosen cluster is recorded.
 */
export function pickEndpoint(backend: BackendTarget | undefined, exchange: Exchange): Endpoint | number {
  if (backend === undefined || backend.cluster === undefined) {
    exchange.rejection = 'invalid_backend';
    return backend?.invalidStatus ?? 500;
  }
  exchange.backend = backend.cluster.name;
  return backend.cluster.pick() ?? 503;
}

/** Sends the sampled mirror copies; returns the body the main request must read instead. */
function mirrorRequest(
  behavior: RouteBehavior,
  method: string,
  path: string,
  headers: HeaderBag,
  body: Readable | null,
): Readable | null {
  const endpoints: Endpoint[] = [];
  for (const mirror of behavior.mirrors) {
    if (!shouldMirror(mirror.numerator, mirror.denominator, Math.random())) continue;
    const endpoint = mirror.cluster.pick();
    if (endpoint !== undefined) endpoints.push(endpoint);
  }
  if (endpoints.length === 0) return body;
  const tee = body === null ? undefined : teeBody(body, endpoints.length);
  endpoints.forEach((endpoint, i) => {
    sendMirror(endpoint, { method, path, headers: { ...headers }, body: tee?.mirrors[i] ?? null });
  });
  return tee === undefined ? body : tee.main;
}
