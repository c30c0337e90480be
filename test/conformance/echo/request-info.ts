/**
 * What the upstream echo server reports about a request: the `RequestAssertions` JSON (path, host,
 * method, proto, headers, httpPort, pod context and TLS details), built from a Node HTTP/1 or
 * HTTP/2 request the way Go's net/http would have parsed it. Go drops `Host` and
 * `Transfer-Encoding` from the header map (and `Content-Length` when the body is chunked), turns
 * `Pragma: no-cache` into an added `Cache-Control: no-cache`, joins HTTP/2 cookies with "; ", and
 * canonicalises every name; the map's keys come out sorted because Go's JSON sorts map keys.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { TLSSocket } from 'node:tls';
import { bytesToUtf8, canonicalHeaderKey } from './go-http.js';

export type EchoRequest = IncomingMessage | Http2ServerRequest;

/** Where the echo server runs: the pod's downward-API environment. */
export interface EchoContext {
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

export interface TlsAssertions {
  version: string;
  peerCertificates?: string[];
  serverName: string;
  negotiatedProtocol?: string;
  cipherSuite: string;
}

export interface RequestAssertions extends EchoContext {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  httpPort: string;
  tls?: TlsAssertions;
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;

export function isHttp2(req: EchoRequest): req is Http2ServerRequest {
  return req.httpVersionMajor === 2;
}

/** Go's `Request.RequestURI`: the request target exactly as it arrived (HTTP/2: `:path`). */
export function requestUri(req: EchoRequest): string {
  return req.url ?? '';
}

/** Go's `Request.Host`: `:authority` on HTTP/2, else the URL's host for absolute-form, else `Host`. */
export function requestHost(req: EchoRequest): string {
  if (isHttp2(req)) return req.authority || (req.headers.host ?? '');
  const absolute = ABSOLUTE_FORM.exec(requestUri(req));
  return absolute ? absolute[1]! : (req.headers.host ?? '');
}

/** All values of one header, in arrival order, matched the way Go matches a canonical key. */
export function headerValues(req: EchoRequest, name: string): string[] {
  return requestHeaders(req)[canonicalHeaderKey(name)] ?? [];
}

/** Go's `Request.Header` as a plain object with sorted canonical keys. */
export function requestHeaders(req: EchoRequest): Record<string, string[]> {
  const raw = req.rawHeaders;
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.startsWith(':') || name.toLowerCase() === 'host') continue;
    const key = canonicalHeaderKey(name);
    headers.set(key, [...(headers.get(key) ?? []), bytesToUtf8(raw[i + 1]!)]);
  }
  applyGoHeaderRules(headers, isHttp2(req));
  return Object.fromEntries([...headers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function applyGoHeaderRules(headers: Map<string, string[]>, http2: boolean): void {
  if (http2) {
    const cookies = headers.get('Cookie');
    if (cookies && cookies.length > 1) headers.set('Cookie', [cookies.join('; ')]);
    return;
  }
  const transferEncoding = headers.get('Transfer-Encoding');
  if (transferEncoding) {
    headers.delete('Transfer-Encoding');
    if (transferEncoding.join(',').toLowerCase().includes('chunked')) headers.delete('Content-Length');
  }
  if (headers.get('Pragma')?.[0] === 'no-cache' && !headers.has('Cache-Control')) {
    headers.set('Cache-Control', ['no-cache']);
  }
}

/** The TLS socket under a request, if it came over TLS. */
export function tlsSocketOf(req: EchoRequest): TLSSocket | undefined {
  const socket = isHttp2(req) ? req.stream.session?.socket : req.socket;
  return socket instanceof TLSSocket ? socket : undefined;
}

/** Go's `pem.Encode` of a DER certificate. */
function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The chain the client presented, leaf first. Node appends the issuing CA from the server's own
 * trust store when the client did not send it; Go reports only what was sent, so certificates
 * from `trustedCaFingerprints` are left off.
 */
function peerCertificates(socket: TLSSocket, trustedCaFingerprints: ReadonlySet<string>): string[] {
  const pems: string[] = [];
  const seen = new Set<string>();
  let cert = socket.getPeerCertificate(true);
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    if (pems.length === 0 || !trustedCaFingerprints.has(cert.fingerprint256)) pems.push(toPem(cert.raw));
    cert = cert.issuerCertificate;
  }
  return pems;
}

/** Go's `tlsStateToAssertions`; optional fields are left out when empty, as `omitempty` does. */
export function tlsAssertions(
  req: EchoRequest,
  trustedCaFingerprints: ReadonlySet<string>,
): TlsAssertions | undefined {
  const socket = tlsSocketOf(req);
  if (!socket) return undefined;
  const peers = peerCertificates(socket, trustedCaFingerprints);
  const alpn = socket.alpnProtocol;
  return {
    version: socket.getProtocol() ?? '',
    ...(peers.length > 0 ? { peerCertificates: peers } : {}),
    serverName: typeof socket.servername === 'string' ? socket.servername : '',
    ...(alpn ? { negotiatedProtocol: alpn } : {}),
    cipherSuite: socket.getCipher().standardName,
  };
}

/** The echo body, with keys in upstream's struct order. */
export function requestAssertions(
  req: EchoRequest,
  context: EchoContext,
  httpPort: string,
  trustedCaFingerprints: ReadonlySet<string>,
): RequestAssertions {
  const assertions: RequestAssertions = {
    path: bytesToUtf8(requestUri(req)),
    host: bytesToUtf8(requestHost(req)),
    method: req.method ?? '',
    proto: `HTTP/${req.httpVersion}`,
    headers: requestHeaders(req),
    httpPort,
    namespace: context.namespace,
    ingress: context.ingress,
    service: context.service,
    pod: context.pod,
  };
  const tls = tlsAssertions(req, trustedCaFingerprints);
  if (tls) assertions.tls = tls;
  return assertions;
}
