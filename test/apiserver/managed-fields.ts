// metadata.managedFields and server-side apply. Field ownership is tracked per manager entry
// (manager, operation, subresource) at leaf granularity and written as FieldsV1
// (`{"f:spec":{"f:replicas":{}}}`). Approximations, documented: every list is atomic (owned and
// replaced whole, as for `x-kubernetes-list-type: atomic`; the real server merges
// `listType=map` lists by key), and ownership is only ever at leaves. What holds as on a real
// server: an Update takes the fields whose value it changed; an Apply owns exactly the fields in
// its configuration, conflicts (409) with another manager that owns a field it would change
// unless `force`, and removes fields it applied before and omits now when no one else owns them.

import { type ApiError, failure } from './errors.js';
import {
  deepCopy,
  deepEqual,
  isPlainObject,
  type KubeObject,
  type ManagedFieldsEntry,
  nowTimestamp,
} from './objects.js';

type Path = string[];

const TRACKED_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

function collectLeaves(value: unknown, path: Path, out: Map<string, Path>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) collectLeaves(child, [...path, key], out);
    return;
  }
  out.set(JSON.stringify(path), path);
}

/** Leaf paths of the fields managedFields tracks (no identity, system or type fields). */
export function trackedLeaves(obj: KubeObject, part: 'all' | 'status' | 'main' = 'all'): Map<string, Path> {
  const out = new Map<string, Path>();
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (part === 'status' && key !== 'status') continue;
    if (part === 'main' && key === 'status') continue;
    if (key === 'metadata') {
      if (part === 'status') continue;
      for (const field of TRACKED_METADATA) {
        if (obj.metadata[field] !== undefined) collectLeaves(obj.metadata[field], ['metadata', field], out);
      }
      continue;
    }
    collectLeaves(value, [key], out);
  }
  return out;
}

export function valueAt(obj: unknown, path: Path): unknown {
  let node = obj;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function toFieldsV1(paths: Iterable<Path>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const key of path) {
      const field = `f:${key}`;
      if (!isPlainObject(node[field])) node[field] = {};
      node = node[field] as Record<string, unknown>;
    }
  }
  return root;
}

function fromFieldsV1(fields: unknown, path: Path, out: Map<string, Path>): void {
  const keys = isPlainObject(fields) ? Object.keys(fields).filter((k) => k.startsWith('f:')) : [];
  if (keys.length === 0) {
    if (path.length > 0) out.set(JSON.stringify(path), path);
    return;
  }
  for (const key of keys)
    fromFieldsV1((fields as Record<string, unknown>)[key], [...path, key.slice(2)], out);
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Map<string, Path>;
}

function owners(obj: KubeObject | undefined): Owner[] {
  return (obj?.metadata.managedFields ?? []).map((entry) => {
    const paths = new Map<string, Path>();
    fromFieldsV1(entry.fieldsV1, [], paths);
    return { entry: deepCopy(entry), paths };
  });
}

function sameManager(
  a: ManagedFieldsEntry,
  b: Omit<ManagedFieldsEntry, 'time' | 'fieldsV1' | 'fieldsType'>,
): boolean {
  return (
    a.manager === b.manager && a.operation === b.operation && (a.subresource ?? '') === (b.subresource ?? '')
  );
}

interface FieldManager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
}

/**
 * Rebuilds managedFields: `writer` owns `owned`; every other manager keeps the fields that still
 * exist and that the writer did not take over (`taken`: fields whose value the writer changed).
 */
function rebuild(
  all: Owner[],
  writer: FieldManager,
  owned: Map<string, Path>,
  taken: Set<string>,
  live: KubeObject,
): ManagedFieldsEntry[] {
  const liveLeaves = trackedLeaves(live);
  const entries: ManagedFieldsEntry[] = [];
  let written = false;
  for (const owner of all) {
    const isWriter = sameManager(owner.entry, writer);
    const paths = isWriter ? owned : owner.paths;
    const kept = [...paths].filter(([key]) => liveLeaves.has(key) && (isWriter || !taken.has(key)));
    if (isWriter) written = true;
    if (kept.length === 0) continue;
    const entry = isWriter
      ? { ...owner.entry, time: nowTimestamp(), apiVersion: writer.apiVersion }
      : owner.entry;
    entries.push({ ...entry, fieldsV1: toFieldsV1(kept.map(([, p]) => p)) });
  }
  if (!written && owned.size > 0) {
    const entry: ManagedFieldsEntry = {
      manager: writer.manager,
      operation: writer.operation,
      apiVersion: writer.apiVersion,
      time: nowTimestamp(),
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(owned.values()),
    };
    if (writer.subresource) entry.subresource = writer.subresource;
    entries.push(entry);
  }
  return entries;
}

