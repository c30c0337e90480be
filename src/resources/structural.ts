// Structural-schema processing the API server applies to a custom resource before validating
// it: null values of non-nullable fields are dropped (or replaced by the default), fields the
// schema does not know are pruned (and reported, like the server's `unknown field` warnings),
// and `default`s are applied where a field is absent and its parent object exists, recursing
// into defaulted values so nested defaults apply too. Mutates the value it is given.

import type { SchemaNode } from './crds.js';
import { formatPath, type PathSegment } from './field-errors.js';

export interface Warning {
  path: PathSegment[];
  message: string;
}

export interface StructuralOptions {
  /** Top-level keys left alone (the API server handles `metadata` separately). */
  skipRootKeys?: readonly string[];
}

/** Prunes unknown fields, drops nulls and applies defaults; returns the pruned-field warnings. */
export function pruneAndDefault(
  value: unknown,
  schema: SchemaNode,
  options: StructuralOptions = {},
): Warning[] {
  const warnings: Warning[] = [];
  walk(value, schema, [], warnings, new Set(options.skipRootKeys ?? []));
  return warnings;
}

function walk(
  value: unknown,
  schema: SchemaNode,
  path: PathSegment[],
  warnings: Warning[],
  skip: Set<string>,
) {
  if (Array.isArray(value)) {
    if (!schema.items) return;
    for (let i = 0; i < value.length; i++) walk(value[i], schema.items, [...path, i], warnings, NO_SKIP);
    return;
  }
  if (!isPlainObject(value)) return;
  walkObject(value, schema, path, warnings, skip);
}

const NO_SKIP = new Set<string>();

function walkObject(
  obj: Record<string, unknown>,
  schema: SchemaNode,
  path: PathSegment[],
  warnings: Warning[],
  skip: Set<string>,
) {
  const properties = schema.properties ?? {};
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const keepUnknown =
    schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const key of Object.keys(obj)) {
    if (skip.has(key)) continue;
    const sub = Object.hasOwn(properties, key) ? properties[key] : extra;
    if (!sub) {
      if (!keepUnknown) {
        delete obj[key];
        warnings.push({
          path: [...path, key],
          message: `unknown field ${JSON.stringify(formatPath([...path, key]))}`,
        });
      }
      continue;
    }
    if (obj[key] === null && !sub.nullable) {
      if (sub.default === undefined) delete obj[key];
      else obj[key] = structuredClone(sub.default);
    }
    if (obj[key] !== undefined) walk(obj[key], sub, [...path, key], warnings, NO_SKIP);
  }
  for (const [key, sub] of Object.entries(properties)) {
    if (obj[key] !== undefined || sub.default === undefined || skip.has(key)) continue;
    obj[key] = structuredClone(sub.default);
    walk(obj[key], sub, [...path, key], warnings, NO_SKIP);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
