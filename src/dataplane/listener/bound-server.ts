// What the runtime needs from a bound listener socket, whatever its protocol, plus the pieces
// both implementations share: binding with the error reported, connection bookkeeping (so a
// retired server drains, a closed data plane lets the process exit, and the observer sees every
// connection open and close), and the wait for a retired server's last connection.

import type { Server, Socket } from 'node:net';
import type { CompiledPort } from '../config/types.js';
import type { ConnectionInfo, DataPlaneObserver } from '../types.js';
import type { AcceptHandles } from './accept-handles.js';

export interface BoundServer {
  readonly address: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** The `namespace/name` of the Gateway the configuration in force belongs to. */
  readonly gateway: string;
  /** Open downstream connections. */
  readonly connections: number;
  /** Requests (and WebSocket tunnels) in flight. */
  readonly inFlight: number;
  /** Makes `config` the one new requests on this server use. */
  update(config: CompiledPort): void;
  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, ...). */
  listen(reusePort: boolean): Promise<void>;
  /**
   * Stops accepting and closes idle connections; busy ones close after their current response
   * (`Connection: close` on HTTP/1.1, GOAWAY on HTTP/2). See RETIRE_GRACE_MS.
   */
  retire(): void;
  /** Resolves once the server is retired and its last connection has closed. */
  drained(): Promise<void>;
  /** Closes the listening socket and every connection now. */
  destroy(): void;
}

/** Which engine serves HTTP/1.x on plain listeners: the raw-socket one (fast/) or node:http. */
export type HttpEngine = 'fast' | 'node';

/** Grace given to a retired server's connections before the runtime destroys them. */
export const RETIRE_GRACE_MS = 30_000;

/**
 * Accept queue length asked of the kernel (capped by net.core.somaxconn). Node's default, 511,
 * overflows when a thousand clients connect at once: the kernel then drops their handshakes
 * and they retry after 1 s, 3 s, 7 s. (How fast a busy process takes connections off that
 * queue is accept-handles.ts's concern.)
 */
export const LISTEN_BACKLOG = 65_535;

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
/** `listen({ reusePort })` exists from Node 22.12 / 23.1. */
export const REUSE_PORT_SUPPORTED = major > 22 || (major === 22 && minor >= 12);

/**
 * Binds `server`. With `reusePort` (worker processes) and a Node that supports it, the socket is
 * this process's own (`exclusive`, so node:cluster does not route the bind to the primary).
 */
export function listenOn(server: Server, address: string, port: number, reusePort = false): Promise<void> {
  const own = reusePort && REUSE_PORT_SUPPORTED ? { exclusive: true, reusePort: true } : {};
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, backlog: LISTEN_BACKLOG, ...own }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/** Resolves when `server` has stopped listening and its last connection has closed. */
export function closedPromise(server: Server): Promise<void> {
  return new Promise((resolve) => server.once('close', () => resolve()));
}

/**
 * Binds `server` and adds its extra accept descriptors (accept-handles.ts); `closed` resolves
 * once the server has closed (an object, since a resolved promise cannot hold a promise). Errors after the bind are the connections' own business.
 */
export async function bindAccepting(
  server: Server,
  handles: AcceptHandles,
  address: string,
  port: number,
  reusePort: boolean,
): Promise<{ closed: Promise<void> }> {
  await listenOn(server, address, port, reusePort);
  await handles.open();
  server.on('error', () => {});
  return { closed: closedPromise(server) };
}

/** Stops accepting on the server's own descriptor and on its extra ones. */
export function stopAccepting(server: Server, handles: AcceptHandles): void {
  server.close();
  handles.close();
}

/** Every raw connection of a server, so they can be counted, reported and destroyed together. */
export class SocketSet {
  private readonly sockets = new Set<Socket>();
  private readonly emptyWaiters: (() => void)[] = [];
  private info: ConnectionInfo;

  constructor(
    private readonly observer: DataPlaneObserver | undefined,
    gateway: string,
    private readonly protocol: 'HTTP' | 'HTTPS',
  ) {
    this.info = { gateway, protocol };
  }

  /** Connections opened from now on are reported as the Gateway's. */
  setGateway(gateway: string): void {
    if (this.info.gateway !== gateway) this.info = { gateway, protocol: this.protocol };
  }

  add(socket: Socket): void {
    this.sockets.add(socket);
    const { observer, info } = this;
    observer?.onConnection('open', info);
    socket.once('close', () => {
      this.sockets.delete(socket);
      observer?.onConnection('close', info);
      if (this.sockets.size === 0) for (const resolve of this.emptyWaiters.splice(0)) resolve();
    });
  }

  /** Resolves once no connection is open (at once if none is). */
  empty(): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  get size(): number {
    return this.sockets.size;
  }
}
