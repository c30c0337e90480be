// One client connection of the fast engine: a `net` socket read by llhttp. Requests are answered
// one at a time in arrival order; pipelined requests that arrive meanwhile wait in a queue (the
// socket stops being read while any does), so responses leave in request order. A request that
// asks to close, an HTTP/1.0 request without keep-alive, a draining listener or a response that
// cannot be framed ends the connection after its response. WebSocket upgrades leave the engine:
// the socket is handed over with the bytes that followed the head.

import type { Socket } from 'node:net';
import type { CompiledPort } from '../config/types.js';
import {
  consumeSocket,
  HTTPParser,
  type HttpParser,
  isParseError,
  METHODS,
  newParser,
  type ParseError,
  setReading,
} from './parser.js';
import { FastRequest } from './request.js';
import { SocketWriter } from './socket-writer.js';
import { coarseNow } from './sweeper.js';

/** What a connection needs from the listener that accepted it. */
export interface FastListener {
  /** The configuration in force. */
  readonly config: CompiledPort;
  /** Draining: every response closes its connection. */
  readonly retired: boolean;
  /** Starts a request's handling (routing, filters, the answer or the exchange). */
  serve(connection: FastConnection, request: FastRequest): void;
  /** Takes over the socket for a WebSocket upgrade. */
  upgrade(connection: FastConnection, request: FastRequest, head: Buffer): void;
}

/** Why reading is paused; reading resumes when no reason is left. */
export const PAUSED_FOR_QUEUE = 1;
export const PAUSED_FOR_UPSTREAM = 2;
export const PAUSED_FOR_BODY_STREAM = 4;

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

export class FastConnection {
  readonly clientAddress: string | undefined;
  /** coarseNow() of the last bytes received. */
  private lastActive = coarseNow();
  /** Part of a request head may be here: bytes arrived and no head completed since the last response. */
  private headStarted = false;
  /** A head completed during the current parse (the bytes read are not a stalled head). */
  private headCompleted = false;
  private readonly parser: HttpParser;
  private readonly writer: SocketWriter;
  /** The request being answered. */
  private current: FastRequest | undefined;
  /** The request whose body the parser is delivering. */
  private parsing: FastRequest | undefined;
  private readonly queue: FastRequest[] = [];
  private partialHeaders: string[] = [];
  private partialUrl = '';
  /** A WebSocket upgrade request, and the bytes after its head once parsed. */
  private websocket: FastRequest | undefined;
  private websocketHead: Buffer | undefined;
  /** A request asked to close: later pipelined requests are ignored. */
  private lastRequestSeen = false;
  private paused = 0;
  private detached = false;
  /** The parser reads the socket's handle itself (see consumeSocket). */
  private consumed = false;

  constructor(
    readonly socket: Socket,
    private readonly listener: FastListener,
  ) {
    this.clientAddress = socket.remoteAddress;
    this.writer = new SocketWriter(socket);
    this.parser = newParser(HTTPParser.REQUEST, this, {
      headers: (headers, url) => {
        for (const h of headers) this.partialHeaders.push(h);
        this.partialUrl += url;
      },
      headersComplete: (major, minor, headers, method, url, _s, _m, upgrade, keepAlive) =>
        this.onHeadersComplete(major, minor, headers, method, url, upgrade, keepAlive),
      body: (chunk) => this.parsing?.pushBody(chunk),
      messageComplete: () => {
        const request = this.parsing;
        this.parsing = undefined;
        request?.endBody();
      },
    });
    socket.once('close', () => this.onClose());
  }

  /** Parses `first` (the bytes the listener sniffed), then everything the socket receives. */
  start(first: Buffer): void {
    this.consumed = consumeSocket(this.socket, this.parser, (result) => this.afterParse(result, undefined));
    if (!this.consumed) this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.onData(first);
  }

  get config(): CompiledPort {
    return this.listener.config;
  }

  /** Nothing in progress: no request being answered, queued or half received. */
  get idle(): boolean {
    return this.current === undefined && this.parsing === undefined && this.queue.length === 0;
  }

  private onData(chunk: Buffer): void {
    if (this.detached) return;
    this.afterParse(this.parser.execute(chunk), chunk);
  }

  /** After each parse: errors, and the bytes that follow a WebSocket upgrade head. */
  private afterParse(result: number | ParseError, chunk: Buffer | undefined): void {
    this.lastActive = coarseNow();
    this.headStarted = !this.headCompleted;
    this.headCompleted = false;
    if (isParseError(result)) {
      this.onParseError(result);
      return;
    }
    if (this.websocket !== undefined && this.websocketHead === undefined) {
      const parsed = chunk ?? this.parser.getCurrentBuffer();
      this.websocketHead = parsed.subarray(result);
      if (this.consumed) this.stopConsuming();
      this.tryUpgrade();
    }
  }

  private stopConsuming(): void {
    if (!this.consumed) return;
    this.consumed = false;
    this.parser.unconsume();
  }

