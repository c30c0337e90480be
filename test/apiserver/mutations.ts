// PATCH (merge, JSON, strategic merge, server-side apply) and DELETE on top of the shared write
// path. Deletion follows the generic store: an object with finalizers gets a deletionTimestamp
// (and a generation bump) and stays until they are gone; one without is removed at once and the
// answer is a Success Status; a namespace is only marked Terminating (its contents are removed by
// the lifecycle controller). Preconditions and propagationPolicy are checked as the real server does.

import { parse as parseYaml } from 'yaml';
import {
  badRequest,
  conflict,
  fieldErrors as fe,
  invalid,
  notFound,
  type Status,
  successStatus,
  unsupportedMediaType,
} from './errors.js';
import { serverSideApply } from './managed-fields.js';
import {
  apiVersionOf,
  deepCopy,
  isPlainObject,
  type KubeObject,
  nowTimestamp,
  resourceKey,
} from './objects.js';
import {
  APPLY_PATCH,
  JSON_PATCH,
  jsonPatch,
  MERGE_PATCH,
  mergePatch,
  STRATEGIC_MERGE_PATCH,
  strategicMergePatch,
} from './patch.js';
import type { ServedType } from './registry.js';
import { groupResource, present, type ServerState, type Target } from './state.js';
import {
  commitUpdate,
  createObject,
  decodeBody,
  NAMESPACES_RESOURCE,
  RaceLost,
  readLive,
  retryRaces,
  scopeToEndpoint,
  type UpdatePlan,
  type Writer,
} from './writes.js';

export interface PatchOptions extends Writer {
  contentType: string;
  /** The query's fieldManager (undefined when absent). */
  fieldManager?: string;
  force?: boolean;
}

const PATCH_OPTIONS = { group: 'meta.k8s.io', kind: 'PatchOptions' };

function checkPatchOptions(options: PatchOptions): void {
  const apply = options.contentType === APPLY_PATCH;
  if (apply && !options.fieldManager) {
    throw invalid(PATCH_OPTIONS, '', [fe.required('fieldManager', 'is required for apply patch')]);
  }
  if (!apply && options.force !== undefined) {
    throw invalid(PATCH_OPTIONS, '', [fe.forbidden('force', 'may not be specified for non-apply patch')]);
  }
}

function patchTypes(type: ServedType): string[] {
  const types = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
  return type.custom ? types : [...types, STRATEGIC_MERGE_PATCH];
}

function applyPatchBody(type: ServedType, contentType: string, current: KubeObject, body: unknown): unknown {
  switch (contentType) {
    case MERGE_PATCH:
      return mergePatch(current, body);
    case JSON_PATCH:
      return jsonPatch(current, body);
    case STRATEGIC_MERGE_PATCH:
      return strategicMergePatch(current, body);
    default:
      throw unsupportedMediaType(contentType, patchTypes(type));
  }
}

export async function patchObject(
  state: ServerState,
  target: Target,
  rawBody: string,
  options: PatchOptions,
): Promise<KubeObject> {
  const { type } = target;
  if (!patchTypes(type).includes(options.contentType))
    throw unsupportedMediaType(options.contentType, patchTypes(type));
  checkPatchOptions(options);
  if (options.contentType === APPLY_PATCH) return applyObject(state, target, rawBody, options);
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  return retryRaces(async () => {
    const live = readLive(state, target);
    const patched = applyPatchBody(type, options.contentType, present(type, target.version, live), body);
    const incoming = decodeBody(target, patched);
    const next = scopeToEndpoint(type, live, incoming, target.subresource);
    const plan: UpdatePlan = { target, live, next, writer: options };
    const precondition = incoming.metadata.resourceVersion;
    if (precondition && precondition !== live.metadata.resourceVersion) plan.precondition = precondition;
    return commitUpdate(state, plan);
  });
}

/** The part of an applied configuration this endpoint may write. */
function scopeApplyConfig(type: ServedType, config: KubeObject, subresource?: string): KubeObject {
  if (subresource === 'status') {
    const { apiVersion, kind, metadata, status } = config;
    const scoped: KubeObject = {
      apiVersion,
      kind,
      metadata: { name: metadata.name, namespace: metadata.namespace },
    };
    if (status !== undefined) scoped.status = status;
    return scoped;
  }
  if (type.statusSubresource) {
    const { status: _status, ...rest } = config;
    return rest as KubeObject;
  }
  return config;
}

