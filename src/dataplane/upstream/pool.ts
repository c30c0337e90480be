// Keep-alive HTTP/1.1 connections to one endpoint for the fast engine: raw `net` sockets whose
// responses are read by Node's llhttp parser (no client request or response objects). A request
// takes the most recently used idle connection (so a few stay warm and the rest age out) or opens
// one; a connection goes back to the pool only after a complete exchange on a response that
// allows reuse. Idle connections close after IDLE_TIMEOUT_MS (checked by the shared sweeper).
//
// At most MAX_CONNECTING connects are in progress at once. Past that, a request without a body
// waits (first come, first served) for the first connection to come free — released by an
// exchange, or newly connected — instead of opening one more: when a thousand clients arrive
// together, a few dozen connections then serve them where a thousand connects, each costing more
// than many requests, would delay them all. Requests with a body never wait (nothing holds their
// bytes meanwhile).

import { connect, type Socket } from 'node:net';
import {
  consumeSocket,
  HTTPParser,
  type HttpParser,
  isParseError,
  newParser,
  type ParseError,
  setReading,
} from '../fast/parser.js';
import { SocketWriter } from '../fast/socket-writer.js';
import { coarseNow, everySecond, type Sweep } from '../fast/sweeper.js';

/** What an exchange must handle from its upstream connection. */
export interface UpstreamHandler {
  /** Return true to skip the body (the response to a HEAD request). */
  onResponseHead(status: number, headers: string[]): boolean;
  onResponseBody(chunk: Buffer): void;
  onResponseEnd(): void;
  /** After each read of response bytes: write what it produced, in one write. */
  flush(): void;
  /** The connection failed; `phase` says how far the exchange had got. */
  onUpstreamError(phase: UpstreamFailure): void;
  /** The connection a waiting exchange (see UpstreamPool.acquire) gets. */
  onUpstreamReady(connection: UpstreamConnection): void;
}

/** `connect`: never connected; `idle-race`: a reused connection closed before any byte came. */
export type UpstreamFailure = 'connect' | 'idle-race' | 'reset' | 'malformed';

const CONNECT_TIMEOUT_MS = 10_000;
/** Idle connections are closed after this long (undici's default keep-alive is 4 s). */
const IDLE_TIMEOUT_MS = 4_000;
/** Connects in progress per endpoint before requests without a body wait for a connection. */
export const MAX_CONNECTING = 16;

export class UpstreamPool {
  private readonly idle: UpstreamConnection[] = [];
  /** Every open connection, idle or not. */
  private readonly connections = new Set<UpstreamConnection>();
  /** Exchanges waiting for a connection, oldest first. */
  private readonly waiting: UpstreamHandler[] = [];
  private connecting = 0;
  private closed = false;
  private readonly sweep: Sweep;

  constructor(
    readonly address: string,
    readonly port: number,
  ) {
    this.sweep = everySecond((now) => this.closeIdleSince(now - IDLE_TIMEOUT_MS));
  }

  /**
   * A connection for one exchange: an idle one, or a new one (its connect is in progress). When
   * `canWait` and enough connects are in progress already: undefined, and the connection comes
   * later through handler.onUpstreamReady (or an error through onUpstreamError).
   */
  acquire(handler: UpstreamHandler, canWait: boolean): UpstreamConnection | undefined {
    const reused = this.idle.pop();
    if (reused !== undefined) {
      reused.begin(handler, true);
      return reused;
    }
    if (canWait && this.connecting >= MAX_CONNECTING && !this.closed) {
      this.waiting.push(handler);
      return undefined;
    }
    return this.open(handler);
  }

  /** A waiting exchange that no longer wants a connection (its client left, or it timed out). */
  cancel(handler: UpstreamHandler): void {
    const index = this.waiting.indexOf(handler);
    if (index !== -1) this.waiting.splice(index, 1);
  }

  /** Back to the pool after a complete exchange; closed instead when the pool is. */
  release(connection: UpstreamConnection): void {
    const next = this.waiting.shift();
    if (next !== undefined) {
      // After the read that completed the previous response has been handled.
      queueMicrotask(() => handOver(connection, next));
      return;
    }
    if (this.closed) {
      connection.destroy();
      return;
    }
    connection.idleSince = coarseNow();
    this.idle.push(connection);
  }

  /** A connect finished, either way: the oldest waiting exchange may open the next one. */
  connectDone(): void {
    this.connecting--;
    const next = this.waiting.shift();
    if (next !== undefined) next.onUpstreamReady(this.open(next));
  }

  private open(handler: UpstreamHandler): UpstreamConnection {
    const fresh = new UpstreamConnection(this);
    this.connecting++;
    this.connections.add(fresh);
    fresh.begin(handler, false);
    return fresh;
  }

  forget(connection: UpstreamConnection): void {
    this.connections.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
  }

  get idleCount(): number {
    return this.idle.length;
  }

  /** Exchanges waiting for a connection. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Connections open, idle or busy. */
  get openCount(): number {
    return this.connections.size;
  }

  /** Closes idle connections now and busy ones when their exchange ends. */
  close(): void {
    this.closed = true;
    this.sweep.cancel();
    for (const connection of this.idle.splice(0)) connection.destroy();
  }