/** managedFields after a create, update or patch by `writer` (operation Update). */
export function recordUpdate(
  old: KubeObject | undefined,
  updated: KubeObject,
  writer: FieldManager,
): ManagedFieldsEntry[] {
  const all = owners(old);
  const part = writer.subresource === 'status' ? 'status' : 'all';
  const changed = new Map<string, Path>();
  for (const [key, path] of trackedLeaves(updated, part)) {
    if (!old || !deepEqual(valueAt(old, path), valueAt(updated, path))) changed.set(key, path);
  }
  const previous = all.find((o) => sameManager(o.entry, writer))?.paths ?? new Map<string, Path>();
  const owned = new Map([...previous, ...changed]);
  return rebuild(all, writer, owned, new Set(changed.keys()), updated);
}

function applyConflict(conflicts: { manager: string; apiVersion: string; field: string }[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${c.manager}" using ${c.apiVersion}`,
    field: c.field,
  }));
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
  const summary = `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${lines.join('\n')}`;
  return failure(409, 'Conflict', summary, { causes });
}

function deepMerge(live: unknown, config: unknown): unknown {
  if (!isPlainObject(live) || !isPlainObject(config)) return deepCopy(config);
  const out: Record<string, unknown> = { ...live };
  for (const [key, value] of Object.entries(config)) out[key] = deepMerge(live[key], value);
  return out;
}

function removePath(obj: KubeObject, path: Path, keep: Map<string, Path>): void {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = valueAt(obj, path.slice(0, depth - 1));
    if (!isPlainObject(parent)) return;
    const key = path[depth - 1]!;
    const value = parent[key];
    const emptyObject = isPlainObject(value) && Object.keys(value).length === 0;
    if (depth < path.length && (!emptyObject || keep.has(JSON.stringify(path.slice(0, depth))))) return;
    delete parent[key];
  }
}

export interface ApplyRequest {
  live: KubeObject | undefined;
  /** The applied configuration, already limited to what this endpoint may write. */
  config: KubeObject;
  writer: FieldManager;
  force: boolean;
}

/** Server-side apply: the merged object, with managedFields, or a 409 on ownership conflicts. */
export function serverSideApply(req: ApplyRequest): KubeObject {
  const { live, config, writer } = req;
  const configLeaves = trackedLeaves(config);
  const all = owners(live);
  if (live && !req.force) {
    const conflicts = [];
    for (const [key, path] of configLeaves) {
      if (deepEqual(valueAt(live, path), valueAt(config, path))) continue;
      for (const owner of all) {
        if (sameManager(owner.entry, writer) || !owner.paths.has(key)) continue;
        conflicts.push({
          manager: owner.entry.manager,
          apiVersion: owner.entry.apiVersion,
          field: `.${path.join('.')}`,
        });
      }
    }
    if (conflicts.length > 0) throw applyConflict(conflicts);
  }
  const merged = deepMerge(live ?? {}, config) as KubeObject;
  const previous = all.find((o) => sameManager(o.entry, writer))?.paths ?? new Map<string, Path>();
  for (const [key, path] of previous) {
    if (configLeaves.has(key) || all.some((o) => !sameManager(o.entry, writer) && o.paths.has(key))) continue;
    removePath(merged, path, configLeaves);
  }
  const taken = new Set<string>();
  for (const [key, path] of configLeaves) {
    if (!live || !deepEqual(valueAt(live, path), valueAt(config, path))) taken.add(key);
  }
  merged.metadata.managedFields = rebuild(all, writer, configLeaves, taken, merged);
  return merged;
}
