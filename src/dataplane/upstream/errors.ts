// How upstream failures become client statuses: our own deadlines (route timeouts) and undici's
// header/body timeouts are 504; refused, reset or otherwise failed connections are 502. The
// error kind (connect, reset, timeout) is what metrics and access logs report.

import type { ExchangeErrorKind } from '../types.js';

export class UpstreamTimeoutError extends Error {
  readonly code = 'GATEHOUSE_UPSTREAM_TIMEOUT';
  constructor() {
    super('upstream request timed out');
  }
}

export class ClientGoneError extends Error {
  readonly code = 'GATEHOUSE_CLIENT_GONE';
  constructor() {
    super('client closed the request');
  }
}

const TIMEOUT_CODES = new Set([
  'GATEHOUSE_UPSTREAM_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function statusForUpstreamError(err: unknown): 502 | 504 {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUT_CODES.has(code) ? 504 : 502;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_HTTP2_STREAM_ERROR']);

export function upstreamErrorKind(err: unknown): ExchangeErrorKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'other';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (CONNECT_CODES.has(code)) return 'connect';
  if (RESET_CODES.has(code)) return 'reset';
  return code === 'GATEHOUSE_CLIENT_GONE' ? 'client_abort' : 'other';
}
