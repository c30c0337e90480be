// HTTPRoute rule matches → IR matches. Absent fields take their CRD defaults (path PathPrefix "/",
// header and query param type Exact) and a rule without matches gets one PathPrefix "/" match.
// Header names are lower-cased and only the first of several equal names counts, as the spec
// says; query param names are case-sensitive. A RegularExpression that RE2 rejects, or any value
// outside the API's enums, makes the rule invalid (reason UnsupportedValue).

import { RE2JS } from '@bufbuild/re2';
import type { PathMatchIR, ValueMatchIR } from '../ir/types.js';
import { InvalidRule, unsupportedValue } from './conditions.js';
import { asArray, asRecord, asString } from './values.js';

export interface CompiledMatch {
  path: PathMatchIR;
  method?: string;
  headers: ValueMatchIR[];
  queryParams: ValueMatchIR[];
}

const PATH_TYPES = new Set(['Exact', 'PathPrefix', 'RegularExpression']);
const VALUE_TYPES = new Set(['Exact', 'RegularExpression']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export function compileMatches(matches: unknown): CompiledMatch[] | InvalidRule {
  if (matches !== undefined && !Array.isArray(matches)) return unsupportedValue('matches must be a list.');
  const entries = asArray(matches);
  if (entries.length === 0) return [defaultMatch()];
  const compiled: CompiledMatch[] = [];
  for (const entry of entries) {
    const match = compileMatch(asRecord(entry) ?? {});
    if (match instanceof InvalidRule) return match;
    compiled.push(match);
  }
  return compiled;
}

function defaultMatch(): CompiledMatch {
  return { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] };
}

function compileMatch(match: Record<string, unknown>): CompiledMatch | InvalidRule {
  const path = compilePath(match.path);
  if (path instanceof InvalidRule) return path;
  const headers = compileValueMatches(match.headers, 'header', (name) => name.toLowerCase());
  if (headers instanceof InvalidRule) return headers;
  const queryParams = compileValueMatches(match.queryParams, 'query param', (name) => name);
  if (queryParams instanceof InvalidRule) return queryParams;
  const compiled: CompiledMatch = { path, headers, queryParams };
  if (match.method !== undefined) {
    const method = asString(match.method) ?? '';
    if (!METHODS.has(method)) return unsupportedValue(`Method "${method}" is not supported.`);
    compiled.method = method;
  }
  return compiled;
}

function compilePath(path: unknown): PathMatchIR | InvalidRule {
  const record = asRecord(path) ?? {};
  const type = record.type === undefined ? 'PathPrefix' : (asString(record.type) ?? '');
  const value = record.value === undefined ? '/' : asString(record.value);
  if (!PATH_TYPES.has(type)) return unsupportedValue(`Path match type "${type}" is not supported.`);
  if (value === undefined) return unsupportedValue('Path match value must be a string.');
  if (type === 'RegularExpression') {
    const invalid = checkRegex(value, 'path');
    if (invalid) return invalid;
  } else if (!value.startsWith('/')) {
    return unsupportedValue(`Path "${value}" must start with "/".`);
  }
  return { type: type as PathMatchIR['type'], value };
}

function compileValueMatches(
  list: unknown,
  what: string,
  normalise: (name: string) => string,
): ValueMatchIR[] | InvalidRule {
  const compiled: ValueMatchIR[] = [];
  const seen = new Set<string>();
  for (const entry of asArray(list)) {
    const record = asRecord(entry) ?? {};
    const name = asString(record.name);
    const value = asString(record.value);
    const type = record.type === undefined ? 'Exact' : (asString(record.type) ?? '');
    if (!name || value === undefined) return unsupportedValue(`A ${what} match needs a name and a value.`);
    if (!VALUE_TYPES.has(type)) return unsupportedValue(`The ${what} match type "${type}" is not supported.`);
    const invalid = type === 'RegularExpression' ? checkRegex(value, `${what} ${name}`) : undefined;
    if (invalid) return invalid;
    const key = normalise(name);
    if (seen.has(key)) continue;
    seen.add(key);
    compiled.push({ name: key, type: type as ValueMatchIR['type'], value });
  }
  return compiled;
}

/** RE2 reports a bad pattern by throwing; that becomes the rule's UnsupportedValue. */
function checkRegex(pattern: string, what: string): InvalidRule | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return unsupportedValue(`The ${what} regular expression is not valid RE2: ${reason}.`);
  }
}
