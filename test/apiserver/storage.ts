// The double's etcd: every object keyed by resource, namespace and name; one global,
// monotonically increasing revision that becomes each write's resourceVersion; and a bounded
// history of change events (with each object's previous state) from which watches replay and
// lists at an exact past resourceVersion are rebuilt. A watch or exact list from before the
// retained window gets 410 Expired, as from a compacted etcd. Writes are synchronous, so an
// optimistic-concurrency check and its write never interleave with another request.

import { deepCopy, type KubeObject } from './objects.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  type: ChangeType;
  revision: number;
  /** `group/plural`: which resource the object belongs to. */
  resource: string;
  /** The object after the change; for DELETED the last state, stamped with the deletion revision. */
  object: KubeObject;
  /** The object before the change (absent for ADDED). */
  previous?: KubeObject;
}

export type ChangeListener = (event: ChangeEvent) => void;

export interface StorageOptions {
  /** How many change events are kept for watch replay before the oldest are forgotten. */
  historyLimit: number;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Storage {
  private readonly byResource = new Map<string, Map<string, KubeObject>>();
  private history: ChangeEvent[] = [];
  private revision = 0;
  /** The oldest revision a watch may start from: every event after it is still in history. */
  private floor = 0;
  private readonly listeners = new Set<ChangeListener>();
  private nextClusterIP = 10;
  private nextNodePort = 30000;

  constructor(private readonly options: StorageOptions) {}

  currentRevision(): number {
    return this.revision;
  }

  oldestWatchableRevision(): number {
    return this.floor;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.byResource.get(resource)?.get(objectKey(namespace, name));
    return found && deepCopy(found);
  }

  /** Current objects of a resource (optionally one namespace), ordered by namespace then name. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.byResource.get(resource)?.entries() ?? [])];
    return all
      .filter(([, obj]) => namespace === undefined || obj.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => deepCopy(obj));
  }

  /** The objects as they were at `revision`, undoing later history; undefined if forgotten. */
  listAt(resource: string, revision: number, namespace?: string): KubeObject[] | undefined {
    if (revision < this.floor) return undefined;
    const state = new Map<string, KubeObject>(this.byResource.get(resource));
    for (let i = this.history.length - 1; i >= 0; i--) {
      const event = this.history[i]!;
      if (event.revision <= revision) break;
      if (event.resource !== resource) continue;
      const key = objectKey(event.object.metadata.namespace, event.object.metadata.name ?? '');
      if (event.previous) state.set(key, event.previous);
      else state.delete(key);
    }
    return [...state.entries()]
      .filter(([, obj]) => namespace === undefined || obj.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => deepCopy(obj));
  }

  /** Events after `revision`, oldest first; undefined when some of them were forgotten. */
  eventsSince(revision: number): ChangeEvent[] | undefined {
    if (revision < this.floor) return undefined;
    return this.history.filter((e) => e.revision > revision);
  }

  create(resource: string, obj: KubeObject): KubeObject {
    return this.write('ADDED', resource, obj, undefined);
  }

  /** Writes `obj` over the stored object, which must still be at `expectedRevision`. */
  update(resource: string, obj: KubeObject, expectedRevision: string): KubeObject | 'conflict' {
    const stored = this.byResource
      .get(resource)
      ?.get(objectKey(obj.metadata.namespace, obj.metadata.name ?? ''));
    if (!stored || stored.metadata.resourceVersion !== expectedRevision) return 'conflict';
    return this.write('MODIFIED', resource, obj, stored);
  }

  remove(resource: string, obj: KubeObject, expectedRevision: string): KubeObject | 'conflict' {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
    const stored = this.byResource.get(resource)?.get(key);
    if (!stored || stored.metadata.resourceVersion !== expectedRevision) return 'conflict';
    return this.write('DELETED', resource, stored, stored);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets all history: any watch or exact list from an older resourceVersion gets 410. */
  compact(): void {
    this.history = [];
    this.floor = this.revision;
  }

  /**
   * The stored objects of a resource (every resource when omitted), without copying. Read-only:
   * for the lifecycle controllers, which look at everything after every write.
   */
  *peek(resource?: string): Iterable<[string, KubeObject]> {
    for (const [key, objects] of this.byResource) {
      if (resource !== undefined && key !== resource) continue;
      for (const obj of objects.values()) yield [key, obj];
    }
  }

  /** Every stored object, by resource. */
  snapshot(): Map<string, KubeObject[]> {
    const out = new Map<string, KubeObject[]>();
    for (const resource of this.byResource.keys()) out.set(resource, this.list(resource));
    return out;
  }

  allocateClusterIP(): string {
    const n = this.nextClusterIP++;
    return `10.96.${Math.floor(n / 256)}.${n % 256}`;
  }

  allocateNodePort(): number {
    return this.nextNodePort++;
  }

  private write(
    type: ChangeType,
    resource: string,
    obj: KubeObject,
    previous: KubeObject | undefined,
  ): KubeObject {
    this.revision += 1;
    const stored = deepCopy(obj);
    stored.metadata.resourceVersion = String(this.revision);
    const key = objectKey(stored.metadata.namespace, stored.metadata.name ?? '');
    let objects = this.byResource.get(resource);
    if (!objects) {
      objects = new Map();
      this.byResource.set(resource, objects);
    }
    if (type === 'DELETED') objects.delete(key);
    else objects.set(key, stored);
    const event: ChangeEvent = { type, revision: this.revision, resource, object: stored };
    if (previous) event.previous = previous;
    this.remember(event);
    for (const listener of this.listeners) listener(event);
    return deepCopy(stored);
  }

  private remember(event: ChangeEvent): void {
    this.history.push(event);
    const excess = this.history.length - this.options.historyLimit;
    if (excess > 0) {
      this.floor = this.history[excess - 1]!.revision;
      this.history.splice(0, excess);
    }
  }
}
