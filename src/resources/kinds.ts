// The kind registry: how each kind Gatehouse reads is addressed in the Kubernetes API,
// and where it lives in a ResourceSnapshot.

import type {
  BackendTLSPolicy,
  ConfigMap,
  EndpointSlice,
  Gateway,
  GatewayClass,
  HTTPRoute,
  Namespace,
  ReferenceGrant,
  Secret,
  Service,
} from './types.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface KindInfo {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** The ResourceSnapshot field holding objects of this kind. */
  field: keyof ResourceSnapshot;
  /** A cluster may lack its CRD (older Gateway API installs): then it has no objects, not an error. */
  optional?: boolean;
}

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'GatewayClass',
    group: GATEWAY_GROUP,
    version: 'v1',
    plural: 'gatewayclasses',
    namespaced: false,
    field: 'gatewayClasses',
  },
  {
    kind: 'Gateway',
    group: GATEWAY_GROUP,
    version: 'v1',
    plural: 'gateways',
    namespaced: true,
    field: 'gateways',
  },
  {
    kind: 'HTTPRoute',
    group: GATEWAY_GROUP,
    version: 'v1',
    plural: 'httproutes',
    namespaced: true,
    field: 'httpRoutes',
  },
  {
    kind: 'ReferenceGrant',
    group: GATEWAY_GROUP,
    version: 'v1beta1',
    plural: 'referencegrants',
    namespaced: true,
    field: 'referenceGrants',
  },
  {
    kind: 'BackendTLSPolicy',
    group: GATEWAY_GROUP,
    version: 'v1',
    plural: 'backendtlspolicies',
    namespaced: true,
    field: 'backendTLSPolicies',
    optional: true,
  },
  {
    kind: 'Namespace',
    group: '',
    version: 'v1',
    plural: 'namespaces',
    namespaced: false,
    field: 'namespaces',
  },
  { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true, field: 'services' },
  {
    kind: 'EndpointSlice',
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    namespaced: true,
    field: 'endpointSlices',
  },
  { kind: 'Secret', group: '', version: 'v1', plural: 'secrets', namespaced: true, field: 'secrets' },
  {
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    plural: 'configmaps',
    namespaced: true,
    field: 'configMaps',
  },
];

export function kindInfo(kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.kind === kind);
}

/** Everything the translator reads: one consistent view of the world. */
export interface ResourceSnapshot {
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  httpRoutes: HTTPRoute[];
  referenceGrants: ReferenceGrant[];
  backendTLSPolicies: BackendTLSPolicy[];
  namespaces: Namespace[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  secrets: Secret[];
  configMaps: ConfigMap[];
}

export function emptySnapshot(): ResourceSnapshot {
  return {
    gatewayClasses: [],
    gateways: [],
    httpRoutes: [],
    referenceGrants: [],
    backendTLSPolicies: [],
    namespaces: [],
    services: [],
    endpointSlices: [],
    secrets: [],
    configMaps: [],
  };
}

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones. */
export function objectKey(obj: { metadata: { name: string; namespace?: string } }): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name;
}
