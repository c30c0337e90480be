// What the runtime needs from a bound listener socket, whatever its protocol, plus the pieces
// both implementations share: binding with the error reported, and connection bookkeeping so a
// retired server drains and a closed data plane lets the process exit.

import type { Server, Socket } from 'node:net';
import type { CompiledPort } from '../config/types.js';

export interface BoundServer {
  readonly address: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Makes `config` the one new requests on this server use. */
  update(config: CompiledPort): void;
  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, ...). */
  listen(reusePort: boolean): Promise<void>;
  /** Stops accepting; open connections finish their requests and close (see RETIRE_GRACE_MS). */
  retire(): void;
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
 * and they retry after 1 s, 3 s, 7 s — the multi-second tails measured at 1,000 connections.
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

/** Every raw connection of a server, so they can be destroyed together. */
export class SocketSet {
  private readonly sockets = new Set<Socket>();

  add(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  get size(): number {
    return this.sockets.size;
  }
}
