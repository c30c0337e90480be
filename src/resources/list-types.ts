// The uniqueness invariants of `x-kubernetes-list-type: set` (no two equal items) and `map`
// (no two items with the same `x-kubernetes-list-map-keys`), checked like the API server's
// structural listtype validation: one `Duplicate value` error at the first repeat of a value.

import type { SchemaNode } from './crds.js';
import { type FieldError, fieldError, type PathSegment } from './field-errors.js';
import { isPlainObject } from './structural.js';

export function validateListTypes(
  value: unknown,
  schema: SchemaNode,
  path: PathSegment[] = [],
): FieldError[] {
  if (Array.isArray(value)) return validateList(value, schema, path);
  if (!isPlainObject(value)) return [];
  const errors: FieldError[] = [];
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [key, child] of Object.entries(value)) {
    const sub = schema.properties?.[key] ?? extra;
    if (sub) errors.push(...validateListTypes(child, sub, [...path, key]));
  }
  return errors;
}

function validateList(list: unknown[], schema: SchemaNode, path: PathSegment[]): FieldError[] {
  const errors: FieldError[] = [];
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of firstRepeats(list)) errors.push(fieldError.duplicate([...path, i], list[i]));
  } else if (listType === 'map') {
    errors.push(...validateListMap(list, schema['x-kubernetes-list-map-keys'] ?? [], path));
  }
  if (schema.items)
    errors.push(...list.flatMap((item, i) => validateListTypes(item, schema.items!, [...path, i])));
  return errors;
}

function validateListMap(list: unknown[], keyFields: string[], path: PathSegment[]): FieldError[] {
  const bad = list.findIndex((item) => item !== null && !isPlainObject(item));
  if (bad >= 0)
    return [fieldError.invalid([...path, bad], list[bad], 'must be an object for an array of list-type map')];
  const keys = list.map((item) => {
    const key: Record<string, unknown> = {};
    for (const field of keyFields) {
      if (isPlainObject(item) && item[field] !== undefined) key[field] = item[field];
    }
    return key;
  });
  return firstRepeats(keys).map((i) => fieldError.duplicate([...path, i], keys[i]));
}

/** Indices where a value occurs for the second time (later repeats are not reported). */
function firstRepeats(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const repeats: number[] = [];
  values.forEach((value, i) => {
    const key = canonicalJson(value);
    const times = seen.get(key) ?? 0;
    if (times === 1) repeats.push(i);
    seen.set(key, times + 1);
  });
  return repeats;
}

/** JSON with sorted object keys, so equal values compare equal (as Go's json.Marshal of maps). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const body = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${body.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
