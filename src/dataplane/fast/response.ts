// A response written by the gateway on a fast-engine connection, with the `ClientResponse` shape
// node:http's ServerResponse has, so the answers shared with the node:http engine (404, redirects,
// CORS preflights, direct responses) and the undici exchange (h2c clusters, mirrored requests)
// run unchanged on the fast engine. Framing follows node:http: Content-Length when given, else
// chunked (HTTP/1.1) or close-delimited (HTTP/1.0); no body for HEAD, 1xx, 204 and 304.

import type { HeaderBag } from '../filters/headers.js';
import type { ClientResponse } from '../respond.js';
import type { FastConnection } from './connection.js';
import { bodylessStatus, CHUNKED_END, chunkPrefix, serializeHeaders, statusLine } from './head.js';
import type { ClientGone, FastRequest } from './request.js';

const FRAMING = new Set(['connection', 'transfer-encoding', 'keep-alive']);

export class FastResponse implements ClientResponse, ClientGone {
  headersSent = false;
  statusCode = 200;
  writableEnded = false;
  private chunked = false;
  private bodyless = false;
  private closes = false;
  private pendingHead = '';
  private closeListeners: (() => void)[] | undefined;

  constructor(
    private readonly connection: FastConnection,
    private readonly request: FastRequest,
  ) {
    request.exchange = this;
  }

  get destroyed(): boolean {
    return this.connection.socket.destroyed;
  }

  writeHead(status: number, headers: HeaderBag = {}): this {
    const request = this.request;
    let lines = '';
    for (const name in headers) {
      if (!FRAMING.has(name)) lines += serializeHeaders({ [name]: headers[name] });
    }
    this.bodyless = request.isHead || bodylessStatus(status);
    const keepAlive = this.connection.keepsAlive(request);
    if (!this.bodyless && headers['content-length'] === undefined) {
      if (request.http11) {
        this.chunked = true;
        lines += 'transfer-encoding: chunked\r\n';
      } else {
        this.closes = true;
      }
    }
    if (this.closes || !keepAlive) lines += 'connection: close\r\n';
    else lines += 'connection: keep-alive\r\n';
    this.pendingHead = `${statusLine(status)}${lines}\r\n`;
    this.headersSent = true;
    this.statusCode = status;
    request.status = status;
    return this;
  }

  write(chunk: Buffer): boolean {
    if (this.writableEnded) return false;
    const socket = this.connection.socket;
    if (this.bodyless || chunk.length === 0) return this.flushHead();
    this.request.bytesOut += chunk.length;
    this.connection.cork();
    this.flushHead();
    let ok: boolean;
    if (this.chunked) {
      socket.write(chunkPrefix(chunk.length), 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
    } else {
      ok = socket.write(chunk);
    }
    socket.uncork();
    return ok && !this.connection.writesPending;
  }

  end(chunk?: Buffer | string): this {
    if (this.writableEnded) return this;
    if (!this.headersSent) this.writeHead(200);
    const socket = this.connection.socket;
    this.connection.cork();
    if (chunk !== undefined) this.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    else this.flushHead();
    if (this.chunked) socket.write(CHUNKED_END, 'latin1');
    socket.uncork();
    this.writableEnded = true;
    this.connection.responseDone(this.request, !this.closes);
    return this;
  }

  destroy(): this {
    this.connection.socket.destroy();
    return this;
  }

  on(event: 'drain' | 'close', listener: () => void): this {
    return this.once(event, listener);
  }

  once(event: 'drain' | 'close', listener: () => void): this {
    if (event === 'drain') this.connection.onceDrain(listener);
    else if (this.closeListeners === undefined) this.closeListeners = [listener];
    else this.closeListeners.push(listener);
    return this;
  }

  clientGone(): void {
    const listeners = this.closeListeners;
    this.closeListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }

  private flushHead(): boolean {
    if (this.pendingHead === '') return true;
    const head = this.pendingHead;
    this.pendingHead = '';
    return this.connection.write(head);
  }
}
