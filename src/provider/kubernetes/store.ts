// The live object store of the Kubernetes provider: every watched object by kind and key, plus
// the indexes the provider and the status writer query — EndpointSlices by Service, HTTPRoutes
// by parent Gateway, Secrets/ConfigMaps/Services by who references them (referenced-but-missing
// included: the index is built from the referrers, not from what exists), the namespaces that
// cross-namespace references point into, and the namespaces that hold Gateways or routes.

import { emptySnapshot, KINDS, type ResourceSnapshot } from '../../resources/kinds.js';
import type {
  BackendTLSPolicy,
  EndpointSlice,
  Gateway,
  HTTPRoute,
  KubeObject,
} from '../../resources/types.js';
import {
  gatewayReferences,
  type ObjectRef,
  policyReferences,
  refKey,
  routeBackendReferences,
  routeParentGateways,
  sliceServiceKey,
} from './references.js';

/** Many-to-many: each source names a set of targets; look up the sources of a target. */
class ReverseIndex {
  private readonly sourcesByTarget = new Map<string, Set<string>>();
  private readonly targetsBySource = new Map<string, string[]>();

  set(source: string, targets: readonly string[]): void {
    this.remove(source);
    if (targets.length === 0) return;
    const unique = [...new Set(targets)];
    this.targetsBySource.set(source, unique);
    for (const target of unique) {
      const sources = this.sourcesByTarget.get(target) ?? new Set<string>();
      sources.add(source);
      this.sourcesByTarget.set(target, sources);
    }
  }

  remove(source: string): void {
    for (const target of this.targetsBySource.get(source) ?? []) {
      const sources = this.sourcesByTarget.get(target);
      sources?.delete(source);
      if (sources?.size === 0) this.sourcesByTarget.delete(target);
    }
    this.targetsBySource.delete(source);
  }

  sources(target: string): string[] {
    return [...(this.sourcesByTarget.get(target) ?? [])];
  }

  has(target: string): boolean {
    return this.sourcesByTarget.has(target);
  }
}

export function keyOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name;
}

export class ResourceStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly slicesByService = new ReverseIndex();
  private readonly routesByGateway = new ReverseIndex();
  private readonly references = new ReverseIndex();
  private readonly crossNamespaceTargets = new ReverseIndex();
  private readonly hostNamespaces = new ReverseIndex();

  get<T extends KubeObject = KubeObject>(kind: string, key: string): T | undefined {
    return this.objects.get(kind)?.get(key) as T | undefined;
  }

  list<T extends KubeObject = KubeObject>(kind: string): T[] {
    return [...(this.objects.get(kind)?.values() ?? [])] as T[];
  }

  keys(kind: string): string[] {
    return [...(this.objects.get(kind)?.keys() ?? [])];
  }

  /** Stores `obj` (replacing the object with the same key) and returns what was there. */
  upsert(obj: KubeObject): KubeObject | undefined {
    const byKey = this.objects.get(obj.kind) ?? new Map<string, KubeObject>();
    this.objects.set(obj.kind, byKey);
    const key = keyOf(obj);
    const before = byKey.get(key);
    byKey.set(key, obj);
    this.reindex(obj.kind, key, obj);
    return before;
  }

  remove(kind: string, key: string): KubeObject | undefined {
    const byKey = this.objects.get(kind);
    const before = byKey?.get(key);
    byKey?.delete(key);
    this.reindex(kind, key, undefined);
    return before;
  }

  endpointSlicesFor(serviceNamespace: string, serviceName: string): EndpointSlice[] {
    return this.slicesByService
      .sources(`${serviceNamespace}/${serviceName}`)
      .map((k) => this.get<EndpointSlice>('EndpointSlice', k))
      .filter((s): s is EndpointSlice => s !== undefined);
  }

  routesFor(gatewayNamespace: string, gatewayName: string): HTTPRoute[] {
    return this.routesByGateway
      .sources(`${gatewayNamespace}/${gatewayName}`)
      .map((k) => this.get<HTTPRoute>('HTTPRoute', k))
      .filter((r): r is HTTPRoute => r !== undefined);
  }

  /** `Kind/namespace/name` of every Gateway or HTTPRoute that references the object. */
  referrersOf(ref: ObjectRef): string[] {
    return this.references.sources(refKey(ref));
  }

  isReferenced(ref: ObjectRef): boolean {
    return this.references.has(refKey(ref));
  }

  /** Does any reference cross into this namespace (so its ReferenceGrants matter)? */
  isReferenceGrantTarget(namespace: string): boolean {
    return this.crossNamespaceTargets.has(namespace);
  }

  /** Does the namespace hold Gateways or HTTPRoutes (so its labels matter to route selection)? */
  hostsGatewayObjects(namespace: string): boolean {
    return this.hostNamespaces.has(namespace);
  }

  /** A fresh snapshot: new arrays (sorted by key) over the stored, never-mutated objects. */
  snapshot(): ResourceSnapshot {
    const out = emptySnapshot();
    for (const info of KINDS) {
      const byKey = this.objects.get(info.kind);
      if (!byKey) continue;
      const sorted = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      (out[info.field] as KubeObject[]) = sorted.map(([, obj]) => obj);
    }
    return out;
  }

  private reindex(kind: string, key: string, obj: KubeObject | undefined): void {
    const source = `${kind}/${key}`;
    if (kind === 'EndpointSlice') {
      const service = obj ? sliceServiceKey(obj as EndpointSlice) : undefined;
      this.slicesByService.set(key, service ? [service] : []);
    } else if (kind === 'HTTPRoute') {
      const route = obj as HTTPRoute | undefined;
      this.routesByGateway.set(key, route ? routeParentGateways(route) : []);
      this.indexReferences(source, route?.metadata.namespace, route ? routeBackendReferences(route) : []);
    } else if (kind === 'Gateway') {
      const gateway = obj as Gateway | undefined;
      this.indexReferences(source, gateway?.metadata.namespace, gateway ? gatewayReferences(gateway) : []);
    } else if (kind === 'BackendTLSPolicy') {
      const policy = obj as BackendTLSPolicy | undefined;
      this.indexReferences(source, policy?.metadata.namespace, policy ? policyReferences(policy) : []);
      return;
    } else {
      return;
    }
    if (kind !== 'EndpointSlice') {
      this.hostNamespaces.set(source, obj?.metadata.namespace ? [obj.metadata.namespace] : []);
    }
  }

  private indexReferences(source: string, namespace: string | undefined, refs: ObjectRef[]): void {
    this.references.set(source, refs.map(refKey));
    const crossing = refs.filter((r) => r.namespace !== namespace).map((r) => r.namespace);
    this.crossNamespaceTargets.set(source, crossing);
  }
}
