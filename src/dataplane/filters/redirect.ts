// RequestRedirect: builds the Location header. Scheme and host default to the request's; the path
// may be modified; the query is kept. Port rules (Gateway API HTTPRequestRedirectFilter.port): an
// explicit port wins; else a configured scheme implies its well-known port; else the listener's
// port is kept. The port is left out when it is the scheme's default (80 for http, 443 for https).

import type { RedirectActionIR } from '../../ir/types.js';
import { modifyPath, withQuery } from './rewrite.js';

export interface RedirectRequest {
  /** The scheme the request arrived with (the listener's protocol). */
  scheme: 'http' | 'https';
  /** Normalized request host (no port). */
  host: string;
  /** The Gateway listener's port. */
  listenerPort: number;
  path: string;
  query: string;
  /** The route's PathPrefix (trimmed), for ReplacePrefixMatch. */
  prefix: string | undefined;
}

export function redirectLocation(action: RedirectActionIR, req: RedirectRequest): string {
  const scheme = action.scheme ?? req.scheme;
  const host = action.hostname ?? req.host;
  const port = action.port ?? (action.scheme !== undefined ? defaultPort(scheme) : req.listenerPort);
  const authority = port === defaultPort(scheme) ? host : `${host}:${port}`;
  const path = action.path === undefined ? req.path : modifyPath(action.path, req.path, req.prefix);
  return `${scheme}://${authority}${withQuery(path, req.query)}`;
}

function defaultPort(scheme: 'http' | 'https'): number {
  return scheme === 'https' ? 443 : 80;
}
