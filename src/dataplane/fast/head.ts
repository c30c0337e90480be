// Message heads as the fast engine reads and writes them. The parser hands over headers as a flat
// [name, value, ...] array in their received case; one pass over it (`scanRequest`) finds what
// routing and framing need, and the upstream head is written by copying the pairs that may cross
// the proxy straight into one string, names untouched — no header object per request. Requests
// whose filters edit headers go through the header-object path shared with the node:http engine
// (`headerObject` → proxy.ts → `serializeHeaders`), so both engines edit headers identically.

import { STATUS_CODES } from 'node:http';
import type { HeaderBag } from '../filters/headers.js';

/** Lower-case `name` equals `lower` (ASCII letters folded). */
export function sameName(name: string, lower: string): boolean {
  const length = lower.length;
  if (name.length !== length) return false;
  for (let i = 0; i < length; i++) {
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** What one pass over a request's headers learns. */
export interface RequestScan {
  /** Host header as received ('' when absent). */
  authority: string;
  /** X-Forwarded-For as received ('' when absent). */
  forwardedFor: string;
  /** Transfer-Encoding chunked: the body is re-chunked upstream. */
  chunked: boolean;
  /** A body follows (chunked, or a non-zero Content-Length). */
  hasBody: boolean;
  /** Expect: 100-continue. */
  expectContinue: boolean;
  /** Connection lists names other than keep-alive/close/upgrade: those must be dropped too. */
  connectionNames: boolean;
  /** The Upgrade header, lower-cased ('' when absent). */
  upgrade: string;
  /** X-Request-Id as received (undefined when absent). */
  requestIdHeader: string | undefined;
}

export function scanRequest(raw: readonly string[], out: RequestScan): void {
  out.authority = '';
  out.forwardedFor = '';
  out.chunked = false;
  out.hasBody = false;
  out.expectContinue = false;
  out.connectionNames = false;
  out.upgrade = '';
  out.requestIdHeader = undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    switch (name.length) {
      case 4:
        if (sameName(name, 'host')) out.authority = raw[i + 1] as string;
        break;
      case 6:
        if (sameName(name, 'expect'))
          out.expectContinue = (raw[i + 1] as string).toLowerCase() === '100-continue';
        break;
      case 7:
        if (sameName(name, 'upgrade')) out.upgrade = (raw[i + 1] as string).toLowerCase();
        break;
      case 10:
        if (sameName(name, 'connection')) out.connectionNames ||= listsOtherNames(raw[i + 1] as string);
        break;
      case 12:
        if (sameName(name, 'x-request-id')) out.requestIdHeader = raw[i + 1] as string;
        break;
      case 14:
        if (sameName(name, 'content-length')) out.hasBody ||= (raw[i + 1] as string) !== '0';
        break;
      case 15:
        if (sameName(name, 'x-forwarded-for')) {
          const value = raw[i + 1] as string;
          out.forwardedFor = out.forwardedFor === '' ? value : `${out.forwardedFor}, ${value}`;
        }
        break;
      case 17:
        if (sameName(name, 'transfer-encoding')) {
          out.chunked = true;
          out.hasBody = true;
        }
        break;
    }
  }
}

function listsOtherNames(connection: string): boolean {
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'keep-alive' && name !== 'close' && name !== 'upgrade') return true;
  }
  return false;
}

/**
 * Whether a request header stays on the client's side of the proxy: hop-by-hop headers, Expect
 * (answered here), Host, X-Request-Id and the X-Forwarded-* set the proxy writes itself.
 */
export function isProxyOwnedRequestHeader(name: string): boolean {
  switch (name.length) {
    case 2:
      return sameName(name, 'te');
    case 4:
      return sameName(name, 'host');
    case 6:
      return sameName(name, 'expect');
    case 7:
      return sameName(name, 'upgrade') || sameName(name, 'trailer');
    case 10:
      return sameName(name, 'connection') || sameName(name, 'keep-alive');
    case 12:
      return sameName(name, 'x-request-id');
    case 14:
      return sameName(name, 'http2-settings');
    case 15:
      return sameName(name, 'x-forwarded-for');
    case 16:
      return sameName(name, 'proxy-connection') || sameName(name, 'x-forwarded-host');
    case 17:
      return sameName(name, 'transfer-encoding') || sameName(name, 'x-forwarded-proto');
    default:
      return false;
  }
}

/** Response hop-by-hop headers (RFC 9110 §7.6.1); the proxy writes its own framing. */
export function isHopByHopResponseHeader(name: string): boolean {
  switch (name.length) {
    case 2:
      return sameName(name, 'te');
    case 7:
      return sameName(name, 'upgrade') || sameName(name, 'trailer');
    case 10:
      return sameName(name, 'connection') || sameName(name, 'keep-alive');
    case 16:
      return sameName(name, 'proxy-connection');
    case 17:
      return sameName(name, 'transfer-encoding');
    default:
      return false;
  }
}

/** The pairs of `raw` except those `skip` rejects, as `name: value\r\n` lines. */
export function copyHeaders(raw: readonly string[], skip: (name: string) => boolean): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!skip(name)) out += `${name}: ${raw[i + 1]}\r\n`;
  }
  return out;
}

/**
 * The headers as node:http presents them: names lower-cased, repeated values joined with ', '
 * (set-cookie kept as a list). For the paths shared with the node:http engine.
 */
export function headerObject(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const existing = out[name];
    if (existing === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = `${existing}, ${value}`;
  }
  return out;
}

/** A value node:http would refuse to write (CR, LF, NUL and other controls, or beyond Latin-1). */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const VALID_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `name: value\r\n` lines of a header object; throws on a name or value that is not valid. */
export function serializeHeaders(headers: HeaderBag): string {
  let out = '';
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!VALID_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    for (const v of Array.isArray(value) ? value : [value]) {
      const text = String(v);
      if (INVALID_VALUE.test(text)) throw new TypeError(`invalid value for header ${name}`);
      out += `${name}: ${text}\r\n`;
    }
  }
  return out;
}

const statusLines: string[] = [];

/** `HTTP/1.1 <status> <reason>\r\n`, cached per status. */
export function statusLine(status: number): string {
  let line = statusLines[status];
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    if (status >= 100 && status < 1000) statusLines[status] = line;
  }
  return line;
}

/** Statuses whose responses never carry a body. */
export function bodylessStatus(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/** A chunk of a chunked body: size line, data, CRLF (as the parts of one write). */
export function chunkPrefix(length: number): string {
  return `${length.toString(16)}\r\n`;
}

export const CHUNKED_END = '0\r\n\r\n';
