// Evaluates a CRD's `x-kubernetes-validations` CEL rules with @bufbuild/cel the way the API
// server does on create: `self` is the value at the rule's node, typed by the schema (integers
// are CEL ints, property names escaped: `namespace` is `self.__namespace__`), transition rules
// (those reading `oldSelf`) are skipped, and failures become field errors worded like the API
// server's (`spec.listeners: Invalid value: "array": <message>`), honouring `messageExpression`,
// `fieldPath` and `reason`. Kubernetes' CEL library functions the CRDs use and @bufbuild/cel
// lacks are added here; each rule is compiled once.

import { isIP as netIsIP } from 'node:net';
import { type CelInput, CelScalar, celEnv, celFunc, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { SchemaNode, ValidationRule } from './crds.js';
import { type FieldError, fieldError, formatPath, type PathSegment, withField } from './field-errors.js';
import { isPlainObject } from './structural.js';

/** Kubernetes CEL library functions (k8s.io/apiserver/pkg/cel/library) missing from @bufbuild/cel. */
const kubernetesLibrary = [
  celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s) => isPlainIP(s)),
  celFunc('isCIDR', [CelScalar.STRING], CelScalar.BOOL, (s) => isCIDR(s)),
  celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s) => isURL(s)),
];

const env = celEnv({ funcs: [...strings, ...kubernetesLibrary] });

type Program = (bindings: { self: CelInput }) => unknown;
const programs = new Map<string, Program | Error>();

/** How many CEL expressions have been compiled so far (for tests of precompilation). */
export function compiledRuleCount(): number {
  return programs.size;
}

function program(expression: string): Program | Error {
  let compiled = programs.get(expression);
  if (!compiled) {
    try {
      compiled = plan(env, parse(expression)) as Program;
    } catch (err) {
      compiled = err as Error;
    }
    programs.set(expression, compiled);
  }
  return compiled;
}

/** Compiles every rule (and message expression) in `schema` ahead of its first use. */
export function compileRules(schema: SchemaNode): void {
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    program(rule.rule);
    if (rule.messageExpression) program(rule.messageExpression);
  }
  const children = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
    ...(typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : []),
  ];
  for (const child of children) compileRules(child);
}

/** A node's path as segments (for source positions) and as the API server prints it. */
interface Location {
  path: PathSegment[];
  field: string;
}

const property = (at: Location, name: string): Location => ({
  path: [...at.path, name],
  field: at.field ? `${at.field}.${name}` : name,
});
const mapKey = (at: Location, key: string): Location => ({
  path: [...at.path, key],
  field: `${at.field}[${key}]`,
});
const listIndex = (at: Location, i: number): Location => ({
  path: [...at.path, i],
  field: `${at.field}[${i}]`,
});

/** Runs every rule in `schema` against `value` (already defaulted), depth first. */
export function evaluateRules(value: unknown, schema: SchemaNode, path: PathSegment[] = []): FieldError[] {
  return evaluateAt(value, schema, { path, field: formatPath(path) });
}

function evaluateAt(value: unknown, schema: SchemaNode, at: Location): FieldError[] {
  const errors: FieldError[] = [];
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(rule.rule)) continue; // transition rule: there is no old object on create
    const err = evaluateRule(rule, value, schema, at);
    if (err) errors.push(err);
  }
  if (Array.isArray(value) && schema.items) {
    errors.push(...value.flatMap((item, i) => evaluateAt(item, schema.items!, listIndex(at, i))));
  } else if (isPlainObject(value)) {
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const [key, child] of Object.entries(value)) {
      const known = schema.properties?.[key];
      if (child === undefined) continue;
      if (known) errors.push(...evaluateAt(child, known, property(at, key)));
      else if (extra) errors.push(...evaluateAt(child, extra, mapKey(at, key)));
    }
  }
  return errors;
}

