// Assembling a ResourceSnapshot from the objects of every file: files are taken in the order
// they were first seen, so when two files (or one file twice) define the same object the
// first definition is kept and the other reported; each object gets its server-maintained
// metadata; each list is sorted by namespace and name so equal inputs give equal snapshots.

import { emptySnapshot, type ResourceSnapshot } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/types.js';
import type { LoadedObject } from './load.js';
import type { MetadataTracker } from './object-metadata.js';

export interface Duplicate {
  key: string;
  kept: LoadedObject;
  dropped: LoadedObject;
}

export interface BuiltSnapshot {
  snapshot: ResourceSnapshot;
  /** Every object in the snapshot, in a fixed order (to compare two builds by identity). */
  objects: KubeObject[];
  duplicates: Duplicate[];
}

export function buildSnapshot(
  files: Iterable<readonly LoadedObject[]>,
  tracker: MetadataTracker,
): BuiltSnapshot {
  const chosen = new Map<string, LoadedObject>();
  const duplicates: Duplicate[] = [];
  for (const objects of files) {
    for (const loaded of objects) {
      const kept = chosen.get(loaded.key);
      if (kept) duplicates.push({ key: loaded.key, kept, dropped: loaded });
      else chosen.set(loaded.key, loaded);
    }
  }
  tracker.retain(new Set(chosen.keys()));

  const snapshot = emptySnapshot();
  const sorted = [...chosen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const objects: KubeObject[] = [];
  for (const [key, loaded] of sorted) {
    if (!loaded.info) continue; // a Gateway API kind the snapshot has no place for (GRPCRoute, ...)
    const stamped = tracker.stamp(key, loaded.kind.group, loaded.object);
    (snapshot[loaded.info!.field] as KubeObject[]).push(stamped);
    objects.push(stamped);
  }
  return { snapshot, objects, duplicates };
}

/** Whether two builds hold the very same objects (stamped objects are reused when unchanged). */
export function sameObjects(a: readonly KubeObject[], b: readonly KubeObject[]): boolean {
  return a.length === b.length && a.every((object, i) => object === b[i]);
}
