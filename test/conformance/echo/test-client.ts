/**
 * Small clients for the echo tests: one HTTP/1.1 exchange with node:http(s) on a fresh connection
 * (raw header names kept), one HTTP/2 exchange with node:http2, and a raw TCP exchange that returns
 * every byte the server sent until it closed.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect as http2Connect, type SecureClientSessionOptions } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';

export interface TlsClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

export interface HttpExchange {
  status: number;
  /** Response header names as sent, alternating with values. */
  rawHeaders: string[];
  headers: IncomingHttpHeaders;
  body: string;
  /** The local port of the client connection, as the server saw it in RemoteAddr. */
  localPort: number;
}

export interface HttpRequestInit {
  method?: string;
  /** A flat [name, value, …] list keeps names and repeats exactly. */
  headers?: string[] | OutgoingHttpHeaders;
  body?: string;
  tls?: TlsClientOptions;
}

/** A flat header list gets no automatic Host from node:http, so add one as a client would. */
function withHost(headers: HttpRequestInit['headers'], host: string): HttpRequestInit['headers'] {
  if (!Array.isArray(headers)) return headers;
  const hasHost = headers.some((value, i) => i % 2 === 0 && value.toLowerCase() === 'host');
  return hasHost ? headers : ['Host', host, ...headers];
}

/**
 * One HTTP/1.1 request on its own connection; the path and query are sent exactly as written in
 * `url` (no re-encoding). Rejects on transport errors (e.g. ECONNRESET).
 */
export function fetchOnce(url: string, init: HttpRequestInit = {}): Promise<HttpExchange> {
  const target = new URL(url);
  const path = url.slice(target.origin.length) || '/';
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const options = {
    hostname: target.hostname,
    port: target.port,
    path,
    method: init.method ?? 'GET',
    headers: withHost(init.headers, target.host),
    agent: false,
    ...init.tls,
  };
  return new Promise((resolve, reject) => {
    let localPort = 0;
    const req = send(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          rawHeaders: res.rawHeaders,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          localPort,
        }),
      );
    });
    req.on('socket', (socket) => socket.on('connect', () => (localPort = socket.localPort ?? 0)));
    req.on('error', reject);
    req.end(init.body);
  });
}

export interface Http2Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/2 request on its own session (`http://` is h2c with prior knowledge). */
export function fetchHttp2(
  origin: string,
  headers: OutgoingHttpHeaders,
  options: SecureClientSessionOptions = {},
): Promise<Http2Exchange> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(origin, options);
    session.on('error', reject);
    const stream = session.request(headers);
    const chunks: Buffer[] = [];
    let status = 0;
    let responseHeaders: Http2Exchange['headers'] = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => {
      session.close();
      reject(error);
    });
    stream.on('end', () => {
      session.close();
      resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') });
    });
    stream.end();
  });
}

/** Writes raw bytes and collects the reply until the server closes the connection. */
export function rawExchange(port: number, text: string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, host, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** The value of one header from a raw name/value list, matched by exact name. */
export function rawHeaderValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    if (rawHeaders[i] === name) values.push(rawHeaders[i + 1]!);
  return values;
}
