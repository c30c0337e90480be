// How upstream failures become client statuses: our own deadlines (route timeouts) and undici's
// header/body timeouts are 504; refused, reset or otherwise failed connections are 502.

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
