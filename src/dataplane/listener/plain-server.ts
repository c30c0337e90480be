// An HTTP listener socket: HTTP/1.1 and HTTP/2 with prior knowledge (h2c) on the same port. A
// `net` server reads the first bytes of each connection; the HTTP/2 connection preface
// (`PRI * HTTP/2.0`) hands the socket to an http2 server, anything else to the HTTP/1.x engine:
// the fast engine (raw sockets and llhttp, fast/) by default, or a node:http server. Neither of
// those servers listens itself. Retiring closes what is idle at once — HTTP/1.1
// connections between requests, HTTP/2 sessions without streams, sockets that sent nothing yet —
// and the rest after their current response.

import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createH2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CompiledPort } from '../config/types.js';
import { ExchangeSet } from '../exchange.js';
import { FastEngine } from '../fast/engine.js';
import { serveRequest } from '../proxy.js';
import type { ClientRequest } from '../request.js';
import type { ClientResponse } from '../respond.js';
import type { DataPlaneObserver } from '../types.js';
import { serveUpgrade } from '../upgrade.js';
import { AcceptHandles } from './accept-handles.js';
import {
  type BoundServer,
  bindAccepting,
  type HttpEngine,
  SocketSet,
  stopAccepting,
} from './bound-server.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** A connection that sends nothing for this long is closed before any protocol is chosen. */
const FIRST_BYTES_TIMEOUT_MS = 60_000;

export class PlainServer implements BoundServer {
  readonly protocol = 'HTTP';
  private config: CompiledPort;
  private retired = false;
  private readonly tcp: Server;
  private readonly acceptHandles: AcceptHandles;
  private readonly http1: HttpServer;
  private readonly http2: Http2Server;
  private readonly sockets: SocketSet;
  /** Accepted sockets whose first bytes have not arrived yet. */
  private readonly undecided = new Set<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly exchanges: ExchangeSet;
  private closed: Promise<void> = Promise.resolve();
  private idleCheck: NodeJS.Immediate | undefined;
  private readonly fast: FastEngine | undefined;

  constructor(
    readonly address: string,
    readonly port: number,
    config: CompiledPort,
    keepAliveTimeoutMs: number,
    observer?: DataPlaneObserver,
    engine: HttpEngine = 'fast',
  ) {
    this.config = config;
    this.sockets = new SocketSet(observer, config.gateway, 'HTTP');
    this.exchanges = new ExchangeSet(observer, () => this.closeIdleSoon());
    if (engine === 'fast') this.fast = new FastEngine(() => this.config, this.exchanges, keepAliveTimeoutMs);
    const onRequest = (req: ClientRequest, res: ClientResponse) => {
      if (this.retired && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
      serveRequest(this.config, req, res, this.exchanges);
    };
    this.http1 = createHttpServer({ keepAliveTimeout: keepAliveTimeoutMs }, onRequest);
    this.http1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      serveUpgrade(this.config, req, socket, head, this.exchanges),
    );
    // The http server never listens; this starts its connection tracking (idle and header timeouts).
    this.http1.emit('listening');
    this.http2 = createH2Server(onRequest);
    this.http2.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      // Accepted just before retiring: serve what the first packets carry, then GOAWAY.
      if (this.retired) setImmediate(() => session.close());
    });
    this.http2.on('sessionError', () => {});
    this.tcp = createNetServer({ noDelay: true }, (socket) => this.accept(socket));
    this.acceptHandles = new AcceptHandles(this.tcp);
  }

  get gateway(): string {
    return this.config.gateway;
  }

  get connections(): number {
    return this.sockets.size;
  }

  get inFlight(): number {
    return this.exchanges.size;
  }

  update(config: CompiledPort): void {
    this.config = config;
    this.sockets.setGateway(config.gateway);
  }

  async listen(reusePort: boolean): Promise<void> {
    this.closed = (
      await bindAccepting(this.tcp, this.acceptHandles, this.address, this.port, reusePort)
    ).closed;
  }

  retire(): void {
    this.retired = true;
    stopAccepting(this.tcp, this.acceptHandles);
    this.exchanges.closeConnectionsAfterResponses();
    this.fast?.retire();
    this.http1.closeIdleConnections();
    for (const session of this.sessions) session.close();
    for (const socket of this.undecided) socket.destroy();
  }

  async drained(): Promise<void> {
    await this.closed;
    await this.sockets.empty();
  }

  destroy(): void {
    this.retired = true;
    stopAccepting(this.tcp, this.acceptHandles);
    this.fast?.close();
    this.http1.close();
    this.sockets.destroyAll();
  }

  /** HTTP/1.1 connections become idle only once their response is flushed: look on the next turn. */
  private closeIdleSoon(): void {
    this.idleCheck ??= setImmediate(() => {
      this.idleCheck = undefined;
      this.fast?.closeIdle();
      this.http1.closeIdleConnections();
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    this.undecided.add(socket);
    socket.once('close', () => this.undecided.delete(socket));
    socket.on('error', () => socket.destroy());
    const onIdle = () => socket.destroy();
    socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, onIdle);
    let received: Buffer | undefined;
    const onData = (chunk: Buffer) => {
      received = received === undefined ? chunk : Buffer.concat([received, chunk]);
      const length = Math.min(received.length, PREFACE.length);
      const isH2 = received.subarray(0, length).equals(PREFACE.subarray(0, length));
      if (isH2 && received.length < PREFACE.length) return;
      socket.removeListener('data', onData);
      this.undecided.delete(socket);
      socket.setTimeout(0);
      socket.removeListener('timeout', onIdle);
      if (!isH2 && this.fast !== undefined) {
        this.fast.accept(socket, received);
        return;
      }
      socket.pause();
      socket.unshift(received);
      if (isH2) {
        this.http2.emit('connection', socket);
      } else {
        this.http1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  }
}
