// The write path shared by create, update, patch, apply and delete, following the generic
// registry store of k8s.io/apiserver: system metadata is the server's (uid, creationTimestamp,
// generation, deletionTimestamp), the status subresource isolates status from the rest, a stale
// metadata.resourceVersion is a 409 Conflict, a write that changes nothing stores nothing (no new
// resourceVersion, no event), an object with a deletionTimestamp goes away when its last
// finalizer does, and namespaced objects need a namespace that exists and is not terminating.

import { randomUUID } from 'node:crypto';
import {
  alreadyExists,
  badRequest,
  conflict,
  type FieldError,
  fieldErrors as fe,
  forbidden,
  invalid,
  methodNotSupported,
  notFound,
} from './errors.js';
import { recordUpdate } from './managed-fields.js';
import {
  apiVersionOf,
  comparable,
  deepCopy,
  deepEqual,
  isPlainObject,
  type KubeObject,
  type ManagedFieldsEntry,
  nowTimestamp,
  resourceKey,
  specPart,
} from './objects.js';
import type { ServedType } from './registry.js';
import { groupKind, groupResource, type ServerState, type Target } from './state.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './validation.js';

export interface Writer {
  manager: string;
  dryRun: boolean;
}

export const NAMESPACES_RESOURCE = '/namespaces';
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Thrown when storage changed under a write that may simply be retried (patches, unconditional PUT). */
export class RaceLost extends Error {}

export async function retryRaces<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RaceLost) || i >= 10) throw err;
    }
  }
}

/** The request body as an object of this type, or the 400 the real decoder answers. */
export function decodeBody(target: Target, body: unknown): KubeObject {
  const { type, version } = target;
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object');
  const obj = deepCopy(body) as KubeObject;
  const apiVersion = apiVersionOf(type.group, version);
  if (type.custom && (!obj.kind || !obj.apiVersion)) {
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== type.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${type.kind})`);
  }
  if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) {
    throw badRequest(
      `${type.kind} in version "${version}" cannot be handled as a ${type.kind}: metadata must be an object`,
    );
  }
  obj.metadata ??= {};
  obj.apiVersion = apiVersion;
  obj.kind = type.kind;
  const decodeError = type.decodeError?.(obj);
  if (decodeError) throw badRequest(decodeError);
  if (type.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== target.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = target.namespace;
  } else {
    delete obj.metadata.namespace;
  }
  if (target.name !== undefined && obj.metadata.name !== undefined && obj.metadata.name !== target.name) {
    throw badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${target.name})`,
    );
  }
  if (target.name !== undefined) obj.metadata.name = target.name;
  delete obj.metadata.managedFields;
  return obj;
}

function requireWritableNamespace(state: ServerState, target: Target, name: string): void {
  if (!target.type.namespaced) return;
  const namespace = state.storage.get(NAMESPACES_RESOURCE, undefined, target.namespace ?? '');
  if (!namespace) throw notFound({ group: '', resource: 'namespaces' }, target.namespace ?? '');
  if (namespace.metadata.deletionTimestamp) {
    const detail = `unable to create new content in namespace ${target.namespace} because it is being terminated`;
    throw forbidden(groupResource(target.type), name, detail, [
      {
        reason: 'NamespaceTerminating',
        message: `namespace ${target.namespace} is being terminated`,
        field: 'metadata.namespace',
      },
    ]);
  }
}

function generateName(prefix: string): string {
  const suffix = Array.from({ length: 5 }, () => NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * 27)]).join(
    '',
  );
  return `${prefix}${suffix}`;
}

async function validateObject(
  state: ServerState,
  target: Target,
  obj: KubeObject,
  old?: KubeObject,
): Promise<void> {
  const { type } = target;
  const errors: FieldError[] = validateObjectMeta(obj, type.namespaced, type.validateName);
  if (old) errors.push(...validateObjectMetaUpdate(obj, old));
  errors.push(...(type.validate?.(obj, old) ?? []));
  if (errors.length === 0 && state.validate) {
    const gvk = { group: type.group, version: target.version, kind: type.kind };
    const issues = await state.validate(gvk, deepCopy(obj), old && deepCopy(old));
    for (const issue of issues) errors.push(fe.preformatted(issue.field, issue.message, issue.type));
  }
  if (errors.length > 0) throw invalid(groupKind(type), obj.metadata.name ?? '', errors);
}

function defaulting(state: ServerState, type: ServedType, obj: KubeObject, live?: KubeObject): void {
  type.defaults?.(obj, {
    allocateClusterIP: () => state.storage.allocateClusterIP(),
    allocateNodePort: () => state.storage.allocateNodePort(),
    ...(live ? { live } : {}),
  });
}

