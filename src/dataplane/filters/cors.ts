// The CORS filter (HTTPRouteCORS). Preflights (OPTIONS with Origin and
// Access-Control-Request-Method) are answered by the gateway; actual requests from an allowed
// origin get Access-Control-Allow-Origin (always the request's origin, which is valid with or
// without credentials), -Allow-Credentials and -Expose-Headers. Origins are exact
// (`https://www.foo.com`), host wildcards (`https://*.bar.com`, one or more labels) or `*`.
// A `*` in allowMethods/allowHeaders echoes what the preflight asked for, so it also works when
// credentials are allowed (where a literal `*` means nothing to browsers).

import type { CorsIR } from '../../ir/types.js';

export interface Cors {
  readonly anyOrigin: boolean;
  readonly exactOrigins: ReadonlySet<string>;
  /** `https://*.bar.com` → ['https://', '.bar.com']. */
  readonly wildcardOrigins: readonly (readonly [string, string])[];
  readonly allowCredentials: boolean;
  /** Joined list, or undefined for `*` (echo the requested method). */
  readonly allowMethods: string | undefined;
  readonly allowHeaders: string | undefined;
  readonly anyHeader: boolean;
  readonly exposeHeaders: string | undefined;
  readonly maxAge: string | undefined;
}

export type HeaderPairs = [string, string][];

export function compileCors(ir: CorsIR): Cors {
  const origins = ir.allowOrigins.map((o) => o.toLowerCase());
  return {
    anyOrigin: origins.includes('*'),
    exactOrigins: new Set(origins.filter((o) => !o.includes('*'))),
    wildcardOrigins: origins
      .filter((o) => o !== '*' && o.includes('*'))
      .map((o) => [o.slice(0, o.indexOf('*')), o.slice(o.indexOf('*') + 1)] as const),
    allowCredentials: ir.allowCredentials,
    allowMethods: ir.allowMethods.includes('*') ? undefined : ir.allowMethods.join(', '),
    allowHeaders: ir.allowHeaders.includes('*') ? undefined : ir.allowHeaders.join(', '),
    anyHeader: ir.allowHeaders.includes('*'),
    exposeHeaders: ir.exposeHeaders.length > 0 ? ir.exposeHeaders.join(', ') : undefined,
    maxAge: ir.maxAge > 0 ? String(ir.maxAge) : undefined,
  };
}

export function originAllowed(cors: Cors, origin: string): boolean {
  if (cors.anyOrigin) return true;
  const lower = origin.toLowerCase();
  if (cors.exactOrigins.has(lower)) return true;
  for (const [head, tail] of cors.wildcardOrigins) {
    if (lower.length <= head.length + tail.length) continue;
    if (!lower.startsWith(head) || !lower.endsWith(tail)) continue;
    const label = lower.slice(head.length, lower.length - tail.length);
    if (!label.includes('/') && !label.includes(':')) return true;
  }
  return false;
}

export function isPreflight(method: string, origin: string | undefined, requestMethod: string | undefined) {
  return method === 'OPTIONS' && origin !== undefined && requestMethod !== undefined;
}

/** Headers of the gateway's preflight answer; only `vary` when the origin is not allowed. */
export function preflightHeaders(
  cors: Cors,
  origin: string,
  requestMethod: string,
  requestHeaders: string | undefined,
): HeaderPairs {
  const out: HeaderPairs = [['vary', 'origin']];
  if (!originAllowed(cors, origin)) return out;
  out.push(['access-control-allow-origin', origin]);
  out.push(['access-control-allow-methods', cors.allowMethods ?? requestMethod]);
  const headers = cors.anyHeader ? requestHeaders : cors.allowHeaders;
  if (headers) out.push(['access-control-allow-headers', headers]);
  if (cors.exposeHeaders !== undefined) out.push(['access-control-expose-headers', cors.exposeHeaders]);
  if (cors.maxAge !== undefined) out.push(['access-control-max-age', cors.maxAge]);
  if (cors.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  return out;
}

/** Headers added to the response of an actual (non-preflight) cross-origin request. */
export function actualResponseHeaders(cors: Cors, origin: string): HeaderPairs | undefined {
  if (!originAllowed(cors, origin)) return undefined;
  const out: HeaderPairs = [
    ['access-control-allow-origin', origin],
    ['vary', 'origin'],
  ];
  if (cors.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  if (cors.exposeHeaders !== undefined) out.push(['access-control-expose-headers', cors.exposeHeaders]);
  return out;
}