async function applyObject(
  state: ServerState,
  target: Target,
  rawBody: string,
  options: PatchOptions,
): Promise<KubeObject> {
  let parsed: unknown;
  try {
    parsed = parseYaml(rawBody);
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (
    isPlainObject(parsed) &&
    isPlainObject(parsed.metadata) &&
    parsed.metadata.managedFields !== undefined
  ) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const config = scopeApplyConfig(target.type, decodeBody(target, parsed), target.subresource);
  delete config.metadata.resourceVersion;
  const writer = {
    manager: options.fieldManager ?? '',
    operation: 'Apply' as const,
    apiVersion: apiVersionOf(target.type.group, target.version),
    ...(target.subresource ? { subresource: target.subresource } : {}),
  };
  const force = options.force ?? false;
  return retryRaces(async () => {
    const live = state.storage.get(resourceKey(target.type), target.namespace, target.name ?? '');
    if (!live) {
      if (target.subresource) throw notFound(groupResource(target.type), target.name ?? '');
      const created = serverSideApply({ live: undefined, config, writer, force });
      const { managedFields } = created.metadata;
      return createObject(state, target, created, options, managedFields);
    }
    const merged = serverSideApply({
      live: present(target.type, target.version, live),
      config,
      writer,
      force,
    });
    const next = scopeToEndpoint(target.type, live, merged, target.subresource);
    const plan: UpdatePlan = { target, live, next, writer: options };
    if (merged.metadata.managedFields) plan.managedFields = merged.metadata.managedFields;
    return commitUpdate(state, plan);
  });
}

// ---- delete ----

export interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'];

export function parseDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const record = isPlainObject(body) ? body : {};
  const policy = query.get('propagationPolicy') ?? record.propagationPolicy;
  const options: DeleteOptions = { dryRun: query.getAll('dryRun').includes('All') };
  if (policy !== undefined && policy !== null) {
    if (!PROPAGATION_POLICIES.includes(String(policy))) {
      const error = fe.notSupported('propagationPolicy', policy, PROPAGATION_POLICIES);
      throw invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [error]);
    }
    options.propagationPolicy = String(policy);
  }
  if (isPlainObject(record.preconditions))
    options.preconditions = record.preconditions as DeleteOptions['preconditions'];
  return options;
}

export interface Deletion {
  removed: boolean;
  object: KubeObject;
}

/**
 * Deletes a stored object as the generic store does (also used by the lifecycle controllers).
 * Returns whether it is gone or only marked for deletion.
 */
export function deleteStored(
  state: ServerState,
  type: ServedType,
  live: KubeObject,
  dryRun = false,
): Deletion {
  const key = resourceKey(type);
  const rv = live.metadata.resourceVersion ?? '';
  const isNamespace = key === NAMESPACES_RESOURCE;
  if (!isNamespace && (live.metadata.finalizers ?? []).length === 0) {
    if (dryRun) return { removed: true, object: live };
    const removed = state.storage.remove(key, live, rv);
    if (removed === 'conflict') throw new RaceLost();
    return { removed: true, object: removed };
  }
  if (live.metadata.deletionTimestamp) return { removed: false, object: live };
  const marked = deepCopy(live);
  if (marked.metadata.generation) marked.metadata.generation += 1;
  marked.metadata.deletionTimestamp = nowTimestamp();
  marked.metadata.deletionGracePeriodSeconds = 0;
  if (isNamespace)
    marked.status = { ...(isPlainObject(marked.status) ? marked.status : {}), phase: 'Terminating' };
  if (dryRun) return { removed: false, object: marked };
  const stored = state.storage.update(key, marked, rv);
  if (stored === 'conflict') throw new RaceLost();
  return { removed: false, object: stored };
}

function checkPreconditions(type: ServedType, live: KubeObject, options: DeleteOptions): void {
  const { uid, resourceVersion } = options.preconditions ?? {};
  const gr = groupResource(type);
  const name = live.metadata.name ?? '';
  if (uid && uid !== live.metadata.uid) {
    throw conflict(
      gr,
      name,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${live.metadata.uid}`,
    );
  }
  if (resourceVersion && resourceVersion !== live.metadata.resourceVersion) {
    const detail = `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}`;
    throw conflict(gr, name, detail);
  }
}

/** DELETE of one object: the Success Status when removed, else the object as marked. */
export async function deleteObject(
  state: ServerState,
  target: Target,
  options: DeleteOptions,
): Promise<KubeObject | Status> {
  return retryRaces(async () => {
    const live = readLive(state, target);
    checkPreconditions(target.type, live, options);
    const result = deleteStored(state, target.type, live, options.dryRun);
    if (!result.removed) return present(target.type, target.version, result.object);
    const details = {
      name: live.metadata.name ?? '',
      group: target.type.group,
      kind: target.type.plural,
      uid: live.metadata.uid ?? '',
    };
    if (!details.group) delete (details as { group?: string }).group;
    return successStatus(details);
  });
}
