// The translation context: the snapshot indexed once, up front, so every later lookup (a Service
// by key, the EndpointSlices of a Service, the ReferenceGrants of a namespace, a Namespace's
// labels) is O(1). Objects without a usable name are dropped here, so later steps can rely on
// `meta()` of anything they see. The snapshot itself is never modified.

import type { ResourceSnapshot } from '../resources/kinds.js';
import type {
  BackendTLSPolicy,
  ConfigMap,
  EndpointSlice,
  Gateway,
  GatewayClass,
  HTTPRoute,
  KubeObject,
  ReferenceGrant,
  Secret,
  Service,
} from '../resources/types.js';
import type { TranslateOptions } from './types.js';
import {
  asArray,
  asInteger,
  asName,
  asRecord,
  asString,
  asStringMap,
  compareStrings,
  groupBy,
} from './values.js';

/** The label the API server puts on every Namespace (Kubernetes 1.22+). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Namespaced objects read from files may omit the namespace; kubectl would apply `default`. */
const DEFAULT_NAMESPACE = 'default';

export interface ObjectMetaView {
  name: string;
  namespace: string;
  key: string;
  generation: number;
  /** Milliseconds since the epoch; undefined when absent or unparsable. */
  created: number | undefined;
  labels: Record<string, string>;
}

export interface TranslateContext {
  readonly controllerName: string;
  readonly gatewayClasses: ReadonlyMap<string, GatewayClass>;
  /** Sorted by key. */
  readonly gateways: readonly Gateway[];
  /** Sorted by key. */
  readonly httpRoutes: readonly HTTPRoute[];
  readonly services: ReadonlyMap<string, Service>;
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly configMaps: ReadonlyMap<string, ConfigMap>;
  /** Sorted by key. */
  readonly backendTLSPolicies: readonly BackendTLSPolicy[];
  /** Keyed by `<namespace>/<service name>`. */
  readonly endpointSlices: ReadonlyMap<string, EndpointSlice[]>;
  /** Keyed by namespace. */
  readonly referenceGrants: ReadonlyMap<string, ReferenceGrant[]>;
  readonly namespaceLabels: ReadonlyMap<string, Record<string, string>>;
}

/** Name, namespace, key and generation of an object that passed `buildContext`'s filter. */
export function meta(obj: KubeObject): ObjectMetaView {
  const metadata = asRecord(obj.metadata) ?? {};
  const name = asName(metadata.name) ?? '';
  const namespace = asName(metadata.namespace) ?? DEFAULT_NAMESPACE;
  const created = Date.parse(asString(metadata.creationTimestamp) ?? '');
  return {
    name,
    namespace,
    key: `${namespace}/${name}`,
    generation: asInteger(metadata.generation) ?? 1,
    created: Number.isNaN(created) ? undefined : created,
    labels: asStringMap(metadata.labels),
  };
}

export function buildContext(snapshot: ResourceSnapshot, options: TranslateOptions): TranslateContext {
  const gatewayClasses = new Map<string, GatewayClass>();
  for (const gatewayClass of named<GatewayClass>(snapshot.gatewayClasses)) {
    gatewayClasses.set(meta(gatewayClass).name, gatewayClass);
  }
  return {
    controllerName: options.controllerName,
    gatewayClasses,
    gateways: sortedByKey(named(snapshot.gateways)),
    httpRoutes: sortedByKey(named(snapshot.httpRoutes)),
    services: byKey(named(snapshot.services)),
    secrets: byKey(named(snapshot.secrets)),
    configMaps: byKey(named(snapshot.configMaps)),
    backendTLSPolicies: sortedByKey(named(snapshot.backendTLSPolicies)),
    endpointSlices: slicesByService(named(snapshot.endpointSlices)),
    referenceGrants: groupBy(
      named<ReferenceGrant>(snapshot.referenceGrants),
      (grant) => meta(grant).namespace,
    ),
    namespaceLabels: labelsByNamespace(snapshot),
  };
}

/** Labels of a namespace, including the name label even when the Namespace object is absent. */
export function labelsOfNamespace(ctx: TranslateContext, namespace: string): Record<string, string> {
  return { ...ctx.namespaceLabels.get(namespace), [NAMESPACE_NAME_LABEL]: namespace };
}

function named<T extends KubeObject>(objects: unknown): T[] {
  return asArray<T>(objects).filter((obj) => asName(asRecord(asRecord(obj)?.metadata)?.name) !== undefined);
}

function sortedByKey<T extends KubeObject>(objects: T[]): T[] {
  return objects
    .map((obj) => ({ obj, key: meta(obj).key }))
    .sort((a, b) => compareStrings(a.key, b.key))
    .map(({ obj }) => obj);
}

function byKey<T extends KubeObject>(objects: T[]): Map<string, T> {
  return new Map(objects.map((obj) => [meta(obj).key, obj]));
}

function slicesByService(slices: EndpointSlice[]): Map<string, EndpointSlice[]> {
  const labelled = sortedByKey(slices).filter(
    (slice) => meta(slice).labels[SERVICE_NAME_LABEL] !== undefined,
  );
  return groupBy(labelled, (slice) => `${meta(slice).namespace}/${meta(slice).labels[SERVICE_NAME_LABEL]}`);
}

function labelsByNamespace(snapshot: ResourceSnapshot): Map<string, Record<string, string>> {
  const labels = new Map<string, Record<string, string>>();
  for (const namespace of named(snapshot.namespaces))
    labels.set(meta(namespace).name, meta(namespace).labels);
  return labels;
}
