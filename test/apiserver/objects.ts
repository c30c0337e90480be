// Shapes shared by the API server double: a served object, its metadata, the description of a
// served resource type (built-in or from a CustomResourceDefinition), and small helpers over
// JSON values (deep copy, deep equality, time stamps in the API's formats).

import type { FieldError } from './errors.js';
import type { NameValidator } from './validation.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Allocators a defaulting step may use (Service cluster IPs and node ports). */
export interface DefaultingContext {
  allocateClusterIP(): string;
  allocateNodePort(): number;
  /** The stored object, on an update. */
  live?: KubeObject;
}

/** One served resource: `/apis/<group>/<version>/[namespaces/<ns>/]<plural>`. */
export interface ResourceType {
  group: string;
  /** Served versions, preferred first. Objects are stored once and re-labelled per version. */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Has a `/status` subresource: status is written there and only there. */
  statusSubresource: boolean;
  /** metadata.generation is set to 1 on create and bumped on spec changes. */
  tracksGeneration: boolean;
  /** Served from a CRD: unstructured, list items keep kind/apiVersion, no strategic merge patch. */
  custom: boolean;
  verbs: string[];
  validateName: NameValidator;
  defaults?: (obj: KubeObject, ctx: DefaultingContext) => void;
  validate?: (obj: KubeObject, old?: KubeObject) => FieldError[];
  /** A decoding problem the real server reports as 400 before validation (wrong JSON types). */
  decodeError?: (obj: KubeObject) => string | undefined;
}

export function resourceKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  const br = b as Record<string, unknown>;
  return ak.every((k) => Object.hasOwn(br, k) && deepEqual((a as Record<string, unknown>)[k], br[k]));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The object without the parts every write rewrites, for "did anything change" checks. */
export function comparable(obj: KubeObject): KubeObject {
  const copy = deepCopy(obj);
  delete copy.metadata.resourceVersion;
  delete copy.metadata.managedFields;
  return copy;
}

/** Everything but metadata and (optionally) status: what a generation bump is judged on. */
export function specPart(obj: KubeObject, excludeStatus: boolean): Record<string, unknown> {
  const { metadata: _metadata, apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  if (excludeStatus) delete rest.status;
  return rest;
}
