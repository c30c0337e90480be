// Who refers to what: the references Gateways, HTTPRoutes and BackendTLSPolicies make to core objects (Secrets,
// ConfigMaps, Services) and to each other. The store indexes them so a change to a referenced
// object can be recognised as relevant, and one nobody refers to can be ignored.

import type {
  BackendObjectReference,
  BackendTLSPolicy,
  EndpointSlice,
  Gateway,
  HTTPRoute,
  HTTPRouteFilter,
  SecretObjectReference,
} from '../../resources/types.js';

export interface ObjectRef {
  kind: 'Secret' | 'ConfigMap' | 'Service';
  namespace: string;
  name: string;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** Secrets and ConfigMaps a Gateway needs: listener certificates, client certificate, CA bundles. */
export function gatewayReferences(gateway: Gateway): ObjectRef[] {
  const ns = gateway.metadata.namespace ?? '';
  const refs: ObjectRef[] = [];
  for (const listener of gateway.spec.listeners ?? []) {
    for (const ref of listener.tls?.certificateRefs ?? []) pushCore(refs, ref, 'Secret', ns);
  }
  const tls = (gateway.spec.tls ?? {}) as GatewayTLS;
  if (tls.backend?.clientCertificateRef) pushCore(refs, tls.backend.clientCertificateRef, 'Secret', ns);
  const validations = [
    tls.frontend?.default?.validation,
    ...(tls.frontend?.perPort ?? []).map((p) => p.tls?.validation),
  ];
  for (const validation of validations) {
    for (const ref of validation?.caCertificateRefs ?? []) pushCore(refs, ref, 'ConfigMap', ns);
  }
  return refs;
}

/** CA bundle ConfigMaps a BackendTLSPolicy verifies its backends with (always in its namespace). */
export function policyReferences(policy: BackendTLSPolicy): ObjectRef[] {
  const ns = policy.metadata.namespace ?? '';
  const refs: ObjectRef[] = [];
  for (const ref of policy.spec?.validation?.caCertificateRefs ?? []) {
    pushCore(refs, { group: ref.group, kind: ref.kind, name: ref.name }, 'ConfigMap', ns);
  }
  return refs;
}

/** Services an HTTPRoute sends (or mirrors) traffic to. */
export function routeBackendReferences(route: HTTPRoute): ObjectRef[] {
  const ns = route.metadata.namespace ?? '';
  const refs: ObjectRef[] = [];
  const addMirrors = (filters: HTTPRouteFilter[] | undefined) => {
    for (const f of filters ?? []) if (f.requestMirror) pushBackend(refs, f.requestMirror.backendRef, ns);
  };
  for (const rule of route.spec.rules ?? []) {
    addMirrors(rule.filters);
    for (const backend of rule.backendRefs ?? []) {
      pushBackend(refs, backend, ns);
      addMirrors(backend.filters);
    }
  }
  return refs;
}

/** `namespace/name` of every Gateway the route names as a parent. */
export function routeParentGateways(route: HTTPRoute): string[] {
  const ns = route.metadata.namespace ?? '';
  return (route.spec.parentRefs ?? [])
    .filter((p) => (p.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io')
    .filter((p) => (p.kind ?? 'Gateway') === 'Gateway')
    .map((p) => `${p.namespace ?? ns}/${p.name}`);
}

/** `namespace/name` of the Service an EndpointSlice belongs to. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return service ? `${slice.metadata.namespace ?? ''}/${service}` : undefined;
}

interface CoreRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

interface GatewayTLS {
  backend?: { clientCertificateRef?: SecretObjectReference };
  frontend?: {
    default?: { validation?: { caCertificateRefs?: CoreRef[] } };
    perPort?: { tls?: { validation?: { caCertificateRefs?: CoreRef[] } } }[];
  };
}

function pushCore(out: ObjectRef[], ref: CoreRef, defaultKind: ObjectRef['kind'], ns: string): void {
  if ((ref.group ?? '') !== '') return;
  const kind = ref.kind ?? defaultKind;
  if (kind !== 'Secret' && kind !== 'ConfigMap') return;
  out.push({ kind, namespace: ref.namespace ?? ns, name: ref.name });
}

function pushBackend(out: ObjectRef[], ref: BackendObjectReference, ns: string): void {
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return;
  out.push({ kind: 'Service', namespace: ref.namespace ?? ns, name: ref.name });
}
