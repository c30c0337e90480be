// Which stored changes warrant a rebuild. Gateway API objects matter when what their owner wrote
// changed (generation, spec, labels, annotations, deletion) — not when only status or
// resourceVersion moved, which is what our own status writes look like. Core objects matter
// only when something refers to them (a Secret, ConfigMap or Service by name, an EndpointSlice
// through its Service, a ReferenceGrant through a reference crossing into its namespace, a
// Namespace through the Gateways and routes it holds) and their content changed.

import { isDeepStrictEqual } from 'node:util';
import type { EndpointSlice, KubeObject } from '../../resources/types.js';
import { sliceServiceKey } from './references.js';
import type { ResourceStore } from './store.js';

const GATEWAY_API_KINDS = new Set(['GatewayClass', 'Gateway', 'HTTPRoute', 'BackendTLSPolicy']);

/** `before`/`after` are undefined for an add/delete; the store already holds `after`. */
export function isRelevantChange(
  store: ResourceStore,
  kind: string,
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): boolean {
  const sample = after ?? before;
  if (!sample) return false;
  if (GATEWAY_API_KINDS.has(kind)) return !before || !after || ownerIntentChanged(before, after);
  if (!contentChanged(before, after)) return false;
  const namespace = sample.metadata.namespace ?? '';
  const name = sample.metadata.name;
  switch (kind) {
    case 'Secret':
    case 'ConfigMap':
    case 'Service':
      return store.isReferenced({ kind, namespace, name });
    case 'EndpointSlice':
      return [before, after].some((s) => {
        const service = s ? sliceServiceKey(s as EndpointSlice) : undefined;
        return service !== undefined && store.isReferenced({ kind: 'Service', ...splitKey(service) });
      });
    case 'ReferenceGrant':
      return store.isReferenceGrantTarget(namespace);
    case 'Namespace':
      return store.hostsGatewayObjects(name) && (!before || !after || labelsChanged(before, after));
    default:
      return true;
  }
}

/**
 * What the object's owner controls: everything except status and bookkeeping metadata. A new uid
 * is a recreated object (its status starts empty), even when its spec is the same.
 */
export function ownerIntentChanged(before: KubeObject, after: KubeObject): boolean {
  const a = before.metadata;
  const b = after.metadata;
  return (
    a.uid !== b.uid ||
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    !isDeepStrictEqual(a.labels ?? {}, b.labels ?? {}) ||
    !isDeepStrictEqual(a.annotations ?? {}, b.annotations ?? {}) ||
    !isDeepStrictEqual(specOf(before), specOf(after))
  );
}

/** Content comparison for core kinds: all fields but status and resourceVersion. */
export function contentChanged(before: KubeObject | undefined, after: KubeObject | undefined): boolean {
  if (!before || !after) return true;
  return !isDeepStrictEqual(contentOf(before), contentOf(after));
}

function contentOf(obj: KubeObject): unknown {
  const { status: _status, metadata, ...rest } = obj as KubeObject & { status?: unknown };
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata;
  return { ...rest, metadata: meta };
}

function specOf(obj: KubeObject): unknown {
  return (obj as KubeObject & { spec?: unknown }).spec;
}

function labelsChanged(before: KubeObject, after: KubeObject): boolean {
  return !isDeepStrictEqual(before.metadata.labels ?? {}, after.metadata.labels ?? {});
}

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
