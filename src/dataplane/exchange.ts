// Per-request bookkeeping on the node:http engine: one Exchange (the ExchangeRecord of types.ts)
// per request or WebSocket upgrade, filled in along the request's flow, completed when the
// response (or the tunnel's socket) closes and handed to the observer. An ExchangeSet also holds
// what is in flight on one listener, which is what a drain waits for and what it must tell to
// close its connection after answering. The close listener is one shared function that finds
// its exchange on the emitter, so tracking allocates no closure per request.

import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestIdFor } from '../observability/request-id.js';
import { authorityOf } from './request.js';
import type { ClientResponse } from './respond.js';
import type { DataPlaneObserver, ExchangeErrorKind, ExchangeRecord, Rejection } from './types.js';

const EXCHANGE = Symbol('gatehouse.exchange');

type Tracked = (ClientResponse | Duplex) & { [EXCHANGE]?: Exchange };

/** What a record takes from its request (IncomingMessage and Http2ServerRequest have it). */
export interface ExchangeSource {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
}

/** What a record starts from: the request's line and the two headers it keeps. */
export interface ExchangeStart {
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  /** `HTTP/1.1`, `HTTP/2`, ... */
  readonly protocol: string;
  readonly requestIdHeader: string | string[] | undefined;
}

function startOf(req: ExchangeSource): ExchangeStart {
  return {
    method: req.method ?? 'GET',
    authority: authorityOf(req.headers) ?? '',
    path: req.url ?? '/',
    protocol: protocolOf(req.httpVersion),
    requestIdHeader: req.headers['x-request-id'],
  };
}

export class Exchange implements ExchangeRecord {
  startTime = Date.now();
  gateway: string;
  listener = '';
  route = '';
  rule = -1;
  backend = '';
  method: string;
  authority: string;
  path: string;
  protocol: string;
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  durationMs = 0;
  upstreamMs = -1;
  upstreamAddress = '';
  requestId: string;
  errorKind: ExchangeErrorKind | '' = '';
  rejection: Rejection | '' = '';
  // Private fields stay out of the record as observers see it (spread, JSON).
  /** performance.now() when the request was received. */
  readonly #startedAt = performance.now();
  /** A WebSocket upgrade: the status is set by the upgrade code, bytes are the socket's. */
  readonly #upgrade: boolean;
  readonly #owner: ExchangeSet;
  #target: object | undefined = undefined;

  constructor(gateway: string, request: ExchangeStart, upgrade: boolean, owner: ExchangeSet) {
    this.gateway = gateway;
    this.method = request.method;
    this.authority = request.authority;
    this.path = request.path;
    this.protocol = request.protocol;
    this.requestId = requestIdFor(request.requestIdHeader);
    this.#upgrade = upgrade;
    this.#owner = owner;
  }

  get target(): object | undefined {
    return this.#target;
  }

  /** See ExchangeRecord.target: the rule's behaviour once routed. */
  set target(target: object | undefined) {
    this.#target = target;
  }

  /** Completes the record from its response (or tunnel socket), which just closed. */
  complete(target: Tracked): void {
    this.durationMs = performance.now() - this.#startedAt;
    if (this.#upgrade) {
      const socket = target as Duplex & { bytesRead?: number; bytesWritten?: number };
      this.bytesIn = socket.bytesRead ?? 0;
      this.bytesOut = socket.bytesWritten ?? 0;
    } else {
      const res = target as ClientResponse;
      this.status = res.headersSent ? res.statusCode : 0;
      if (this.method === 'HEAD') this.bytesOut = 0;
    }
    this.#owner.completed(this, target);
  }

  /** Completes a record whose engine follows the response itself (the fast engine). */
  finish(status: number, bytesIn: number, bytesOut: number): void {
    this.durationMs = performance.now() - this.#startedAt;
    this.status = status;
    this.bytesIn = bytesIn;
    this.bytesOut = this.method === 'HEAD' ? 0 : bytesOut;
    this.#owner.completed(this, this);
  }
}

function protocolOf(httpVersion: string): string {
  return httpVersion === '1.1' ? 'HTTP/1.1' : httpVersion === '2.0' ? 'HTTP/2' : `HTTP/${httpVersion}`;
}

export class ExchangeSet {
  /** Responses and tunnel sockets in flight. */
  private readonly open = new Set<object>();
  /** Records of engines that complete them (`beginOwn`): counted, as nothing iterates them. */
  private ownOpen = 0;
  private closing = false;

  /** `onAnsweredWhileClosing` runs after each response that completes once closing started. */
  constructor(
    private readonly observer: DataPlaneObserver | undefined,
    private readonly onAnsweredWhileClosing: () => void,
  ) {}

  /** Requests and tunnels in flight. */
  get size(): number {
    return this.open.size + this.ownOpen;
  }

  begin(gateway: string, req: ExchangeSource, res: ClientResponse): Exchange {
    return this.track(new Exchange(gateway, startOf(req), false, this), res);
  }

  /** A record the caller completes with `finish()`: no response object to follow. */
  beginOwn(gateway: string, request: ExchangeStart): Exchange {
    this.ownOpen++;
    return new Exchange(gateway, request, false, this);
  }

  beginUpgrade(gateway: string, req: ExchangeSource, socket: Duplex): Exchange {
    return this.track(new Exchange(gateway, startOf(req), true, this), socket);
  }

  /**
   * From now on every HTTP/1.1 response not started yet says `Connection: close`, and the owner
   * is told after each answer (so it can close connections that just became idle).
   */
  closeConnectionsAfterResponses(): void {
    this.closing = true;
    for (const target of this.open) {
      const res = target as Partial<ClientResponse> & { shouldKeepAlive?: boolean };
      if ('shouldKeepAlive' in res && !res.headersSent) res.shouldKeepAlive = false;
    }
  }

  completed(exchange: Exchange, target: object): void {
    if (target === exchange) this.ownOpen--;
    else this.open.delete(target);
    this.observer?.onExchange(exchange);
    if (this.closing) this.onAnsweredWhileClosing();
  }

  private track(exchange: Exchange, target: Tracked): Exchange {
    target[EXCHANGE] = exchange;
    this.open.add(target);
    target.on('close', onTargetClose);
    return exchange;
  }
}

function onTargetClose(this: Tracked): void {
  const exchange = this[EXCHANGE];
  if (exchange === undefined) return;
  this[EXCHANGE] = undefined;
  exchange.complete(this);
}
