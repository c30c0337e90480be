// The compiled configuration: what the request path reads. Built from the IR once per apply and
// never mutated afterwards, so a request that starts on one generation finishes on it.

import type { ClientValidationIR, RedirectActionIR, UrlRewriteIR } from '../../ir/types.js';
import type { Cors } from '../filters/cors.js';
import type { HeaderMod } from '../filters/headers.js';
import type { HostTable } from '../router/hostname.js';
import type { RouteTable } from '../router/route-table.js';
import type { BackendPicker, ClusterTarget } from '../upstream/balancer.js';
import type { TlsIdentity } from './tls.js';

export interface CompiledPort {
  /** The Gateway's `namespace/name` (for exchange records and connection metrics). */
  readonly gateway: string;
  /** The Gateway listener port (used by redirects). */
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly scheme: 'http' | 'https';
  readonly listeners: HostTable<CompiledListener>;
  /** HTTPS: the certificate for clients without SNI or with an unknown name. */
  readonly defaultIdentity: TlsIdentity | undefined;
  /** HTTPS: client certificates are requested; AllowValidOnly refuses handshakes without a valid one. */
  readonly clientValidation: ClientValidationIR['mode'] | undefined;
}

export interface CompiledListener {
  readonly name: string;
  readonly routes: RouteTable<RouteBehavior>;
  /** HTTPS: this listener's certificates, chosen by SNI. */
  readonly identity: TlsIdentity | undefined;
}

/** Everything that happens once a route is chosen, in the documented order. */
export interface RouteBehavior {
  readonly id: string;
  /** The HTTPRoute's `namespace/name` and the rule index (for exchange records). */
  readonly route: string;
  readonly rule: number;
  /** The PathPrefix value (trailing slash trimmed) for ReplacePrefixMatch; undefined otherwise. */
  readonly prefix: string | undefined;
  readonly cors: Cors | undefined;
  readonly requestHeaders: HeaderMod | undefined;
  readonly responseHeaders: HeaderMod | undefined;
  readonly rewrite: UrlRewriteIR | undefined;
  readonly mirrors: readonly MirrorTarget[];
  readonly action: RouteAction;
  /** min(requestMs, backendRequestMs) over the ones set; 0 for none. */
  readonly timeoutMs: number;
}

export interface MirrorTarget {
  readonly cluster: ClusterTarget;
  readonly numerator: number;
  readonly denominator: number;
}

export type RouteAction =
  | { readonly type: 'forward'; readonly backends: BackendPicker }
  | { readonly type: 'redirect'; readonly redirect: RedirectActionIR }
  | { readonly type: 'direct'; readonly status: number; readonly body: Buffer | undefined };
