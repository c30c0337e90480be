// One request proxied by the fast engine to an HTTP/1.1 endpoint over a pooled connection. The
// upstream head is a string built once; request body bytes go upstream as they arrive (re-chunked
// when the client sent them chunked) and response bytes go to the client as they arrive, each
// side pausing the other when its socket is full. The response head is rebuilt from the parsed
// header array with hop-by-hop headers left out and the framing the client connection needs.
// Failures: a reused connection that closes before any response byte is retried once on a new
// one when the request has no body (the keep-alive race); otherwise 502 (connect, reset,
// malformed) or 504 (route timeout) — or, once the response has started, a reset of the client.

import type { Exchange } from '../exchange.js';
import type { HeaderPairs } from '../filters/cors.js';
import { applyHeaderMod, type HeaderMod } from '../filters/headers.js';
import { sendStatus } from '../respond.js';
import { stripResponseHopByHop } from '../upstream/headers.js';
import type { UpstreamConnection, UpstreamFailure, UpstreamHandler, UpstreamPool } from '../upstream/pool.js';
import { type FastConnection, PAUSED_FOR_UPSTREAM } from './connection.js';
import {
  bodylessStatus,
  CHUNKED_END,
  chunkPrefix,
  headerObject,
  isHopByHopResponseHeader,
  sameName,
  serializeHeaders,
  statusLine,
} from './head.js';
import type { BodySink, ClientGone, FastRequest } from './request.js';
import { FastResponse } from './response.js';

/** What the response side applies: the rule's then the backend's modifier, then CORS headers. */
export interface ResponseEdits {
  readonly ruleMod: HeaderMod | undefined;
  readonly backendMod: HeaderMod | undefined;
  readonly extra: HeaderPairs | undefined;
}

/** Response body chunks up to this size are written together with what precedes them. */
const INLINE_BODY_LIMIT = 16 * 1024;

export class ProxyExchange implements UpstreamHandler, BodySink, ClientGone {
  private upstream: UpstreamConnection | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Response bytes produced by the current read of the upstream, written once it is parsed. */
  private out = '';
  /** Some of the response has been written to the client. */
  private sent = false;
  private chunkedOut = false;
  private closeAfter = false;
  private requestSent = false;
  private retried = false;
  private done = false;
  private onClientDrain: (() => void) | undefined;
  private onUpstreamDrain: (() => void) | undefined;
  private dispatchedAt = 0;
  /** Waiting in the pool for a connection (see UpstreamPool.acquire). */
  private waiting = false;

  constructor(
    private readonly connection: FastConnection,
    private readonly request: FastRequest,
    private readonly pool: UpstreamPool,
    private readonly head: string,
    private readonly edits: ResponseEdits | undefined,
    timeoutMs: number,
    private readonly record: Exchange,
  ) {
    request.exchange = this;
    if (timeoutMs > 0) this.timer = setTimeout(onDeadline, timeoutMs, this);
  }

  start(): void {
    this.dispatch();
    this.request.attachBody(this);
  }

  // ---- request body (BodySink) ----

  write(chunk: Buffer): void {
    const upstream = this.upstream;
    if (this.done || upstream === undefined) return;
    const ok = this.request.chunked
      ? upstream.writeChunk(chunkPrefix(chunk.length), chunk)
      : upstream.write(chunk);
    if (!ok) {
      this.connection.pauseFor(PAUSED_FOR_UPSTREAM);
      this.onUpstreamDrain ??= () => this.connection.resumeFor(PAUSED_FOR_UPSTREAM);
      upstream.onceDrain(this.onUpstreamDrain);
    }
  }

  end(): void {
    if (this.done || this.upstream === undefined) return;
    if (this.request.chunked) this.upstream.write(CHUNKED_END);
    this.requestSent = true;
  }

  // ---- response (UpstreamHandler) ----

  onResponseHead(status: number, raw: string[]): boolean {
    if (this.done) return false;
    const request = this.request;
    this.record.upstreamMs = performance.now() - this.dispatchedAt;
    request.status = status;
    const bodyless = request.isHead || bodylessStatus(status);
    let lines: string | undefined = this.edits === undefined ? copyResponseHeaders(raw) : undefined;
    if (lines === undefined) {
      try {
        lines = editedResponseHeaders(raw, this.edits);
      } catch {
        this.fail(502);
        return false;
      }
    }
    let framing = '';
    if (!bodyless && !hasContentLength(raw)) {
      if (request.http11) {
        this.chunkedOut = true;
        framing = 'transfer-encoding: chunked\r\n';
      } else {
        this.closeAfter = true;
      }
    }
    if (this.closeAfter || !this.connection.keepsAlive(request)) framing += 'connection: close\r\n';
    else framing += 'connection: keep-alive\r\n';
    this.out = `${statusLine(status)}${lines}${framing}\r\n`;
    return request.isHead;
  }

