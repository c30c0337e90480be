// The fast HTTP/1.1 engine of one plain listener: takes the connections the listener has sniffed
// as HTTP/1.x, keeps them (to drain or close them), closes those idle for longer than the
// keep-alive timeout (or silent for HEAD_STALL_TIMEOUT_MS inside a request head), and hands each
// request to handle.ts and each WebSocket upgrade to the tunnel of upgrade.ts.

import type { Socket } from 'node:net';
import type { CompiledPort } from '../config/types.js';
import type { ExchangeSet } from '../exchange.js';
import { serveWebSocket } from '../upgrade.js';
import { FastConnection, type FastListener } from './connection.js';
import { serveFastRequest } from './handle.js';
import { headerObject } from './head.js';
import type { FastRequest } from './request.js';
import { everySecond, type Sweep } from './sweeper.js';

/** A connection that received part of a request head and then nothing for this long is closed. */
export const HEAD_STALL_TIMEOUT_MS = 5_000;

export class FastEngine implements FastListener {
  retired = false;
  private readonly connections = new Set<FastConnection>();
  private readonly sweep: Sweep;

  constructor(
    private readonly currentConfig: () => CompiledPort,
    private readonly exchanges: ExchangeSet,
    keepAliveTimeoutMs: number,
  ) {
    this.sweep = everySecond((now) => {
      for (const connection of this.connections) {
        connection.expireIdle(now - keepAliveTimeoutMs, now - HEAD_STALL_TIMEOUT_MS);
      }
    });
  }

  get config(): CompiledPort {
    return this.currentConfig();
  }

  /** Serves `socket`, whose first bytes (`first`) were already read. */
  accept(socket: Socket, first: Buffer): void {
    const connection = new FastConnection(socket, this);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    connection.start(first);
  }

  serve(connection: FastConnection, request: FastRequest): void {
    request.record = this.exchanges.beginOwn(this.config.gateway, request);
    serveFastRequest(connection, request, request.record);
  }

  upgrade(connection: FastConnection, request: FastRequest, head: Buffer): void {
    this.connections.delete(connection);
    const { method, url } = request;
    const httpVersion = request.http11 ? '1.1' : '1.0';
    const view = { method, url, httpVersion, headers: headerObject(request.raw), socket: connection.socket };
    serveWebSocket(this.config, view, connection.socket, head, this.exchanges);
  }

  /** Draining: idle connections close now, the others after their current response. */
  retire(): void {
    this.retired = true;
    this.closeIdle();
  }

  close(): void {
    this.retired = true;
    this.sweep.cancel();
  }

  /** Closes every idle connection (draining). */
  closeIdle(): void {
    for (const connection of this.connections) connection.closeIfIdle();
  }
}
