/**
 * The suite's HTTP client (conformance/utils/roundtripper) over node:http, node:https and
 * node:http2: a fresh connection per request (keep-alives off), the test's Host header, header
 * names in Go's canonical form, a per-request timeout, HTTP/2 with prior knowledge over cleartext
 * (`H2C_PRIOR_KNOWLEDGE`) or over TLS (`H2`), and TLS that trusts the given certificate, checks
 * the server name as Go does, and presents a client certificate when the case has one. The echo server's
 * JSON body is parsed only when Content-Type is exactly application/json. Redirects are not
 * followed (every redirect case upstream sets UnfollowRedirect; following one would leave loopback).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type IncomingHttpHeaders as H2Headers, constants as h2, connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { checkGoServerIdentity } from './go-tls.js';

export const H2C_PRIOR_KNOWLEDGE = 'H2C_PRIOR_KNOWLEDGE';
export const H2_PROTOCOL = 'H2';

export interface TlsOptions {
  /** The server name to send (SNI) and verify. */
  serverName: string;
  /** The certificate (or CA) the client trusts. */
  caPem: string;
  /** A client certificate to present, when the case gives one. */
  clientCertPem?: string;
  clientKeyPem?: string;
}

export interface Request {
  scheme: 'http' | 'https';
  /** host:port to connect to (the Gateway address). */
  address: string;
  /** The path, with its raw query after `?`. */
  path: string;
  /** The Host header; the address (without a default port) when empty. */
  host?: string;
  method: string;
  protocol?: string;
  headers: Record<string, string>;
  body?: string;
  tls?: TlsOptions;
  timeoutMs: number;
}

export interface CapturedRequest {
  path: string;
  host: string;
  method: string;
  proto?: string;
  headers?: Record<string, string[]>;
  httpPort?: string;
  namespace: string;
  pod: string;
  tls?: { version?: string; serverName?: string; negotiatedProtocol?: string; peerCertificates?: string[] };
}

export interface RedirectRequest {
  scheme: string;
  host: string;
  port: string;
  path: string;
}

export interface CapturedResponse {
  statusCode: number;
  protocol: string;
  /** Lower-cased names; one entry per header line. */
  headers: Record<string, string[]>;
  redirect?: RedirectRequest;
  body: string;
}

export interface RoundTrip {
  request: CapturedRequest;
  response: CapturedResponse;
}

/** Go's CanonicalMIMEHeaderKey: `x-echo-set-header` → `X-Echo-Set-Header`. */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name
    .split('-')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

/** Host header value: the address without the scheme's default port, as Go's CalculateHost. */
export function defaultHost(address: string, scheme: string): string {
  const idx = address.lastIndexOf(':');
  if (idx < 0) return address;
  const port = address.slice(idx + 1);
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443'))
    return address.slice(0, idx);
  return address;
}

export async function captureRoundTrip(req: Request): Promise<RoundTrip> {
  const response =
    req.protocol === H2C_PRIOR_KNOWLEDGE || req.protocol === H2_PROTOCOL
      ? await sendHttp2(req)
      : await sendHttp1(req);
  return { request: captureEcho(req, response), response };
}

function captureEcho(req: Request, res: CapturedResponse): CapturedRequest {
  const contentType = res.headers['content-type'];
  if (contentType?.length === 1 && contentType[0] === 'application/json') {
    try {
      return JSON.parse(res.body) as CapturedRequest;
    } catch (error) {
      throw new Error(`unexpected error reading response: ${(error as Error).message}`);
    }
  }
  // Not an echo: assume the request was made as asked, as upstream does.
  return { path: '', host: '', method: req.method, namespace: '', pod: '' };
}

function splitAddress(address: string): { hostname: string; port: number } {
  const idx = address.lastIndexOf(':');
  return { hostname: address.slice(0, idx).replace(/^\[|\]$/g, ''), port: Number(address.slice(idx + 1)) };
}

function outgoingHeaders(req: Request): [string, string][] {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(req.headers)) headers.push([canonicalHeaderName(name), value]);
  return headers;
}