  /** Writes `data` as latin1; false when the caller should wait for `onceDrain`. */
  write(data: string): boolean {
    return this.writer.write(data);
  }

  /** Corks the socket after the held writes (for a head and body written as one). */
  cork(): void {
    this.writer.cork();
  }

  /** Writes body bytes; false when the caller should wait for `onceDrain`. */
  writeBuffer(chunk: Buffer): boolean {
    return this.writer.writeBytes(chunk);
  }

  /** A direct write is still waiting for the kernel. */
  get writesPending(): boolean {
    return !this.writer.idle;
  }

  onceDrain(listener: () => void): void {
    this.writer.onceDrain(listener);
  }

  pauseFor(reason: number): void {
    if (this.paused === 0) this.setReading(false);
    this.paused |= reason;
  }

  resumeFor(reason: number): void {
    if ((this.paused & reason) === 0) return;
    this.paused &= ~reason;
    if (this.paused === 0 && !this.detached) this.setReading(true);
  }

  private setReading(reading: boolean): void {
    if (this.consumed) setReading(this.socket, reading);
    else if (reading) this.socket.resume();
    else this.socket.pause();
  }

  /** Whether the response to `request` may leave the connection open. */
  keepsAlive(request: FastRequest): boolean {
    return request.keepAlive && !this.listener.retired;
  }

  /** The response to `request` is complete; `reusable` is false when it had to close. */
  responseDone(request: FastRequest, reusable: boolean): void {
    if (request !== this.current) return;
    this.current = undefined;
    this.lastActive = coarseNow();
    request.exchange = undefined;
    request.detachBody();
    request.finish(undefined);
    if (!reusable || !this.keepsAlive(request)) {
      this.queue.length = 0;
      this.detached = true;
      this.writer.end();
      return;
    }
    const next = this.queue.shift();
    if (next !== undefined) {
      this.begin(next);
      return;
    }
    this.headStarted = false;
    this.resumeFor(PAUSED_FOR_QUEUE);
    if (this.websocket !== undefined) this.tryUpgrade();
  }

  /**
   * Closes the connection if it is idle and received nothing since the limit that applies: `headLimit`
   * once part of a request head has arrived (a stalled head), else `keepAliveLimit`.
   */
  expireIdle(keepAliveLimit: number, headLimit: number): void {
    if (this.lastActive <= (this.headStarted ? headLimit : keepAliveLimit)) this.closeIfIdle();
  }

  /** Closes the connection if it is idle (draining listeners, idle timeouts). */
  closeIfIdle(): boolean {
    if (!this.idle) return false;
    this.writer.flush();
    this.socket.destroy();
    return true;
  }

  private onHeadersComplete(
    major: number,
    minor: number,
    headers: string[] | undefined,
    method: number | undefined,
    url: string | undefined,
    upgrade: boolean,
    keepAlive: boolean,
  ): number {
    let raw = headers ?? [];
    if (this.partialHeaders.length > 0) {
      raw = this.partialHeaders.concat(raw);
      this.partialHeaders = [];
    }
    const target = this.partialUrl + (url ?? '');
    this.partialUrl = '';
    this.headCompleted = true;
    if (this.lastRequestSeen) return 0;
    const request = new FastRequest(METHODS[method ?? -1] ?? 'GET', target, raw, major, minor, keepAlive);
    this.parsing = request;
    if (upgrade && request.upgrade === 'websocket') {
      // llhttp stops after this head; onData hands the socket over with the bytes that follow.
      this.websocket = request;
      this.lastRequestSeen = true;
      return 0;
    }
    // Other upgrades (h2c from `curl --http2`) are answered as plain HTTP/1.1, then closed.
    if (upgrade) request.keepAlive = false;
    if (!request.keepAlive) this.lastRequestSeen = true;
    if (this.current === undefined) {
      this.begin(request);
    } else {
      this.queue.push(request);
      this.pauseFor(PAUSED_FOR_QUEUE);
    }
    return 0;
  }

  private begin(request: FastRequest): void {
    this.current = request;
    if (request.expectContinue && request.http11) this.write(CONTINUE);
    this.listener.serve(this, request);
  }

  private tryUpgrade(): void {
    const request = this.websocket;
    const head = this.websocketHead;
    if (request === undefined || head === undefined || this.current !== undefined) return;
    this.websocket = undefined;
    this.detached = true;
    this.socket.removeAllListeners('data');
    this.socket.pause();
    setReading(this.socket, true);
    this.parser.close();
    this.writer.flush();
    this.listener.upgrade(this, request, head);
  }

  private onParseError(error: ParseError): void {
    this.detached = true;
    if (this.current === undefined && this.parsing === undefined) {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      this.writer.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    } else {
      this.socket.destroy();
    }
  }

  private onClose(): void {
    this.detached = true;
    this.queue.length = 0;
    const current = this.current;
    this.current = undefined;
    current?.exchange?.clientGone();
    current?.finish('client_abort');
    if (this.websocket === undefined) {
      this.stopConsuming();
      this.parser.close();
    }
  }
}