/** Creates `obj` (already decoded); `managedFields` overrides the Update entry a create records. */
export async function createObject(
  state: ServerState,
  target: Target,
  obj: KubeObject,
  writer: Writer,
  managedFields?: ManagedFieldsEntry[],
): Promise<KubeObject> {
  const { type } = target;
  if (type.terminating) {
    const err = methodNotSupported(groupResource(type), 'create');
    err.status.message = 'create not allowed while custom resource definition is terminating';
    throw err;
  }
  const meta = obj.metadata;
  if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  requireWritableNamespace(state, target, meta.name ?? '');
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (type.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  if (type.statusSubresource) {
    if (type.custom) delete obj.status;
    else obj.status = {};
  }
  defaulting(state, type, obj);
  await validateObject(state, target, obj);
  if (state.storage.get(resourceKey(type), meta.namespace, meta.name ?? '')) {
    throw alreadyExists(groupResource(type), meta.name ?? '');
  }
  const apiVersion = apiVersionOf(type.group, target.version);
  meta.managedFields =
    managedFields ??
    recordUpdate(undefined, obj, { manager: writer.manager, operation: 'Update', apiVersion });
  if (writer.dryRun) return obj;
  return state.storage.create(resourceKey(type), obj);
}

/**
 * The object a write produces from `incoming`: on /status everything but status is the live
 * object's; on the main resource of a type with a status subresource, status is the live one.
 */
export function scopeToEndpoint(
  type: ServedType,
  live: KubeObject,
  incoming: KubeObject,
  subresource?: string,
): KubeObject {
  const fromStatus = subresource === 'status';
  const next = fromStatus ? deepCopy(live) : deepCopy(incoming);
  const statusSource = fromStatus ? incoming : live;
  if (fromStatus || type.statusSubresource) {
    if (statusSource.status === undefined) delete next.status;
    else next.status = deepCopy(statusSource.status);
  }
  return next;
}

const SYSTEM_METADATA = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'namespace',
  'name',
];

export interface UpdatePlan {
  target: Target;
  live: KubeObject;
  next: KubeObject;
  writer: Writer;
  /** The resourceVersion the client required (metadata.resourceVersion in its object), if any. */
  precondition?: string;
  /** managedFields computed by server-side apply; otherwise an Update entry is recorded. */
  managedFields?: ManagedFieldsEntry[];
}

/** Validates and stores an update of `live` to `next`. */
export async function commitUpdate(state: ServerState, plan: UpdatePlan): Promise<KubeObject> {
  const { target, live, writer } = plan;
  const { type } = target;
  const gr = groupResource(type);
  if (plan.precondition && plan.precondition !== live.metadata.resourceVersion)
    throw conflict(gr, live.metadata.name ?? '');
  const next = deepCopy(plan.next);
  for (const field of SYSTEM_METADATA) {
    if (live.metadata[field] === undefined) delete next.metadata[field];
    else next.metadata[field] = deepCopy(live.metadata[field]);
  }
  next.metadata.resourceVersion = live.metadata.resourceVersion;
  if (
    type.tracksGeneration &&
    !deepEqual(specPart(next, type.statusSubresource), specPart(live, type.statusSubresource))
  ) {
    next.metadata.generation = (live.metadata.generation ?? 0) + 1;
  }
  defaulting(state, type, next, live);
  const decodeError = type.decodeError?.(next);
  if (decodeError) throw badRequest(decodeError);
  await validateObject(state, target, next, live);
  if (deepEqual(comparable(next), comparable(live))) return live;
  const apiVersion = apiVersionOf(type.group, target.version);
  const entry = { manager: writer.manager, operation: 'Update' as const, apiVersion };
  const subresource = target.subresource ? { subresource: target.subresource } : {};
  next.metadata.managedFields = plan.managedFields ?? recordUpdate(live, next, { ...entry, ...subresource });
  if (writer.dryRun) return next;
  const key = resourceKey(type);
  const finalized = next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0;
  // Emptying the finalizers of an object being deleted deletes it: one DELETED event, no update.
  const stored = finalized
    ? state.storage.remove(key, live, live.metadata.resourceVersion ?? '')
    : state.storage.update(key, next, live.metadata.resourceVersion ?? '');
  if (stored === 'conflict') {
    if (plan.precondition) throw conflict(gr, live.metadata.name ?? '');
    throw new RaceLost();
  }
  return stored;
}

export function readLive(state: ServerState, target: Target): KubeObject {
  const live = state.storage.get(resourceKey(target.type), target.namespace, target.name ?? '');
  if (!live) throw notFound(groupResource(target.type), target.name ?? '');
  return live;
}

/** PUT: a full replacement, optimistic on metadata.resourceVersion when the client sets it. */
export async function updateObject(
  state: ServerState,
  target: Target,
  body: unknown,
  writer: Writer,
): Promise<KubeObject> {
  const incoming = decodeBody(target, body);
  const precondition = incoming.metadata.resourceVersion;
  if (!precondition && target.type.custom) {
    const error = fe.invalid('metadata.resourceVersion', '0x0', 'must be specified for an update');
    error.body = 'Invalid value: 0x0: must be specified for an update';
    throw invalid(groupKind(target.type), incoming.metadata.name ?? '', [error]);
  }
  return retryRaces(async () => {
    const live = readLive(state, target);
    const next = scopeToEndpoint(target.type, live, incoming, target.subresource);
    const plan: UpdatePlan = { target, live, next, writer };
    if (precondition) plan.precondition = precondition;
    return commitUpdate(state, plan);
  });
}
