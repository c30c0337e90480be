// HTTPRoute rule matches → IR matches. Absent fields take their CRD defaults (path PathPrefix "/",
// header and query param type Exact) and a rule without matches gets one PathPrefix "/" match.
// Header names are lower-cased and only the first of several equal names counts, as the spec
// says; query param names are case-sensitive. A RegularExpression that RE2 rejects, or any value
// outside the API's enums, makes the rule invalid (reason UnsupportedValue).

import { RE2JS } from '@bufbuild/re2';
import type { PathMatchIR, ValueMatchIR } from '../ir/types.js';
import { type InvalidRule, unsupportedValue } from './conditions.js';
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

/** Thrown only inside this module and turned into an InvalidRule by compileMatches. */
class InvalidMatch extends Error {}

export function compileMatches(matches: unknown): CompiledMatch[] | InvalidRule {
  if (matches !== undefined && !Array.isArray(matches)) return unsupportedValue('matches must be a list.');
  const entries = asArray(matches);
  if (entries.length === 0) return [defaultMatch()];
  try {
    return entries.map((entry) => compileMatch(asRecord(entry) ?? {}));
  } catch (error) {
    if (error instanceof InvalidMatch) return unsupportedValue(error.message);
    throw error;
  }
}

function defaultMatch(): CompiledMatch {
  return { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] };
}

function compileMatch(match: Record<string, unknown>): CompiledMatch {
  const compiled: CompiledMatch = {
    path: compilePath(match.path),
    headers: compileValueMatches(match.headers, 'header', (name) => name.toLowerCase()),
    queryParams: compileValueMatches(match.queryParams, 'query param', (name) => name),
  };
  if (match.method !== undefined) {
    const method = asString(match.method) ?? '';
    if (!METHODS.has(method)) throw new InvalidMatch(`Method "${method}" is not supported.`);
    compiled.method = method;
  }
  return compiled;
}

function compilePath(path: unknown): PathMatchIR {
  const record = asRecord(path) ?? {};
  const type = record.type === undefined ? 'PathPrefix' : (asString(record.type) ?? '');
  const value = record.value === undefined ? '/' : asString(record.value);
  if (!PATH_TYPES.has(type)) throw new InvalidMatch(`Path match type "${type}" is not supported.`);
  if (value === undefined) throw new InvalidMatch('Path match value must be a string.');
  if (type === 'RegularExpression') checkRegex(value, 'path');
  else if (!value.startsWith('/')) throw new InvalidMatch(`Path "${value}" must start with "/".`);
  return { type: type as PathMatchIR['type'], value };
}

function compileValueMatches(
  list: unknown,
  what: string,
  normalise: (name: string) => string,
): ValueMatchIR[] {
  const compiled: ValueMatchIR[] = [];
  const seen = new Set<string>();
  for (const entry of asArray(list)) {
    const record = asRecord(entry) ?? {};
    const name = asString(record.name);
    const value = asString(record.value);
    const type = record.type === undefined ? 'Exact' : (asString(record.type) ?? '');
    if (!name || value === undefined) throw new InvalidMatch(`A ${what} match needs a name and a value.`);
    if (!VALUE_TYPES.has(type)) throw new InvalidMatch(`The ${what} match type "${type}" is not supported.`);
    if (type === 'RegularExpression') checkRegex(value, `${what} ${name}`);
    const key = normalise(name);
    if (seen.has(key)) continue;
    seen.add(key);
    compiled.push({ name: key, type: type as ValueMatchIR['type'], value });
  }
  return compiled;
}

function checkRegex(pattern: string, what: string): void {
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidMatch(`The ${what} regular expression is not valid RE2: ${reason}.`);
  }
}
