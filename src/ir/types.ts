// The intermediate representation: what the data plane needs to serve traffic, and nothing
// about Kubernetes. Plain JSON-serialisable data (it is golden-file output, what
// `gatehouse translate` prints, and what the controller streams to proxies).
//
// Shape: gateways → ports → listeners → routes (already in precedence order) → actions,
// with backends referring to clusters by name so an endpoint change touches only `clusters`.

export interface IR {
  gateways: GatewayIR[];
  /** Upstream clusters keyed by name (`<namespace>/<service>:<port>`). */
  clusters: Record<string, ClusterIR>;
}

export interface GatewayIR {
  /** `namespace/name` of the Gateway. */
  key: string;
  namespace: string;
  name: string;
  /** Addresses requested in spec.addresses (IPAddress type only); empty means "use the default". */
  addresses: string[];
  ports: PortIR[];
  /** spec.tls.backend.clientCertificateRef: the certificate presented to TLS backends. */
  backendClientCertificate?: CertificateIR;
}

/** One bound port. Every listener on a port shares its protocol (conflicts are resolved before IR). */
export interface PortIR {
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  /** HTTPS only: spec.tls.frontend validation of client certificates on this port. */
  clientValidation?: ClientValidationIR;
  /** Listeners in match order: exact hostnames, then wildcards (longest first), then catch-all. */
  listeners: ListenerIR[];
}

export interface ListenerIR {
  /** The Gateway listener's section name. */
  name: string;
  /** null matches every host. Wildcards are `*.example.com`. */
  hostname: string | null;
  /** HTTPS only: certificates offered by SNI for this listener's hostname. */
  certificates?: CertificateIR[];
  /** Routes attached to this listener, sorted by Gateway API precedence (first match wins). */
  routes: RouteIR[];
}

export interface CertificateIR {
  /** `namespace/name` of the Secret, for logs and metrics. */
  secret: string;
  certPem: string;
  keyPem: string;
}

export interface ClientValidationIR {
  /** PEM CA bundles a client certificate must chain to. */
  caCertificates: string[];
  /** AllowInsecureFallback also admits clients without a valid certificate. */
  mode: 'AllowValidOnly' | 'AllowInsecureFallback';
}

/** One (HTTPRoute, rule, match) triple, with the hostnames it serves on its listener. */
export interface RouteIR {
  /** Stable id: `<namespace>/<route>/rule/<i>/match/<j>`. */
  id: string;
  route: { namespace: string; name: string };
  rule: number;
  match: number;
  ruleName?: string;
  /**
   * Effective hostnames: route hostnames ∩ listener hostname. A route without hostnames on a listener
   * with a hostname gets `[listener.hostname]`; empty only when neither has one (any host).
   */
  hostnames: string[];
  path: PathMatchIR;
  method?: string;
  /** Header names are lower-case. */
  headers: ValueMatchIR[];
  queryParams: ValueMatchIR[];
  // RegularExpression values use RE2 syntax (evaluated with @bufbuild/re2: linear time, full match).
  /** Filters applied before the action, in this order: CORS, request headers, URL rewrite, mirrors. */
  filters: RouteFiltersIR;
  action: ActionIR;
  timeouts: TimeoutsIR;
}

export interface PathMatchIR {
  type: 'Exact' | 'PathPrefix' | 'RegularExpression';
  value: string;
}

export interface ValueMatchIR {
  name: string;
  type: 'Exact' | 'RegularExpression';
  value: string;
}

export interface HeaderModIR {
  set: HeaderIR[];
  add: HeaderIR[];
  /** Lower-case names. */
  remove: string[];
}

export interface HeaderIR {
  name: string;
  value: string;
}

export interface RouteFiltersIR {
  cors?: CorsIR;
  requestHeaders?: HeaderModIR;
  responseHeaders?: HeaderModIR;
  urlRewrite?: UrlRewriteIR;
  mirrors?: MirrorIR[];
}

export interface CorsIR {
  allowOrigins: string[];
  allowCredentials: boolean;
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge: number;
}

export type PathModifierIR =
  | { type: 'ReplaceFullPath'; value: string }
  | { type: 'ReplacePrefixMatch'; value: string };

export interface UrlRewriteIR {
  hostname?: string;
  /** ReplacePrefixMatch replaces the route's PathPrefix match value. */
  path?: PathModifierIR;
}

export interface MirrorIR {
  /** Cluster name, or null when the mirror's backendRef does not resolve (the mirror is skipped). */
  cluster: string | null;
  /** Share of requests mirrored, numerator/denominator (1/1 when unset). */
  numerator: number;
  denominator: number;
}

export type ActionIR = ForwardActionIR | RedirectActionIR | DirectResponseActionIR;

export interface ForwardActionIR {
  type: 'forward';
  /** Weighted choice; entries with weight 0 are left out by the translator. */
  backends: BackendIR[];
}

export interface BackendIR {
  weight: number;
  /** Cluster name; null when the backendRef is invalid: that share of traffic gets `invalidStatus`. */
  cluster: string | null;
  invalidStatus?: number;
  requestHeaders?: HeaderModIR;
  responseHeaders?: HeaderModIR;
}

export interface RedirectActionIR {
  type: 'redirect';
  scheme?: 'http' | 'https';
  hostname?: string;
  port?: number;
  path?: PathModifierIR;
  statusCode: number;
}

export interface DirectResponseActionIR {
  type: 'direct';
  status: number;
  body?: string;
}

export interface TimeoutsIR {
  /** Whole-request deadline in ms (0 or absent: none). */
  requestMs?: number;
  /** Per upstream attempt in ms (0 or absent: none). */
  backendRequestMs?: number;
}

export interface ClusterIR {
  name: string;
  /** From the Service port's appProtocol: kubernetes.io/h2c → h2c, kubernetes.io/ws(s) → http1 with upgrades. */
  protocol: 'http1' | 'h2c';
  endpoints: EndpointIR[];
  /** Set when a BackendTLSPolicy applies to the Service port: connect over TLS, verified. */
  tls?: UpstreamTlsIR;
}

/**
 * How to verify a TLS backend. With no CA certificates and no system roots nothing can be
 * trusted (every CA reference is invalid): the cluster must fail, never fall back to plain text.
 */
export interface UpstreamTlsIR {
  /** `namespace/name` of the BackendTLSPolicy, for logs. */
  policy: string;
  /** Sent as SNI; the name the certificate must carry when `subjectAltNames` is empty. */
  serverName: string;
  /** PEM CA bundles to trust. */
  caCertificates: string[];
  /** wellKnownCACertificates: System — trust the platform's root certificates. */
  systemRoots: boolean;
  /** When non-empty, the certificate must carry at least one of these (the hostname is not checked). */
  subjectAltNames: SubjectAltNameIR[];
}

export interface SubjectAltNameIR {
  type: 'Hostname' | 'URI';
  value: string;
}

export interface EndpointIR {
  address: string;
  port: number;
}
