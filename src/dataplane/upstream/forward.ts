// One proxied request: dispatches it on the endpoint's undici dispatcher and streams the response
// into the client response as it arrives (backpressure both ways: undici pulls the request body,
// and a full client socket pauses the upstream). A deadline (the route's request and backend
// timeouts, whichever is shorter) aborts the attempt with 504; a client that goes away aborts it;
// upstream failures become 502 — or, once the response has started, a reset of the client stream.
// The exchange record gets the endpoint, the time to the upstream's headers, the body bytes both
// ways and the error kind.

import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { HeaderPairs } from '../filters/cors.js';
import { applyHeaderMod, type HeaderBag, type HeaderMod } from '../filters/headers.js';
import { type ClientResponse, responseClosed, sendStatus } from '../respond.js';
import type { ExchangeRecord } from '../types.js';
import {
  ClientGoneError,
  statusForUpstreamError,
  UpstreamTimeoutError,
  upstreamErrorKind,
} from './errors.js';
import { stripResponseHopByHop } from './headers.js';
import type { Endpoint } from './registry.js';

export interface ForwardRequest {
  method: string;
  /** Path and query as sent upstream. */
  path: string;
  headers: HeaderBag;
  body: Readable | null;
  /** Applied in order: the rule's modifier, then the backend's. */
  responseMods: readonly (HeaderMod | undefined)[];
  /** Extra response headers (CORS). */
  extraHeaders: HeaderPairs | undefined;
  /** 0: no deadline. */
  timeoutMs: number;
}

export function forward(
  res: ClientResponse,
  endpoint: Endpoint,
  request: ForwardRequest,
  record: ExchangeRecord,
): void {
  record.upstreamAddress = endpoint.label;
  new ForwardExchange(res, request, record).start(endpoint.dispatcher, endpoint.serverName);
}

class ForwardExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Set once the client response is complete, failed, or the client is gone. */
  private settled = false;
  private onDrain: (() => void) | undefined;
  private dispatchedAt = 0;

  constructor(
    private readonly res: ClientResponse,
    private readonly request: ForwardRequest,
    private readonly record: ExchangeRecord,
  ) {}

  /** `serverName`: TLS endpoints' fixed SNI (otherwise undici reconnects whenever Host changes). */
  start(dispatcher: Dispatcher, serverName?: string): void {
    const { request } = this;
    this.dispatchedAt = performance.now();
    if (request.timeoutMs > 0) this.timer = setTimeout(onDeadline, request.timeoutMs, this);
    this.res.once('close', () => this.onClientClose());
    // undici reads `servername` from dispatch options at runtime; its types leave it out.
    const options: Dispatcher.DispatchOptions & { servername?: string } = {
      method: request.method as Dispatcher.HttpMethod,
      path: request.path,
      headers: request.headers as Record<string, string | string[]>,
      body: request.body,
    };
    if (serverName !== undefined) options.servername = serverName;
    try {
      dispatcher.dispatch(options, this);
    } catch (err) {
      this.fail(err);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) {
      controller.abort(new ClientGoneError());
      return;
    }
    // undici starts reading the body in this same tick, so a counter attached now sees every chunk.
    const record = this.record;
    this.request.body?.on('data', (chunk: Buffer) => {
      record.bytesIn += chunk.length;
    });
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200 || this.settled) return;
    this.record.upstreamMs = performance.now() - this.dispatchedAt;
    try {
      stripResponseHopByHop(headers);
      for (const mod of this.request.responseMods) if (mod !== undefined) applyHeaderMod(mod, headers);
      const extra = this.request.extraHeaders;
      if (extra !== undefined) for (const [name, value] of extra) headers[name] = value;
      this.res.writeHead(statusCode, headers);
    } catch (err) {
      controller.abort(err as Error);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.record.bytesOut += chunk.length;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.onDrain ??= () => this.controller?.resume();
      this.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settle();
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.fail(err);
  }

  /** The deadline passed: abort the attempt (or answer now if it has not reached a socket yet). */
  timeout(): void {
    this.timer = undefined;
    const err = new UpstreamTimeoutError();
    if (this.controller !== undefined && !this.controller.aborted) this.controller.abort(err);
    else this.fail(err);
  }

  private onClientClose(): void {
    if (this.settled) return;
    this.settle();
    this.record.errorKind = 'client_abort';
    this.controller?.abort(new ClientGoneError());
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settle();
    this.record.errorKind = upstreamErrorKind(err);
    if (responseClosed(this.res)) return;
    if (this.res.headersSent) this.res.destroy();
    else this.record.bytesOut += sendStatus(this.res, statusForUpstreamError(err));
  }

  private settle(): void {
    this.settled = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function onDeadline(exchange: ForwardExchange): void {
  exchange.timeout();
}