function tlsConnectOptions(tls: TlsOptions | undefined) {
  if (!tls) return {};
  return {
    servername: tls.serverName,
    ca: tls.caPem,
    ...(tls.clientCertPem && tls.clientKeyPem ? { cert: tls.clientCertPem, key: tls.clientKeyPem } : {}),
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      checkGoServerIdentity(tls.serverName, cert),
  };
}

function sendHttp1(req: Request): Promise<CapturedResponse> {
  const { hostname, port } = splitAddress(req.address);
  const headers = [
    ['Host', req.host || defaultHost(req.address, req.scheme)],
    ...outgoingHeaders(req),
  ].flat();
  if (req.body) headers.push('Content-Length', String(Buffer.byteLength(req.body)));
  const send = req.scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      {
        hostname,
        port,
        path: req.path,
        method: req.method,
        headers,
        agent: false,
        timeout: req.timeoutMs,
        ...(req.scheme === 'https' ? tlsConnectOptions(req.tls) : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const response: CapturedResponse = {
            statusCode: res.statusCode ?? 0,
            protocol: `HTTP/${res.httpVersion}`,
            headers: headerLines(res.rawHeaders),
            body: Buffer.concat(chunks).toString('utf8'),
          };
          resolve(withRedirect(response, req));
        });
      },
    );
    const timer = setTimeout(
      () => request.destroy(new Error(`request timed out after ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(req.body);
  });
}

function sendHttp2(req: Request): Promise<CapturedResponse> {
  const authority = req.host || defaultHost(req.address, req.scheme);
  const origin = `${req.scheme}://${req.address}`;
  return new Promise((resolve, reject) => {
    const session = http2Connect(origin, {
      ...tlsConnectOptions(req.tls),
      ...(req.tls ? { ALPNProtocols: ['h2'] } : {}),
    });
    const fail = (error: Error) => {
      session.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`request timed out after ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    session.on('error', fail);
    const headers: Record<string, string> = {
      [h2.HTTP2_HEADER_METHOD]: req.method,
      [h2.HTTP2_HEADER_PATH]: req.path,
      [h2.HTTP2_HEADER_SCHEME]: req.scheme,
      [h2.HTTP2_HEADER_AUTHORITY]: authority,
    };
    for (const [name, value] of outgoingHeaders(req)) headers[name.toLowerCase()] = value;
    const stream = session.request(headers, { endStream: !req.body });
    const chunks: Buffer[] = [];
    let responseHeaders: H2Headers = {};
    stream.on('response', (h) => {
      responseHeaders = h;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', fail);
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      const response: CapturedResponse = {
        statusCode: Number(responseHeaders[h2.HTTP2_HEADER_STATUS] ?? 0),
        protocol: 'HTTP/2.0',
        headers: headerObject(responseHeaders),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      resolve(withRedirect(response, req));
    });
    if (req.body) stream.end(req.body);
  });
}

function headerLines(raw: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    out[name] = [...(out[name] ?? []), raw[i + 1]!];
  }
  return out;
}

function headerObject(headers: IncomingHttpHeaders | H2Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value : [String(value)];
  }
  return out;
}

const REDIRECT_CODES = new Set([300, 301, 302, 303, 304, 305, 307, 308]);

export function isRedirect(status: number): boolean {
  return REDIRECT_CODES.has(status);
}

export function isTimeoutError(status: number): boolean {
  return status === 408 || status === 504;
}

/**
 * Parses Location like Go's resp.Location(): a relative reference resolves against the request URL,
 * whose host is the Gateway address (the Host header is separate in Go's request).
 */
function withRedirect(response: CapturedResponse, req: Request): CapturedResponse {
  if (!isRedirect(response.statusCode)) return response;
  const location = response.headers.location?.[0];
  if (location === undefined) throw new Error('http: no Location header in response');
  const base = new URL(`${req.scheme}://${defaultHost(req.address, req.scheme)}${req.path}`);
  const url = new URL(location, base);
  const scheme = url.protocol.replace(/:$/, '');
  // WHATWG URL drops a default port; Go keeps what Location says, so read it from the text.
  const explicitPort = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)/i.exec(location)?.[1];
  return {
    ...response,
    redirect: {
      scheme,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: explicitPort ?? url.port,
      path: url.pathname,
    },
  };
}