  /** Closes every connection now, busy ones included (their exchanges fail, waiting ones too). */
  destroy(): void {
    this.close();
    for (const handler of this.waiting.splice(0)) handler.onUpstreamError('connect');
    for (const connection of this.connections) connection.destroy();
  }

  private closeIdleSince(limit: number): void {
    // The idle stack is ordered by release time: the oldest are at the bottom.
    while (this.idle.length > 0 && (this.idle[0] as UpstreamConnection).idleSince <= limit) {
      (this.idle.shift() as UpstreamConnection).destroy();
    }
  }
}

function handOver(connection: UpstreamConnection, handler: UpstreamHandler): void {
  connection.begin(handler, true);
  handler.onUpstreamReady(connection);
}

export class UpstreamConnection {
  private readonly socket: Socket;
  private readonly parser: HttpParser;
  private readonly writer: SocketWriter;
  private handler: UpstreamHandler | undefined;
  private reused = false;
  private received = false;
  private connected = false;
  private keepAlive = false;
  private complete = false;
  private partialHeaders: string[] = [];
  idleSince = 0;

  constructor(private readonly pool: UpstreamPool) {
    this.socket = connect({ host: pool.address, port: pool.port, noDelay: true });
    this.writer = new SocketWriter(this.socket);
    this.socket.setTimeout(CONNECT_TIMEOUT_MS);
    this.socket.once('connect', () => {
      this.connected = true;
      this.socket.setTimeout(0);
      pool.connectDone();
    });
    this.socket.once('timeout', () => this.socket.destroy());
    this.socket.on('error', () => this.socket.destroy());
    this.socket.once('close', () => this.onClose());
    this.parser = newParser(HTTPParser.RESPONSE, this, {
      headers: (headers) => {
        for (const h of headers) this.partialHeaders.push(h);
      },
      headersComplete: (_major, _minor, headers, _method, _url, status, _message, _upgrade, keepAlive) =>
        this.onHeadersComplete(headers, status ?? 0, keepAlive),
      body: (chunk) => this.handler?.onResponseBody(chunk),
      messageComplete: () => this.onMessageComplete(),
    });
    if (!consumeSocket(this.socket, this.parser, (result) => this.afterParse(result))) {
      this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    }
  }

  begin(handler: UpstreamHandler, reused: boolean): void {
    this.handler = handler;
    this.reused = reused;
    this.received = false;
    this.complete = false;
  }

  write(data: string | Buffer): boolean {
    return typeof data === 'string' ? this.writer.write(data) : this.writer.writeBytes(data);
  }

  /** One chunk of a chunked body: size line, data, CRLF in one write. */
  writeChunk(prefix: string, chunk: Buffer): boolean {
    const socket = this.socket;
    this.writer.cork();
    socket.write(prefix, 'latin1');
    socket.write(chunk);
    const ok = socket.write('\r\n', 'latin1');
    socket.uncork();
    return ok && this.writer.idle;
  }

  /** Pauses or resumes reading the response (client backpressure). */
  pause(): void {
    setReading(this.socket, false);
  }

  resume(): void {
    setReading(this.socket, true);
  }

  onceDrain(listener: () => void): void {
    this.writer.onceDrain(listener);
  }

  /** Gives the connection back when the exchange is done with it, or closes it. */
  finish(): void {
    this.handler = undefined;
    if (this.complete && this.keepAlive && !this.socket.destroyed) {
      this.resume();
      this.pool.release(this);
    } else {
      this.destroy();
    }
  }

  destroy(): void {
    this.handler = undefined;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.afterParse(this.parser.execute(chunk));
  }

  private afterParse(result: number | ParseError): void {
    this.received = true;
    this.handler?.flush();
    if (isParseError(result)) this.fail('malformed');
  }

  private onHeadersComplete(headers: string[] | undefined, status: number, keepAlive: boolean): number {
    // 1xx interim responses (100 Continue, 103 Early Hints) are not forwarded; the final one follows.
    if (status < 200) return 0;
    let all = headers ?? [];
    if (this.partialHeaders.length > 0) {
      all = this.partialHeaders.concat(all);
      this.partialHeaders = [];
    }
    this.keepAlive = keepAlive;
    const handler = this.handler;
    if (handler === undefined) return 0;
    return handler.onResponseHead(status, all) ? 1 : 0;
  }

  private onMessageComplete(): void {
    if (this.handler === undefined || this.complete) return;
    this.complete = true;
    this.handler.onResponseEnd();
  }

  private onClose(): void {
    this.pool.forget(this);
    if (!this.connected) this.pool.connectDone();
    // A response without framing (no length, not chunked) ends when the connection does.
    if (this.handler !== undefined && this.received && !this.complete) this.parser.finish();
    this.parser.close();
    if (this.handler !== undefined && !this.complete) {
      this.fail(!this.connected ? 'connect' : this.reused && !this.received ? 'idle-race' : 'reset');
    }
  }

  private fail(phase: UpstreamFailure): void {
    const handler = this.handler;
    this.handler = undefined;
    this.socket.destroy();
    handler?.onUpstreamError(phase);
  }
}
