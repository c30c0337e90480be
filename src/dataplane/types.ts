// The data plane's contract with the rest of the pipeline: apply an IR generation atomically,
// report what was bound so status can say so, drain gracefully, and tell an observer about every
// completed request and every downstream connection (metrics and access logs are observers).

import type { IR } from '../ir/types.js';

/**
 * How long a client's keep-alive connection may sit idle between requests: above the idle timeout
 * of the load balancers usually put in front (60 s), so they never reuse a connection the gateway
 * is closing; nginx's default too. (Kept here, in a module without runtime imports, for the CLI.)
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 75_000;

export interface DataPlaneOptions {
  /** Address bound by Gateways with no spec.addresses and no pool (default 0.0.0.0). */
  defaultBind: string;
  /** CIDR from which each Gateway gets its own address (e.g. 127.0.10.0/24), when set. */
  addressPool?: string;
  /**
   * What serves HTTP/1.x on plain HTTP listeners: 'fast' (default; raw sockets with Node's llhttp
   * parser and pooled upstream sockets) or 'node' (node:http with undici).
   */
  httpEngine?: 'fast' | 'node';
  /** How long an HTTP/1.x client connection may stay idle between requests (default 75 s). */
  keepAliveTimeoutMs?: number;
  /**
   * Several processes serve the same ports (`serve --workers`): each binds its own socket with
   * SO_REUSEPORT where Node supports it (>= 22.12), else node:cluster shares the primary's.
   */
  reusePort?: boolean;
  /** Told about every completed request and downstream connection (see DataPlaneObserver). */
  observer?: DataPlaneObserver;
}

export interface GatewayBindReport {
  /** Addresses the Gateway's listeners are bound on. */
  addresses: string[];
  /** Ports that could not be bound, with the reason (e.g. EADDRINUSE). */
  portErrors: { port: number; message: string }[];
}

export interface ApplyReport {
  generation: number;
  /** Keyed by Gateway `namespace/name`. */
  gateways: Record<string, GatewayBindReport>;
}

export interface DataPlane {
  /**
   * Makes `ir` the configuration in force. In-flight requests finish on the old one; new requests
   * use the new one. Listeners are opened/closed only where the set of bound ports changes.
   * While draining, the configuration still changes but no listener is opened.
   */
  apply(ir: IR, generation: number): Promise<ApplyReport>;
  /**
   * Graceful shutdown of the traffic: stops accepting, closes idle keep-alive connections,
   * answers what is in flight with `Connection: close` (HTTP/1.1) or after a GOAWAY (HTTP/2).
   * Resolves once no downstream connection is left; it sets no deadline of its own.
   */
  drain(): Promise<void>;
  /** Counters for drain progress and scrape-time metrics; cheap enough to call every second. */
  stats(): DataPlaneStats;
  /** Stops accepting and closes every listener and upstream pool. */
  close(): Promise<void>;
}

export interface DataPlaneStats {
  draining: boolean;
  /** Open downstream connections, every listener included (retired ones too). */
  connections: number;
  /** Requests received and not yet answered completely (WebSocket tunnels included). */
  inFlight: number;
  /** One entry per cluster in force with at least one endpoint. */
  upstreams: UpstreamStats[];
}

/** Summed over a cluster's endpoints; an endpoint shared by two clusters counts in both. */
export interface UpstreamStats {
  /** Cluster name (`namespace/service:port`). */
  cluster: string;
  /** Open upstream connections. */
  connections: number;
  /** Connections open and idle (HTTP/1.1 pools; 0 for h2c, whose one session multiplexes). */
  idle: number;
  /** Requests being exchanged with the upstream. */
  active: number;
  /** Requests waiting for a connection. */
  queued: number;
}

/**
 * Told about every completed request and downstream connection, synchronously on the request
 * path: implementations must be cheap (count, or hand the record to an asynchronous writer) and
 * must not keep the record after returning (an engine may reuse it).
 */
export interface DataPlaneObserver {
  onExchange(record: ExchangeRecord): void;
  onConnection(event: ConnectionEvent, connection: ConnectionInfo): void;
}

export type ConnectionEvent = 'open' | 'close';

export interface ConnectionInfo {
  /** Gateway `namespace/name` owning the listener socket. */
  readonly gateway: string;
  readonly protocol: 'HTTP' | 'HTTPS';
}

/**
 * Why the gateway answered a request itself instead of forwarding it: `no_route` (router: no
 * listener or route matches, 404), `misdirected` (router: the Host names another listener than
 * the TLS SNI, 421), `invalid_backend` (policy: the chosen backendRef is not permitted or does
 * not resolve, e.g. a missing ReferenceGrant; its invalid status, usually 500).
 */
export type Rejection = 'no_route' | 'misdirected' | 'invalid_backend';

/**
 * What went wrong with the upstream exchange: `connect` (refused, unreachable, connect
 * timeout), `reset` (the connection closed or reset mid-exchange), `timeout` (a route timeout or
 * undici's header/body timeout), `other`; `client_abort` when the client left first.
 */
export type ExchangeErrorKind = 'connect' | 'reset' | 'timeout' | 'other' | 'client_abort';

/**
 * One completed request, as plain data. Strings are '' and numbers -1 where a field does not
 * apply (no route, no upstream), so every record has the same shape.
 */
export interface ExchangeRecord {
  /** Wall-clock time the request was received, in ms since the epoch. */
  startTime: number;
  /** Gateway `namespace/name` owning the listener socket. */
  gateway: string;
  /** Listener (section) name; '' when no listener matches the host. */
  listener: string;
  /** HTTPRoute `namespace/name`; '' when no route matched. */
  route: string;
  /** Rule index within the route; -1 when no route matched. */
  rule: number;
  /** Cluster name of the chosen backend; '' when none was chosen. */
  backend: string;
  method: string;
  /** Host header or :authority, as received. */
  authority: string;
  /** Path and query, as received. */
  path: string;
  /** 'HTTP/1.1' or 'HTTP/2'. */
  protocol: string;
  /** Status sent to the client; 0 when the client left before any response was sent. */
  status: number;
  /** Request body bytes read from the client and sent upstream. */
  bytesIn: number;
  /** Response body bytes sent to the client. */
  bytesOut: number;
  /** From receiving the request to the end of the response (or the client leaving). */
  durationMs: number;
  /** From dispatching upstream to the upstream response headers; -1 without an upstream answer. */
  upstreamMs: number;
  /** `address:port` of the endpoint used; '' when nothing was sent upstream. */
  upstreamAddress: string;
  /** X-Request-Id: the client's when valid, else generated. Sent upstream. */
  requestId: string;
  errorKind: ExchangeErrorKind | '';
  rejection: Rejection | '';
  /**
   * The route rule's behaviour: an object of the configuration in force, the same for every
   * request with the same gateway, route and rule, so an observer can keep per-rule state on it
   * (a symbol-keyed property) instead of keying it on label strings; `backend` tells the rule's
   * backends apart. Undefined when no route matched. Not enumerable: absent from spreads and JSON.
   */
  readonly target?: object | undefined;
}
