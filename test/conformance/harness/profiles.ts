/**
 * The GATEWAY-HTTP conformance profile of the v1.6.1 suite (conformance/utils/suite/profiles.go and
 * pkg/features): its core and extended features, and the catalogue of its 94 tests with the
 * features each needs, so the report can place every test in core or extended and say which
 * claimed features have tests this harness has not ported. A test belongs to the profile when all
 * its features are core or extended features of it; it is core when all are core.
 */

export const GATEWAY_HTTP = 'GATEWAY-HTTP';

export const GATEWAY_HTTP_CORE = ['Gateway', 'HTTPRoute', 'ReferenceGrant'] as const;

const GATEWAY_EXTENDED = [
  'GatewayPort8080',
  'GatewayStaticAddresses',
  'GatewayHTTPListenerIsolation',
  'GatewayHTTPSListenerDetectMisdirectedRequests',
  'GatewayInfrastructurePropagation',
  'GatewayAddressEmpty',
  'GatewayBackendClientCertificate',
  'GatewayFrontendClientCertificateValidation',
  'GatewayFrontendClientCertificateValidationInsecureFallback',
  'ListenerSet',
];

const HTTPROUTE_EXTENDED = [
  'HTTPRouteDestinationPortMatching',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteMethodMatching',
  'HTTPRouteResponseHeaderModification',
  'HTTPRoutePortRedirect',
  'HTTPRouteSchemeRedirect',
  'HTTPRoutePathRedirect',
  'HTTPRouteHostRewrite',
  'HTTPRoutePathRewrite',
  'HTTPRouteRequestMirror',
  'HTTPRouteRequestMultipleMirrors',
  'HTTPRouteRequestPercentageMirror',
  'HTTPRouteRequestTimeout',
  'HTTPRouteBackendTimeout',
  'HTTPRouteParentRefPort',
  'HTTPRouteBackendProtocolH2C',
  'HTTPRouteBackendProtocolWebSocket',
  'HTTPRouteNamedRouteRule',
  'HTTPRouteCORS',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteRetry',
  'HTTPRouteRetryBackendTimeout',
  'HTTPRouteRetryConnectionError',
];

export const GATEWAY_HTTP_EXTENDED: readonly string[] = [
  ...GATEWAY_EXTENDED,
  ...HTTPROUTE_EXTENDED,
  'BackendTLSPolicy',
  'BackendTLSPolicySANValidation',
];

export interface CatalogueEntry {
  features: readonly string[];
  provisional?: boolean;
}

const G = 'Gateway';
const H = 'HTTPRoute';
const R = 'ReferenceGrant';
const LS = 'ListenerSet';
const BTLS = 'BackendTLSPolicy';
const FCV = 'GatewayFrontendClientCertificateValidation';

