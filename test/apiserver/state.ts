// What every request handler of the double shares: storage, the registry of served types, the
// optional validation hook, and the addressed target of a request (type, version, namespace,
// name, subresource). Also how a stored object is presented at the version a client asked for.

import type { FieldErrorType, GroupKind, GroupResource } from './errors.js';
import { apiVersionOf, type KubeObject } from './objects.js';
import type { Registry, ServedType } from './registry.js';
import type { Storage } from './storage.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** One problem a validation hook found; `message` is what follows the field path. */
export interface ValidationIssue {
  field: string;
  message: string;
  /** The cause reason; FieldValueInvalid unless given. */
  type?: FieldErrorType;
}

/**
 * Called on every create, update and patch (any kind) after built-in validation, with the object
 * about to be stored and, for writes to an existing object, its current state. A non-empty
 * answer rejects the write with 422 Invalid.
 */
export type ValidateHook = (
  gvk: GroupVersionKind,
  obj: KubeObject,
  oldObj?: KubeObject,
) => ValidationIssue[] | Promise<ValidationIssue[]>;

export interface ServerState {
  storage: Storage;
  registry: Registry;
  validate?: ValidateHook;
}

export interface Target {
  type: ServedType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function groupResource(type: ServedType): GroupResource {
  return { group: type.group, resource: type.plural };
}

export function groupKind(type: ServedType): GroupKind {
  return { group: type.group, kind: type.kind };
}

/** The object as served at `version`: stored once, labelled with the requested apiVersion. */
export function present(type: ServedType, version: string, obj: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: apiVersionOf(type.group, version), kind: type.kind, ...rest };
}
