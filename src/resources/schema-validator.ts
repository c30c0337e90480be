// OpenAPI v3 schema validation of a custom resource with ajv, compiled once per CRD version
// on first use. The CRD schema is translated to the JSON Schema ajv expects (Kubernetes
// extensions folded in: int-or-string becomes `integer,string`, `nullable` adds `null`;
// descriptions and defaults left out), patterns run on RE2 like the Go API server's, and the
// formats the API server knows are registered. ajv's errors become API-server field errors in
// `schema-errors.ts`.

import { isIP } from 'node:net';
import { RE2JS } from '@bufbuild/re2';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { SchemaNode } from './crds.js';
import type { FieldError } from './field-errors.js';
import { toFieldErrors } from './schema-errors.js';

const VALIDATION_KEYWORDS = [
  'type',
  'format',
  'enum',
  'pattern',
  'maxLength',
  'minLength',
  'maximum',
  'minimum',
  'multipleOf',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
] as const;

/** ajv's pattern engine: Go's regexp (RE2) semantics, as the API server matches `pattern`. */
const re2Engine = Object.assign((pattern: string) => RE2JS.compile(pattern), { code: 'RE2JS.compile' });

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** How many schemas have been compiled so far (for tests of precompilation). */
export function compiledSchemaCount(): number {
  return compiled.size;
}

function sharedAjv(): Ajv {
  if (ajv) return ajv;
  // No ajv messages or verbose data: errors are worded from keyword and params (schema-errors.ts).
  ajv = new Ajv({ allErrors: true, strict: false, messages: false, code: { regExp: re2Engine } });
  // The formats apiextensions validates; numeric formats are informational only.
  ajv.addFormat('ipv4', (s: string) => isIP(s) === 4);
  ajv.addFormat('ipv6', (s: string) => isIP(s) === 6);
  for (const informational of [
    'int32',
    'int64',
    'float',
    'double',
    'byte',
    'date-time',
    'date',
    'duration',
  ]) {
    ajv.addFormat(informational, true);
  }
  return ajv;
}

/** Validates `value` against the schema registered under `key`, compiling it the first time. */
export function validateAgainstSchema(key: string, schema: SchemaNode, value: unknown): FieldError[] {
  const validate = compileSchema(key, schema);
  if (validate(value)) return [];
  return toFieldErrors(value, validate.errors as ErrorObject[]);
}

/** The compiled validator for the schema registered under `key` (compiled on first use). */
export function compileSchema(key: string, schema: SchemaNode): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    const jsonSchema = toJsonSchema(schema);
    // Status is dropped on create, so compiling its (large) schema would only cost startup time.
    delete (jsonSchema.properties as Record<string, unknown> | undefined)?.status;
    validate = sharedAjv().compile(jsonSchema);
    compiled.set(key, validate);
  }
  return validate;
}

/** The CRD schema node as draft-07 JSON Schema, keeping only what validation needs. */
export function toJsonSchema(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const keyword of VALIDATION_KEYWORDS) {
    if (node[keyword] !== undefined) out[keyword] = node[keyword];
  }
  if (node['x-kubernetes-int-or-string']) out.type = ['integer', 'string'];
  if (node.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (node.nullable && Array.isArray(node.enum)) out.enum = [...node.enum, null];
  if (node.exclusiveMaximum === true) {
    out.exclusiveMaximum = node.maximum;
    delete out.maximum;
  }
  if (node.exclusiveMinimum === true) {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  }
  if (node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([k, v]) => [k, toJsonSchema(v)]),
    );
  }
  if (node.items) out.items = toJsonSchema(node.items);
  if (typeof node.additionalProperties === 'object')
    out.additionalProperties = toJsonSchema(node.additionalProperties);
  for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (node[keyword]) out[keyword] = node[keyword].map(toJsonSchema);
  }
  if (node.not) out.not = toJsonSchema(node.not);
  return out;
}