/** Every test of the v1.6.1 suite that falls in GATEWAY-HTTP, with its features. */
export const GATEWAY_HTTP_TESTS: Readonly<Record<string, CatalogueEntry>> = {
  GatewayClassObservedGenerationBump: { features: [G] },
  GatewayFrontendClientCertificateValidation: { features: [G, H, FCV] },
  GatewayFrontendClientCertificateValidationInsecureFallback: {
    features: [G, H, FCV, 'GatewayFrontendClientCertificateValidationInsecureFallback'],
  },
  GatewayFrontendInvalidDefaultClientCertificateValidation: { features: [G, H, FCV] },
  GatewayHTTPListenerIsolation: { features: [G, 'GatewayHTTPListenerIsolation', H] },
  GatewayInfrastructure: { features: [G, 'GatewayInfrastructurePropagation'], provisional: true },
  GatewayInvalidFrontendClientCertificateValidation: { features: [G, H, R, FCV] },
  GatewayInvalidParametersRef: { features: [G] },
  GatewayInvalidRouteKind: { features: [G] },
  GatewayInvalidTLSBackendConfiguration: { features: [G, 'GatewayBackendClientCertificate', H, BTLS] },
  GatewayInvalidTLSConfiguration: { features: [G] },
  GatewayListenerUnsupportedProtocol: { features: [G] },
  GatewayModifyListeners: { features: [G] },
  GatewayObservedGenerationBump: { features: [G] },
  GatewayOptionalAddressValue: { features: [G, 'GatewayAddressEmpty'], provisional: true },
  GatewaySecretInvalidReferenceGrant: { features: [G, R] },
  GatewaySecretMissingReferenceGrant: { features: [G, R] },
  GatewaySecretReferenceGrantAllInNamespace: { features: [G, R] },
  GatewaySecretReferenceGrantSpecific: { features: [G, R] },
  GatewayStaticAddresses: { features: [G, 'GatewayStaticAddresses'] },
  GatewayTLSBackendClientCertificate: { features: [G, 'GatewayBackendClientCertificate', H, BTLS] },
  GatewayWithAttachedRoutes: { features: [G, H] },
  GatewayWithAttachedRoutesWithPort8080: { features: [G, 'GatewayPort8080', H] },

  HTTPRouteCrossNamespace: { features: [G, H] },
  HTTPRouteExactPathMatching: { features: [G, H] },
  HTTPRouteHTTPSListener: { features: [G, H] },
  HTTPRouteHeaderMatching: { features: [G, H] },
  HTTPRouteHostnameIntersection: { features: [G, H] },
  HTTPRouteInvalidBackendRefUnknownKind: { features: [G, H] },
  HTTPRouteInvalidCrossNamespaceBackendRef: { features: [G, H, R] },
  HTTPRouteInvalidCrossNamespaceParentRef: { features: [G, H] },
  HTTPRouteInvalidNonExistentBackendRef: { features: [G, H] },
  HTTPRouteInvalidParentRefNotMatchingSectionName: { features: [G, H] },
  HTTPRouteInvalidReferenceGrant: { features: [G, H, R] },
  HTTPRouteListenerHostnameMatching: { features: [G, H] },
  HTTPRouteMatching: { features: [G, H] },
  HTTPRouteMatchingAcrossRoutes: { features: [G, H] },
  HTTPRouteMultipleGateways: { features: [G, H] },
  HTTPRouteNoBackendRefs: { features: [G, H] },
  HTTPRouteObservedGenerationBump: { features: [G, H] },
  HTTPRoutePartiallyInvalidViaInvalidReferenceGrant: { features: [G, H, R] },
  HTTPRoutePathMatchOrder: { features: [G, H] },
  HTTPRouteRedirectHostAndStatus: { features: [G, H] },
  HTTPRouteReferenceGrant: { features: [G, H, R] },
  HTTPRouteRequestHeaderModifier: { features: [G, H] },
  HTTPRouteServiceTypes: { features: [G, H] },
  HTTPRouteSimpleSameNamespace: { features: [G, H] },
  HTTPRouteWeight: { features: [G, H] },

  HTTPRoute303Redirect: { features: [G, H, 'HTTPRoute303RedirectStatusCode'], provisional: true },
  HTTPRoute307Redirect: { features: [G, H, 'HTTPRoute307RedirectStatusCode'], provisional: true },
  HTTPRoute308Redirect: { features: [G, H, 'HTTPRoute308RedirectStatusCode'], provisional: true },
  HTTPRouteBackendProtocolH2C: { features: [G, H, 'HTTPRouteBackendProtocolH2C'] },
  HTTPRouteBackendProtocolWebSocket: { features: [G, H, 'HTTPRouteBackendProtocolWebSocket'] },
  HTTPRouteBackendRequestHeaderModifier: { features: [G, H, 'HTTPRouteBackendRequestHeaderModification'] },
  HTTPRouteCORS: { features: [G, H, 'HTTPRouteCORS'] },
  HTTPRouteHTTPSListenerDetectMisdirectedRequests: {
    features: [G, 'GatewayHTTPSListenerDetectMisdirectedRequests', H],
  },
  HTTPRouteInvalidParentRefNotMatchingListenerPort: { features: [G, H, 'HTTPRouteDestinationPortMatching'] },
  HTTPRouteInvalidParentRefSectionNameNotMatchingPort: { features: [G, H, 'HTTPRouteParentRefPort'] },
  HTTPRouteListenerPortMatching: { features: [G, H, 'HTTPRouteParentRefPort'] },
  HTTPRouteMethodMatching: { features: [G, H, 'HTTPRouteMethodMatching'] },
  HTTPRouteNamedRule: { features: [G, H, 'HTTPRouteNamedRouteRule'], provisional: true },
  HTTPRouteQueryParamMatching: { features: [G, H, 'HTTPRouteQueryParamMatching'] },
  HTTPRouteRedirectPath: { features: [G, H, 'HTTPRoutePathRedirect'] },
  HTTPRouteRedirectPort: { features: [G, H, 'HTTPRoutePortRedirect'] },
  HTTPRouteRedirectPortAndScheme: { features: [G, H, 'HTTPRoutePortRedirect', 'GatewayPort8080'] },
  HTTPRouteRedirectScheme: { features: [G, H, 'HTTPRouteSchemeRedirect'] },
  HTTPRouteRequestHeaderModifierBackendWeights: {
    features: [G, 'HTTPRouteBackendRequestHeaderModification', H],
  },
  HTTPRouteRequestMirror: { features: [G, H, 'HTTPRouteRequestMirror'] },
  HTTPRouteRequestMultipleMirrors: {
    features: [G, H, 'HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors'],
  },
  HTTPRouteRequestPercentageMirror: {
    features: [G, H, 'HTTPRouteRequestPercentageMirror'],
    provisional: true,
  },
  HTTPRouteResponseHeaderModifier: { features: [G, H, 'HTTPRouteResponseHeaderModification'] },
  HTTPRouteRetry: { features: [G, H, 'HTTPRouteRetry'] },
  HTTPRouteRewriteHost: { features: [G, H, 'HTTPRouteHostRewrite'] },
  HTTPRouteRewritePath: { features: [G, H, 'HTTPRoutePathRewrite'] },
  HTTPRouteTimeoutBackendRequest: { features: [G, H, 'HTTPRouteBackendTimeout'] },
  HTTPRouteTimeoutRequest: { features: [G, H, 'HTTPRouteRequestTimeout'] },

  BackendTLSPolicy: { features: [G, H, BTLS] },
  BackendTLSPolicyConflictResolution: { features: [G, H, BTLS] },
  BackendTLSPolicyInvalidCACertificateRef: { features: [G, H, BTLS] },
  BackendTLSPolicyInvalidKind: { features: [G, H, BTLS] },
  BackendTLSPolicyObservedGenerationBump: { features: [G, H, BTLS] },
  BackendTLSPolicySANValidation: { features: [G, H, BTLS, 'BackendTLSPolicySANValidation'] },

  ListenerSetAllowedNamespaceNone: { features: [G, LS] },
  ListenerSetAllowedNamespaceSame: { features: [G, LS] },
  ListenerSetAllowedNamespaceSelector: { features: [G, LS] },
  ListenerSetAllowedRoutesNamespaces: { features: [G, LS, H, R] },
  ListenerSetDefaultNotAllowed: { features: [G, LS] },
  ListenerSetDualParentRefIndependence: { features: [G, LS, H] },
  ListenerSetGatewayParentSectionNameNotFound: { features: [G, LS, H] },
  ListenerSetHTTPRouting: { features: [G, LS, H] },
  ListenerSetHostnameConflict: { features: [G, LS] },
  ListenerSetProtocolConflict: { features: [G, LS] },
  ListenerSetReferenceGrant: { features: [G, LS, R] },
  ListenerSetRouteStatusScopedToParentRef: { features: [G, LS, H] },
};

const CORE = new Set<string>(GATEWAY_HTTP_CORE);
const IN_PROFILE = new Set<string>([...GATEWAY_HTTP_CORE, ...GATEWAY_HTTP_EXTENDED]);

export function inGatewayHttp(features: readonly string[]): boolean {
  return features.every((f) => IN_PROFILE.has(f));
}

export function isCore(features: readonly string[]): boolean {
  return features.every((f) => CORE.has(f));
}
