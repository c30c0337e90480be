// An HTTPS listener socket: TLS with per-listener certificates chosen by SNI (exact, wildcard,
// catch-all — the same table that picks the listener for a Host), ALPN h2 and http/1.1 on one
// http2 secure server. Certificates swap without a restart: SNI reads the configuration in force
// at each handshake, and the default certificate (clients without SNI) is replaced in place.
// Retiring closes idle HTTP/1.1 connections and HTTP/2 sessions at once, busy ones after their
// current response. With frontend client-certificate validation, client certificates are requested
// and (AllowValidOnly) a handshake without one that chains to the port's CAs is refused.

import type { IncomingMessage } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { CompiledPort } from '../config/types.js';
import { ExchangeSet } from '../exchange.js';
import { serveRequest } from '../proxy.js';
import type { ClientRequest } from '../request.js';
import type { ClientResponse } from '../respond.js';
import { normalizeHost } from '../router/hostname.js';
import type { DataPlaneObserver } from '../types.js';
import { serveUpgrade } from '../upgrade.js';
import { AcceptHandles } from './accept-handles.js';
import { type BoundServer, bindAccepting, SocketSet, stopAccepting } from './bound-server.js';

export class SecureServer implements BoundServer {
  readonly protocol = 'HTTPS';
  private config: CompiledPort;
  private retired = false;
  private defaultIdentity: string | undefined;
  private readonly server: Http2SecureServer;
  private readonly acceptHandles: AcceptHandles;
  private readonly sockets: SocketSet;
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly exchanges: ExchangeSet;
  private closed: Promise<void> = Promise.resolve();
  private idleCheck: NodeJS.Immediate | undefined;

  constructor(
    readonly address: string,
    readonly port: number,
    config: CompiledPort,
    /** Idle keep-alive of HTTP/1.1 connections (the http2 server has none). */
    keepAliveTimeoutMs: number,
    observer?: DataPlaneObserver,
  ) {
    this.config = config;
    this.sockets = new SocketSet(observer, config.gateway, 'HTTPS');
    this.exchanges = new ExchangeSet(observer, () => this.closeIdleSoon());
    const onRequest = (req: ClientRequest, res: ClientResponse) => {
      if (this.retired && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
      serveRequest(this.config, req, res, this.exchanges);
    };
    this.server = createSecureServer(
      { allowHTTP1: true, SNICallback: (name, cb) => cb(null, this.contextFor(name)) },
      onRequest,
    );
    Object.assign(this.server, { keepAliveTimeout: keepAliveTimeoutMs });
    this.acceptHandles = new AcceptHandles(this.server);
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      serveUpgrade(this.config, req, socket, head, this.exchanges),
    );
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('error', () => socket.destroy());
    });
    this.server.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      // Handshake finished after retiring: serve what the first packets carry, then GOAWAY.
      if (this.retired) setImmediate(() => session.close());
    });
    this.server.on('tlsClientError', () => {});
    this.server.on('sessionError', () => {});
    this.update(config);
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
    const identity = config.defaultIdentity;
    if (identity !== undefined && identity.id !== this.defaultIdentity) {
      const ca = identity.ca ? { ca: identity.ca } : {};
      this.server.setSecureContext({ cert: identity.cert, key: identity.key, ...ca });
      this.defaultIdentity = identity.id;
    }
    this.setClientValidation(config.clientValidation);
  }

  /**
   * tls.Server reads requestCert and rejectUnauthorized from itself for every new connection, so
   * setting them switches validation for later handshakes without rebinding the port.
   */
  private setClientValidation(mode: CompiledPort['clientValidation']): void {
    const server = this.server as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
    server.requestCert = mode !== undefined;
    server.rejectUnauthorized = mode !== 'AllowInsecureFallback';
  }

  async listen(reusePort: boolean): Promise<void> {
    this.closed = (
      await bindAccepting(this.server, this.acceptHandles, this.address, this.port, reusePort)
    ).closed;
  }

  retire(): void {
    this.retired = true;
    stopAccepting(this.server, this.acceptHandles);
    this.exchanges.closeConnectionsAfterResponses();
    this.closeIdleHttp1();
    for (const session of this.sessions) session.close();
  }

  async drained(): Promise<void> {
    await this.closed;
    await this.sockets.empty();
  }

  destroy(): void {
    this.retired = true;
    stopAccepting(this.server, this.acceptHandles);
    this.sockets.destroyAll();
  }

  /** With allowHTTP1, node tracks the HTTP/1.1 connections; its types do not declare the method. */
  private closeIdleHttp1(): void {
    (this.server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
  }

  private closeIdleSoon(): void {
    this.idleCheck ??= setImmediate(() => {
      this.idleCheck = undefined;
      this.closeIdleHttp1();
    });
  }

  private contextFor(serverName: string): SecureContext | undefined {
    const config = this.config;
    const listener = config.listeners.lookup(normalizeHost(serverName));
    return (listener?.identity ?? config.defaultIdentity)?.context;
  }
}
