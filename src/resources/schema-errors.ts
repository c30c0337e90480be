// Turns ajv's errors into the field errors the API server reports for the same schema
// violation (kube-openapi's messages, converted by apiextensions' kubeOpenAPIResultToFieldErrors):
// the same error types, paths (`spec.rules[0].matches`), wording and order. For a failed
// oneOf/anyOf only the errors of the branch the API server reports are kept (its first
// branch: kube-openapi keeps the best-scoring one, and for the CRDs' address schema that is
// the first). Errors are ordered as kube-openapi visits the object: a node's own checks before
// its children, `required` and item-count checks after them.

import type { ErrorObject } from 'ajv';
import {
  type FieldError,
  fieldError,
  formatPath,
  goQuote,
  type PathSegment,
  unlocatedInvalid,
} from './field-errors.js';

/** Validator order within one node (kube-openapi runs type, composition, string, format, ...). */
const PRE_RANK: Readonly<Record<string, number>> = {
  type: 0,
  oneOf: 1,
  anyOf: 1,
  allOf: 1,
  not: 1,
  maxLength: 2,
  minLength: 3,
  pattern: 4,
  format: 5,
  multipleOf: 6,
  maximum: 7,
  exclusiveMaximum: 7,
  minimum: 8,
  exclusiveMinimum: 8,
  enum: 9,
  maxProperties: 10,
  minProperties: 10,
};
/** Checked after the node's children were validated. */
const POST_RANK: Readonly<Record<string, number>> = {
  minItems: 11,
  maxItems: 12,
  uniqueItems: 13,
  required: 14,
};

export function toFieldErrors(root: unknown, errors: readonly ErrorObject[]): FieldError[] {
  const ticks = visitTicks(root);
  return keptBranches(errors)
    .map((err) => ({ err, ...locate(root, err.instancePath) }))
    .map(({ err, path, data }) => ({ fieldErr: convert(err, path, data), order: orderKey(err, ticks) }))
    .filter((e): e is { fieldErr: FieldError; order: number } => e.fieldErr !== undefined)
    .sort((a, b) => a.order - b.order)
    .map((e) => e.fieldErr);
}

function convert(err: ErrorObject, path: PathSegment[], data: unknown): FieldError | undefined {
  const name = formatPath(path);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required': {
      const missing = [...path, String(p.missingProperty)];
      return fieldError.required(missing);
    }
    case 'enum':
      return fieldError.notSupported(path, data, (p.allowedValues as unknown[]).map(enumText));
    case 'type': {
      const actual = jsonType(data);
      const expected = Array.isArray(p.type) ? p.type.join(',') : String(p.type);
      if (data === null)
        return fieldError.typeInvalid(path, '', `${name} in body must be of type ${expected}`);
      return fieldError.typeInvalid(path, actual, `${name} in body must be of type ${expected}: "${actual}"`);
    }
    case 'format':
      return fieldError.typeInvalid(
        path,
        data,
        `${name} in body must be of type ${p.format}: ${goQuote(String(data))}`,
      );
    case 'pattern':
      return fieldError.invalid(path, data, `${name} in body should match '${p.pattern}'`);
    case 'maxLength':
      return fieldError.tooLong(path, Number(p.limit));
    case 'minLength':
      return fieldError.invalid(path, data, `${name} in body should be at least ${p.limit} chars long`);
    case 'maxItems':
      return fieldError.tooMany(path, (data as unknown[]).length, Number(p.limit));
    case 'minItems':
      return fieldError.invalid(
        path,
        (data as unknown[]).length,
        `${name} in body should have at least ${p.limit} items`,
      );
    case 'maxProperties':
      return fieldError.tooMany(path, Object.keys(data as object).length, Number(p.limit));
    case 'minProperties':
      return fieldError.invalid(
        path,
        Object.keys(data as object).length,
        `${name} in body should have at least ${p.limit} properties`,
      );
    case 'uniqueItems':
      return fieldError.invalid(path, '', `${name} in body shouldn't contain duplicates`);
    default:
      return convertOther(err, path, name, data);
  }
}

