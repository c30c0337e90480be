// The controllers a real control plane runs that the double must imitate for deletion and CRDs
// to behave: the namespace controller (a terminating namespace's contents are deleted, then its
// `kubernetes` finalizer is removed and it goes), the CRD controllers (a new CRD is Established
// and gets its cleanup finalizer; a deleted one has its instances deleted before it goes), and
// the garbage collector (an object all of whose owners are gone is deleted, background policy).
// They run shortly after any write, off the request path, like their real counterparts.

import {
  CRD_CLEANUP_FINALIZER,
  CRD_RESOURCE,
  establishedCrd,
  isEstablished,
  terminatingCrd,
} from './crds.js';
import { deleteStored } from './mutations.js';
import { type KubeObject, resourceKey } from './objects.js';
import type { ServerState } from './state.js';
import { NAMESPACES_RESOURCE, RaceLost } from './writes.js';

export interface LifecycleOptions {
  garbageCollection: boolean;
}

export class LifecycleControllers {
  private scheduled: NodeJS.Immediate | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly state: ServerState,
    private readonly options: LifecycleOptions,
  ) {
    this.unsubscribe = state.storage.subscribe(() => this.schedule());
    this.schedule();
  }

  close(): void {
    this.unsubscribe();
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.reconcile();
    });
  }

  private reconcile(): void {
    try {
      this.reconcileCrds();
      this.reconcileNamespaces();
      if (this.options.garbageCollection) this.collectGarbage();
    } catch (err) {
      // A lost race with a client write: the write's own event schedules another pass.
      if (!(err instanceof RaceLost)) throw err;
    }
  }

  private write(resource: string, next: KubeObject, live: KubeObject): void {
    const stored = this.state.storage.update(resource, next, live.metadata.resourceVersion ?? '');
    if (stored === 'conflict') throw new RaceLost();
  }

  /** Deletes everything in `resource` matching `filter`; true when nothing of it is left. */
  private deleteAll(resource: string, filter: (obj: KubeObject) => boolean): boolean {
    const type = this.state.registry.byResource(resource);
    if (!type) return true;
    const remaining = this.state.storage.list(resource).filter(filter);
    for (const obj of remaining) deleteStored(this.state, type, obj);
    return this.state.storage.list(resource).filter(filter).length === 0;
  }

  private withoutFinalizer(obj: KubeObject, finalizer: string): KubeObject {
    return {
      ...obj,
      metadata: {
        ...obj.metadata,
        finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer),
      },
    };
  }

  private removeOrUpdate(resource: string, next: KubeObject, live: KubeObject): void {
    const done = (next.metadata.finalizers ?? []).length === 0 && next.metadata.deletionTimestamp;
    const result = done
      ? this.state.storage.remove(resource, live, live.metadata.resourceVersion ?? '')
      : this.state.storage.update(resource, next, live.metadata.resourceVersion ?? '');
    if (result === 'conflict') throw new RaceLost();
  }

  private reconcileCrds(): void {
    const pending = [...this.state.storage.peek(CRD_RESOURCE)]
      .filter(([, crd]) => crd.metadata.deletionTimestamp || !isEstablished(crd))
      .map(([, crd]) => this.state.storage.get(CRD_RESOURCE, undefined, crd.metadata.name ?? ''));
    for (const crd of pending) {
      if (!crd) continue;
      if (!crd.metadata.deletionTimestamp) {
        if (!isEstablished(crd)) this.write(CRD_RESOURCE, establishedCrd(crd), crd);
        continue;
      }
      if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) continue;
      const spec = crd.spec as { group?: string; names?: { plural?: string } };
      const resource = `${spec.group}/${spec.names?.plural}`;
      const terminating = terminatingCrd(crd);
      if (JSON.stringify(terminating.status) !== JSON.stringify(crd.status)) {
        this.write(CRD_RESOURCE, terminating, crd);
        return;
      }
      if (this.deleteAll(resource, () => true)) {
        this.removeOrUpdate(CRD_RESOURCE, this.withoutFinalizer(crd, CRD_CLEANUP_FINALIZER), crd);
      }
    }
  }

  private reconcileNamespaces(): void {
    const terminating = [...this.state.storage.peek(NAMESPACES_RESOURCE)].filter(
      ([, ns]) => ns.metadata.deletionTimestamp,
    );
    for (const [, raw] of terminating) {
      const ns = this.state.storage.get(NAMESPACES_RESOURCE, undefined, raw.metadata.name ?? '');
      if (!ns) continue;
      const name = ns.metadata.name;
      let empty = true;
      for (const type of this.state.registry.all()) {
        if (!type.namespaced) continue;
        empty = this.deleteAll(resourceKey(type), (obj) => obj.metadata.namespace === name) && empty;
      }
      if (!empty) continue;
      const spec = (ns.spec ?? {}) as { finalizers?: string[] };
      const next = {
        ...ns,
        spec: { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== 'kubernetes') },
      };
      if ((next.metadata.finalizers ?? []).length === 0 && next.spec.finalizers.length === 0) {
        this.removeOrUpdate(NAMESPACES_RESOURCE, next, ns);
      } else if ((spec.finalizers ?? []).includes('kubernetes')) {
        this.write(NAMESPACES_RESOURCE, next, ns);
      }
    }
  }

  private collectGarbage(): void {
    const storage = this.state.storage;
    const uids = new Set([...storage.peek()].map(([, obj]) => obj.metadata.uid));
    const orphans = [...storage.peek()].filter(([, obj]) => {
      const owners = obj.metadata.ownerReferences ?? [];
      return (
        owners.length > 0 && !obj.metadata.deletionTimestamp && owners.every((owner) => !uids.has(owner.uid))
      );
    });
    for (const [resource, orphan] of orphans) {
      const type = this.state.registry.byResource(resource);
      const live = storage.get(resource, orphan.metadata.namespace, orphan.metadata.name ?? '');
      if (type && live) deleteStored(this.state, type, live);
    }
  }
}