function evaluateRule(rule: ValidationRule, value: unknown, schema: SchemaNode, at: Location) {
  const target = rule.fieldPath ? resolveFieldPath(rule.fieldPath, schema, at) : { at, schema };
  const typeName = target.schema.type ?? 'object';
  const located = (err: FieldError) => withField(err, target.at.field);
  const run = program(rule.rule);
  if (run instanceof Error) {
    return located(fieldError.invalid(target.at.path, typeName, `compilation failed: ${run.message}`));
  }
  const self = toCel(value, schema);
  const result = run({ self });
  if (isCelError(result)) {
    return located(fieldError.invalid(target.at.path, typeName, evaluationFailure(result.message, rule)));
  }
  if (result === true) return undefined;
  const message = messageFor(rule, self);
  if (message instanceof Error) return located(fieldError.invalid(target.at.path, typeName, message.message));
  return located(errorForReason(rule.reason, target.at.path, typeName, message));
}

/** The API server's wording for a rule that could not be evaluated (cel-go's error texts). */
function evaluationFailure(celMessage: string, rule: ValidationRule): string {
  const ruleText = (rule.message?.trim() || rule.rule.trim()) as string;
  if (celMessage.startsWith('found no matching overload')) {
    return `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText}`;
  }
  const reason = celMessage
    .replace(/^field not found: (.*)$/, 'no such key: $1')
    .replace(/^index (-?\d+) out of bounds.*$/, 'index out of bounds: $1')
    .replace(/^int divide by zero$/, 'division by zero');
  return `${reason} evaluating rule: ${ruleText}`;
}

function messageFor(rule: ValidationRule, self: CelInput): string | Error {
  const fallback = rule.message?.trim() ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`;
  if (!rule.messageExpression) return fallback;
  const run = program(rule.messageExpression);
  if (run instanceof Error) return fallback;
  const result = run({ self });
  if (isCelError(result)) return fallback;
  if (typeof result !== 'string') return new Error('messageExpression must evaluate to a string');
  if (result.trim() === '' || /[\r\n]/.test(result)) return fallback;
  return result;
}

function errorForReason(
  reason: ValidationRule['reason'],
  path: PathSegment[],
  typeName: string,
  message: string,
) {
  switch (reason) {
    case 'FieldValueForbidden':
      return fieldError.forbidden(path, message);
    case 'FieldValueRequired':
      return fieldError.required(path, message);
    case 'FieldValueDuplicate':
      return fieldError.duplicate(path, typeName);
    default:
      return fieldError.invalid(path, typeName, message);
  }
}

/** A rule's `fieldPath` (`.a.b`, `['key']`, `[0]`) appended to the rule node's location. */
function resolveFieldPath(fieldPath: string, schema: SchemaNode, start: Location) {
  let node = schema;
  let at = start;
  for (const [, dotted, quoted, index] of fieldPath.matchAll(/\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]/g)) {
    if (index !== undefined) {
      at = listIndex(at, Number(index));
      node = node.items ?? node;
      continue;
    }
    const name = (dotted ?? quoted) as string;
    const known = node.properties?.[name];
    const extra = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    at = known || !extra ? property(at, name) : mapKey(at, name);
    node = known ?? extra ?? node;
  }
  return { at, schema: node };
}

/** The JSON value as the CEL value the API server binds for this schema. */
export function toCel(value: unknown, schema: SchemaNode | undefined): CelInput {
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (isPlainObject(value)) {
    const extra = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const map = new Map<string, CelInput>();
    for (const [key, child] of Object.entries(value)) {
      const property = schema?.properties?.[key];
      if (property) map.set(escapePropertyName(key), toCel(child, property));
      else map.set(key, toCel(child, extra));
    }
    return map;
  }
  if (typeof value === 'number') {
    const integer = schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] === true;
    const untyped = schema?.type === undefined && Number.isInteger(value);
    return integer || untyped ? BigInt(Math.trunc(value)) : value;
  }
  return value as CelInput;
}

const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** Kubernetes' escaping of property names that are not CEL identifiers. */
export function escapePropertyName(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
}

/** An IPv4 or IPv6 address without zone, not IPv4-mapped (Kubernetes' `isIP`). */
function isPlainIP(s: string): boolean {
  return netIsIP(s) !== 0 && !s.includes('%') && !/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(s);
}

function isCIDR(s: string): boolean {
  const [address, bits, ...rest] = s.split('/');
  if (rest.length > 0 || address === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = netIsIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Go's url.ParseRequestURI acceptance: an absolute URL or an absolute path. */
function isURL(s: string): boolean {
  if (s.startsWith('/')) return !/\s/.test(s);
  try {
    return new URL(s).protocol !== '';
  } catch {
    return false;
  }
}