  onResponseBody(chunk: Buffer): void {
    if (this.done) return;
    this.request.bytesOut += chunk.length;
    if (this.chunkedOut) this.out += chunkPrefix(chunk.length);
    if (chunk.length <= INLINE_BODY_LIMIT) {
      // Small bodies join the head in one string: one write, no Buffer list to gather.
      this.out += chunk.toString('latin1');
    } else {
      this.flush();
      this.sent = true;
      if (!this.connection.writeBuffer(chunk)) this.pauseUpstream();
    }
    if (this.chunkedOut) this.out += '\r\n';
  }

  flush(): void {
    const out = this.out;
    if (out === '') return;
    this.out = '';
    this.sent = true;
    if (!this.connection.write(out) && !this.done) this.pauseUpstream();
  }

  onResponseEnd(): void {
    if (this.done) return;
    if (this.chunkedOut) this.out += CHUNKED_END;
    this.settle();
    this.flush();
    const upstream = this.upstream;
    this.upstream = undefined;
    // The connection is reusable only if the upstream also has the whole request.
    if (this.requestSent) upstream?.finish();
    else upstream?.destroy();
    this.connection.responseDone(this.request, !this.closeAfter);
  }

  onUpstreamError(phase: UpstreamFailure): void {
    this.upstream = undefined;
    if (this.done) return;
    if (phase === 'idle-race' && !this.retried && !this.request.hasBody) {
      this.retried = true;
      this.dispatch();
      return;
    }
    this.record.errorKind = phase === 'connect' ? 'connect' : phase === 'malformed' ? 'other' : 'reset';
    this.fail(502);
  }

  // ---- client side ----

  clientGone(): void {
    if (this.done) return;
    this.record.errorKind = 'client_abort';
    this.settle();
    this.upstream?.destroy();
    this.upstream = undefined;
  }

  timeout(): void {
    this.timer = undefined;
    if (this.done) return;
    this.upstream?.destroy();
    this.upstream = undefined;
    this.record.errorKind = 'timeout';
    this.fail(504);
  }

  private dispatch(): void {
    const upstream = this.pool.acquire(this, !this.request.hasBody);
    if (upstream === undefined) this.waiting = true;
    else this.send(upstream);
  }

  onUpstreamReady(connection: UpstreamConnection): void {
    this.waiting = false;
    if (this.done) connection.destroy();
    else this.send(connection);
  }

  private send(upstream: UpstreamConnection): void {
    this.dispatchedAt = performance.now();
    this.upstream = upstream;
    upstream.write(this.head);
    if (!this.request.hasBody) this.requestSent = true;
  }

  /** The client is behind: stop reading the upstream until it drains. */
  private pauseUpstream(): void {
    const upstream = this.upstream;
    if (upstream === undefined) return;
    upstream.pause();
    this.onClientDrain ??= () => this.upstream?.resume();
    this.connection.onceDrain(this.onClientDrain);
  }

  private fail(status: number): void {
    if (this.done) return;
    this.settle();
    this.upstream?.destroy();
    this.upstream = undefined;
    this.out = '';
    if (this.sent) {
      this.connection.socket.destroy();
      return;
    }
    sendStatus(new FastResponse(this.connection, this.request), status);
  }

  private settle(): void {
    this.done = true;
    if (this.waiting) {
      this.waiting = false;
      this.pool.cancel(this);
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function onDeadline(exchange: ProxyExchange): void {
  exchange.timeout();
}

function hasContentLength(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i] as string, 'content-length')) return true;
  return false;
}

/** The response headers minus hop-by-hop ones; undefined when Connection names more to drop. */
function copyResponseHeaders(raw: readonly string[]): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!isHopByHopResponseHeader(name)) {
      out += `${name}: ${raw[i + 1]}\r\n`;
    } else if (sameName(name, 'connection')) {
      const value = (raw[i + 1] as string).toLowerCase();
      if (value !== 'keep-alive' && value !== 'close') return undefined;
    }
  }
  return out;
}

/** The header-object path shared with the node:http engine; throws on an invalid value. */
function editedResponseHeaders(raw: readonly string[], edits: ResponseEdits | undefined): string {
  const headers = headerObject(raw);
  stripResponseHopByHop(headers);
  if (edits?.ruleMod !== undefined) applyHeaderMod(edits.ruleMod, headers);
  if (edits?.backendMod !== undefined) applyHeaderMod(edits.backendMod, headers);
  if (edits?.extra !== undefined) for (const [name, value] of edits.extra) headers[name] = value;
  return serializeHeaders(headers);
}
