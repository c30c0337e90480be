/**
 * HTTP/1.1 Upgrade requests on the HTTP and HTTPS ports. `/ws` becomes a WebSocket that sends every
 * message back (upstream: x/net/websocket with `io.Copy(ws, ws)`). Like x/net/websocket's
 * `Handler`, it refuses a handshake without a parseable Origin (403) and prints
 * "established websocket connection <origin>" (that package's `RemoteAddr` is the Origin).
 * Upstream echoes in text frames whatever came in; here each message keeps its own type, which a Go
 * client cannot tell apart and a `ws` client can. Any other path is an ordinary request to Go, so
 * Upgrade requests elsewhere are answered by the normal handler and the connection is closed.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EchoRuntime, ServeOptions } from './handlers.js';
import { routeRequest } from './handlers.js';
import { requestUri } from './request-info.js';
import type { EchoResponse } from './respond.js';

type PlainHandler = (req: IncomingMessage, res: EchoResponse, options: ServeOptions) => void;

export interface UpgradeHandler {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Drops every open WebSocket. */
  close(): void;
}

/** Go's `url.ParseRequestURI` accepts an absolute URI or an absolute path. */
function isParseableOrigin(origin: string | undefined): boolean {
  return origin !== undefined && /^([A-Za-z][A-Za-z0-9+.-]*:|\/)\S*$/.test(origin);
}

export function createUpgradeHandler(rt: EchoRuntime, plain: PlainHandler): UpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    verifyClient: (info, accept) => accept(isParseableOrigin(info.req.headers.origin), 403),
  });
  return {
    handle(req, socket, head) {
      if (routeRequest(requestUri(req)).kind !== 'ws') {
        serveAsPlainRequest(req, socket, head, plain);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        rt.log(`established websocket connection ${req.headers.origin ?? ''}`);
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
        ws.on('error', () => ws.terminate());
      });
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/** Answers an Upgrade request with the normal handler on the raw socket, then closes it. */
function serveAsPlainRequest(req: IncomingMessage, socket: Duplex, head: Buffer, plain: PlainHandler): void {
  if (head.length > 0) socket.unshift(head);
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as ServerResponse['socket'] & object);
  res.on('finish', () => {
    res.detachSocket(socket as ServerResponse['socket'] & object);
    socket.end();
  });
  plain(req, res, { bodyAvailable: false });
}