function convertOther(
  err: ErrorObject,
  path: PathSegment[],
  name: string,
  data: unknown,
): FieldError | undefined {
  const p = err.params as Record<string, unknown>;
  const bound = (words: string) =>
    fieldError.invalid(path, data, `${name} in body should be ${words} ${p.limit}`);
  switch (err.keyword) {
    case 'maximum':
      return bound(p.comparison === '<' ? 'less than' : 'less than or equal to');
    case 'exclusiveMaximum':
      return bound('less than');
    case 'minimum':
      return bound(p.comparison === '>' ? 'greater than' : 'greater than or equal to');
    case 'exclusiveMinimum':
      return bound('greater than');
    case 'multipleOf':
      return fieldError.invalid(path, data, `${name} in body should be a multiple of ${p.multipleOf}`);
    case 'oneOf': {
      const passing = p.passingSchemas as number[] | null;
      const found = passing ? `Found ${passing.length} valid alternatives` : 'Found none valid';
      return unlocatedInvalid(path, '', `${name} must validate one and only one schema (oneOf). ${found}`);
    }
    case 'anyOf':
      return unlocatedInvalid(path, '', `${name} must validate at least one schema (anyOf)`);
    case 'not':
      return unlocatedInvalid(path, '', `${name} must not validate the schema (not)`);
    default:
      return undefined; // allOf and `if` add no message of their own
  }
}

function enumText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The JSON type name go-openapi reports for a decoded value. */
function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Drops the errors of oneOf/anyOf branches other than the lowest-numbered failing one. */
function keptBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const lowest = new Map<string, number>();
  for (const err of errors) {
    for (const { key, index } of branchesOf(err)) lowest.set(key, Math.min(index, lowest.get(key) ?? index));
  }
  return errors.filter((err) => branchesOf(err).every(({ key, index }) => lowest.get(key) === index));
}

/** The oneOf/anyOf branches an error lies in, each keyed by composite schema and data node. */
function branchesOf(err: ErrorObject): { key: string; index: number }[] {
  const tokens = err.schemaPath.split('/').slice(1);
  const instance = err.instancePath.split('/');
  const out: { key: string; index: number }[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'properties') {
      i++;
      depth++;
    } else if (token === 'items' || token === 'additionalProperties') {
      depth++;
    } else if ((token === 'oneOf' || token === 'anyOf') && i + 1 < tokens.length - 1) {
      const node = instance.slice(0, depth + 1).join('/');
      out.push({ key: `${tokens.slice(0, i + 1).join('/')}@${node}`, index: Number(tokens[++i]) });
    }
  }
  return out;
}

/** A JSON pointer from ajv as path segments (numbers where the data is a list), and the value there. */
function locate(root: unknown, pointer: string): { path: PathSegment[]; data: unknown } {
  const path: PathSegment[] = [];
  let node = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: PathSegment = Array.isArray(node) ? Number(key) : key;
    path.push(seg);
    node = (node as Record<string | number, unknown> | undefined)?.[seg];
  }
  return { path, data: node };
}

interface Ticks {
  enter: Map<string, number>;
  exit: Map<string, number>;
}

/** Numbers each node on entry and exit of a depth-first walk, keyed by JSON pointer. */
function visitTicks(root: unknown): Ticks {
  const ticks: Ticks = { enter: new Map(), exit: new Map() };
  let clock = 0;
  const visit = (node: unknown, pointer: string) => {
    ticks.enter.set(pointer, clock++);
    if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        visit(
          (node as Record<string, unknown>)[key],
          `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        );
      }
    }
    ticks.exit.set(pointer, clock++);
  };
  visit(root, '');
  return ticks;
}

/**
 * Sort key: a node's own checks at its entry tick, `required`/item counts at its exit tick;
 * the errors of one node keep kube-openapi's validator order.
 */
function orderKey(err: ErrorObject, ticks: Ticks): number {
  const post = POST_RANK[err.keyword];
  const tick = post === undefined ? ticks.enter.get(err.instancePath) : ticks.exit.get(err.instancePath);
  return (tick ?? 0) * 100 + (post ?? PRE_RANK[err.keyword] ?? 50);
}
