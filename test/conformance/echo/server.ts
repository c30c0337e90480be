/**
 * `startEcho()`: the upstream echo-basic server in HTTP mode, in process. Three listeners as
 * upstream: HTTP/1.1 on the HTTP port; h2c on its own port (a connection that opens with the
 * HTTP/2 preface goes to an HTTP/2 server, anything else to an HTTP/1.1 server that answers 400);
 * and, when a certificate is given, HTTPS offering h2 and http/1.1 by ALPN (Go's server does too),
 * asking for a client certificate and verifying it against the client CAs only when those are
 * given and only if the client sends one (Go's `VerifyClientCertIfGiven`).
 */

import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttp2Server, createSecureServer, type Http2ServerRequest } from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { type EchoRuntime, serveH2c, serveHttp } from './handlers.js';
import type { EchoContext, EchoRequest } from './request-info.js';
import type { EchoResponse } from './respond.js';
import { createUpgradeHandler } from './websocket.js';

export interface EchoTlsOptions {
  /** PEM server certificate (chain). */
  cert: string | Buffer;
  /** PEM private key. */
  key: string | Buffer;
  /** PEM client CA bundle; when set, a client certificate is asked for and verified if sent. */
  clientCa?: string | Buffer;
  /** Default 8443; 0 picks a free port. */
  port?: number;
}

export interface EchoServerOptions {
  /** Bind address; default every interface. */
  host?: string;
  /** Default 3000; 0 picks a free port. */
  httpPort?: number;
  /** Default 3001; 0 picks a free port. */
  h2cPort?: number;
  /** Serve HTTPS as well. */
  https?: EchoTlsOptions;
  context?: Partial<EchoContext>;
  /** The `httpPort` field of echo bodies; default the bound HTTP port. */
  httpPortLabel?: string;
  /** One stdout line; default process.stdout. */
  log?: (line: string) => void;
}

export interface EchoServer {
  readonly httpPort: number;
  readonly h2cPort: number;
  readonly httpsPort: number | undefined;
  close(): Promise<void>;
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const MAX_TIMER_MS = 2 ** 31 - 1;

type Listener = Server | HttpServer;

export async function startEcho(options: EchoServerOptions = {}): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<() => void>();
  const rt: EchoRuntime = {
    context: { namespace: '', ingress: '', service: '', pod: '', ...options.context },
    httpPort: options.httpPortLabel ?? '',
    trustedCaFingerprints: caFingerprints(options.https?.clientCa),
    log: options.log ?? ((line) => process.stdout.write(line + '\n')),
    sleep: (ms) => cancellableSleep(ms, timers),
    retryAttempts: new Map(),
  };
  const plain = (req: EchoRequest, res: EchoResponse, o = { bodyAvailable: true }) =>
    serveHttp(rt, req, res, o);
  const upgrades = createUpgradeHandler(rt, plain);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    upgrades.handle(req, socket, head);

  const http = createHttpServer({ keepAliveTimeout: 0 }, (req, res) => plain(req, res));
  http.on('upgrade', onUpgrade);
  const h2c = createH2cListener(rt);
  const https = options.https ? createHttpsListener(options.https, plain, onUpgrade) : undefined;
  const listeners: Listener[] = [http, h2c, ...(https ? [https] : [])];
  for (const listener of listeners) trackSockets(listener, sockets);

  const close = async () => {
    upgrades.close();
    for (const cancel of timers) cancel();
    for (const socket of sockets) socket.destroy();
    await Promise.all(listeners.map((l) => new Promise((resolve) => l.close(resolve))));
  };
  try {
    const host = options.host;
    const httpPort = await listen(http, options.httpPort ?? 3000, host);
    const h2cPort = await listen(h2c, options.h2cPort ?? 3001, host);
    const httpsPort = https ? await listen(https, options.https?.port ?? 8443, host) : undefined;
    rt.httpPort = options.httpPortLabel ?? String(httpPort);
    rt.log(`Starting server, listening on port ${httpPort} (http)`);
    rt.log(`Starting server, listening on port ${h2cPort} (h2c)`);
    if (httpsPort !== undefined) rt.log(`Starting server, listening on port ${httpsPort} (https)`);
    return { httpPort, h2cPort, httpsPort, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function caFingerprints(bundle: string | Buffer | undefined): Set<string> {
  const pems = bundle?.toString().match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return new Set(pems.map((pem) => new X509Certificate(pem).fingerprint256));
}

function cancellableSleep(ms: number, timers: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      timers.delete(finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.min(ms, MAX_TIMER_MS));
    timers.add(finish);
  });
}

function trackSockets(listener: Listener, sockets: Set<Socket>): void {
  listener.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

function listen(listener: Listener, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, host, () => {
      listener.off('error', reject);
      const address = listener.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** The h2c port: sniff the first bytes, hand HTTP/2 to one server and HTTP/1 to another. */
function createH2cListener(rt: EchoRuntime): Server {
  const serve = (req: EchoRequest, res: EchoResponse) => serveH2c(rt, req, res, { bodyAvailable: true });
  const http1 = createHttpServer({ keepAliveTimeout: 0 }, serve);
  const http2 = createHttp2Server(serve);
  return createNetServer((socket) => {
    socket.on('error', () => socket.destroy());
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const length = Math.min(seen.length, HTTP2_PREFACE.length);
      const isPreface = seen.subarray(0, length).equals(HTTP2_PREFACE.subarray(0, length));
      if (isPreface && seen.length < HTTP2_PREFACE.length) return;
      socket.off('data', onData);
      socket.pause();
      socket.unshift(seen);
      if (isPreface) {
        http2.emit('connection', socket);
      } else {
        http1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
}

type PlainHandler = (req: EchoRequest, res: EchoResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function createHttpsListener(tls: EchoTlsOptions, plain: PlainHandler, onUpgrade: UpgradeListener): Server {
  const verifyClients = tls.clientCa !== undefined;
  const server = createSecureServer({
    allowHTTP1: true,
    cert: tls.cert,
    key: tls.key,
    ...(verifyClients ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
  });
  server.on('request', (req: Http2ServerRequest | IncomingMessage, res: EchoResponse) => plain(req, res));
  server.on('upgrade', onUpgrade);
  if (verifyClients) server.on('secureConnection', rejectUnverifiedClientCert);
  return server;
}

/** `VerifyClientCertIfGiven`: no certificate is fine, an unverifiable one ends the connection. */
function rejectUnverifiedClientCert(socket: TLSSocket): void {
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  if (presented && !socket.authorized) socket.destroy();
}
