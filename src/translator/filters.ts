// HTTPRoute filters → IR. Rule filters: RequestHeaderModifier, ResponseHeaderModifier,
// RequestRedirect (which becomes the rule's action), URLRewrite, RequestMirror (any number, each
// with its own share), CORS and ExtensionRef. Gatehouse defines no extension kinds, so an
// ExtensionRef cannot be resolved: the spec forbids skipping it, so the rule answers 500 and
// ResolvedRefs reports InvalidKind. An unknown filter type, a repeated filter (only RequestMirror
// may repeat) or RequestRedirect with URLRewrite makes the rule invalid. backendRef filters support
// the two header modifiers.

import type {
  CorsIR,
  HeaderIR,
  HeaderModIR,
  MirrorIR,
  RedirectActionIR,
  RouteFiltersIR,
} from '../ir/types.js';
import { type BackendProblem, resolveBackendRef } from './backendrefs.js';
import { InvalidRule, unsupportedValue } from './conditions.js';
import type { TranslateContext } from './context.js';
import type { CompiledMatch } from './matches.js';
import { compileRedirect, compileUrlRewrite } from './redirects.js';
import { asArray, asBoolean, asInteger, asName, asRecord, asString, asStringList } from './values.js';

export interface CompiledFilters {
  filters: RouteFiltersIR;
  redirect?: RedirectActionIR;
  /** An ExtensionRef could not be resolved: requests matching the rule get an error response. */
  unresolvedExtension: boolean;
  problems: BackendProblem[];
}

export interface BackendFilters {
  requestHeaders?: HeaderModIR;
  responseHeaders?: HeaderModIR;
}

const DEFAULT_CORS_MAX_AGE = 5;

export function compileRuleFilters(
  ctx: TranslateContext,
  routeNamespace: string,
  filters: unknown,
  matches: CompiledMatch[],
): CompiledFilters | InvalidRule {
  if (filters !== undefined && !Array.isArray(filters)) return unsupportedValue('filters must be a list.');
  const compiled: CompiledFilters = { filters: {}, unresolvedExtension: false, problems: [] };
  const seen = new Set<string>();
  for (const filter of asArray(filters)) {
    const record = asRecord(filter) ?? {};
    const type = asString(record.type) ?? '';
    if (type !== 'RequestMirror' && seen.has(type)) {
      return new InvalidRule('IncompatibleFilters', `Filter ${type} may appear only once in a rule.`);
    }
    seen.add(type);
    const failure = applyRuleFilter(ctx, routeNamespace, type, record, matches, compiled);
    if (failure) return failure;
  }
  if (compiled.redirect && compiled.filters.urlRewrite) {
    return new InvalidRule(
      'IncompatibleFilters',
      'RequestRedirect and URLRewrite cannot be combined in a rule.',
    );
  }
  return compiled;
}

function applyRuleFilter(
  ctx: TranslateContext,
  routeNamespace: string,
  type: string,
  filter: Record<string, unknown>,
  matches: CompiledMatch[],
  into: CompiledFilters,
): InvalidRule | undefined {
  switch (type) {
    case 'RequestHeaderModifier':
    case 'ResponseHeaderModifier':
      return applyHeaderFilter(type, filter, into.filters);
    case 'RequestRedirect': {
      const redirect = compileRedirect(filter.requestRedirect, matches);
      if (redirect instanceof InvalidRule) return redirect;
      into.redirect = redirect;
      return undefined;
    }
    case 'URLRewrite': {
      const rewrite = compileUrlRewrite(filter.urlRewrite, matches);
      if (rewrite instanceof InvalidRule) return rewrite;
      into.filters.urlRewrite = rewrite;
      return undefined;
    }
    case 'RequestMirror':
      return applyMirror(ctx, routeNamespace, filter.requestMirror, into);
    case 'CORS': {
      const cors = compileCors(filter.cors);
      if (cors instanceof InvalidRule) return cors;
      into.filters.cors = cors;
      return undefined;
    }
    case 'ExtensionRef':
      into.unresolvedExtension = true;
      into.problems.push({ reason: 'InvalidKind', message: extensionRefMessage(filter.extensionRef) });
      return undefined;
    default:
      return unsupportedValue(`Filter type "${type}" is not supported.`);
  }
}

function applyHeaderFilter(
  type: 'RequestHeaderModifier' | 'ResponseHeaderModifier',
  filter: Record<string, unknown>,
  into: RouteFiltersIR | BackendFilters,
): InvalidRule | undefined {
  const request = type === 'RequestHeaderModifier';
  const mod = compileHeaderMod(request ? filter.requestHeaderModifier : filter.responseHeaderModifier, type);
  if (mod instanceof InvalidRule) return mod;
  if (request) into.requestHeaders = mod;
  else into.responseHeaders = mod;
  return undefined;
}

function compileHeaderMod(config: unknown, type: string): HeaderModIR | InvalidRule {
  const record = asRecord(config);
  if (!record) return unsupportedValue(`A ${type} filter needs its configuration.`);
  const set = compileHeaders(record.set);
  const add = compileHeaders(record.add);
  if (!set || !add) return unsupportedValue(`${type}: every header needs a name and a value.`);
  return { set, add, remove: asStringList(record.remove).map((name) => name.toLowerCase()) };
}

function compileHeaders(list: unknown): HeaderIR[] | undefined {
  const headers: HeaderIR[] = [];
  for (const entry of asArray(list)) {
    const record = asRecord(entry);
    const name = asName(record?.name);
    const value = asString(record?.value);
    if (name === undefined || value === undefined) return undefined;
    headers.push({ name, value });
  }
  return headers;
}

function applyMirror(
  ctx: TranslateContext,
  routeNamespace: string,
  config: unknown,
  into: CompiledFilters,
): InvalidRule | undefined {
  const record = asRecord(config);
  if (!asRecord(record?.backendRef)) return unsupportedValue('A RequestMirror filter needs a backendRef.');
  const share = mirrorShare(record?.percent, record?.fraction);
  if (share instanceof InvalidRule) return share;
  const resolved = resolveBackendRef(ctx, routeNamespace, record?.backendRef);
  if (!resolved.ok) into.problems.push(resolved.problem);
  const mirror: MirrorIR = { cluster: resolved.ok ? resolved.cluster : null, ...share };
  into.filters.mirrors = [...(into.filters.mirrors ?? []), mirror];
  return undefined;
}

/** percent → n/100; fraction → numerator/denominator (default 100); neither → every request. */
function mirrorShare(
  percent: unknown,
  fraction: unknown,
): { numerator: number; denominator: number } | InvalidRule {
  if (percent !== undefined && fraction !== undefined) {
    return unsupportedValue('A RequestMirror filter sets either percent or fraction, not both.');
  }
  if (percent !== undefined) {
    const value = asInteger(percent);
    if (value === undefined || value < 0 || value > 100)
      return unsupportedValue('Mirror percent must be 0-100.');
    return { numerator: value, denominator: 100 };
  }
  if (fraction !== undefined) {
    const record = asRecord(fraction);
    const numerator = asInteger(record?.numerator);
    const denominator = record?.denominator === undefined ? 100 : asInteger(record.denominator);
    if (numerator === undefined || denominator === undefined || numerator < 0 || denominator < 1) {
      return unsupportedValue('Mirror fraction needs a numerator >= 0 and a denominator >= 1.');
    }
    if (numerator > denominator)
      return unsupportedValue('Mirror fraction numerator exceeds its denominator.');
    return { numerator, denominator };
  }
  return { numerator: 1, denominator: 1 };
}

function compileCors(config: unknown): CorsIR | InvalidRule {
  const record = asRecord(config);
  if (!record) return unsupportedValue('A CORS filter needs its cors configuration.');
  const maxAge = record.maxAge === undefined ? DEFAULT_CORS_MAX_AGE : asInteger(record.maxAge);
  if (maxAge === undefined || maxAge < 1) return unsupportedValue('CORS maxAge must be a positive integer.');
  return {
    allowOrigins: asStringList(record.allowOrigins),
    allowCredentials: asBoolean(record.allowCredentials) ?? false,
    allowMethods: asStringList(record.allowMethods),
    allowHeaders: asStringList(record.allowHeaders),
    exposeHeaders: asStringList(record.exposeHeaders),
    maxAge,
  };
}

function extensionRefMessage(extensionRef: unknown): string {
  const record = asRecord(extensionRef);
  const ref = `${asString(record?.group) ?? ''}/${asString(record?.kind) ?? ''} ${asString(record?.name) ?? ''}`;
  return `ExtensionRef filter ${ref} is not supported; matching requests get an error response.`;
}

/** Filters on a backendRef: the two header modifiers, each at most once. */
export function compileBackendFilters(filters: unknown): BackendFilters | InvalidRule {
  if (filters !== undefined && !Array.isArray(filters))
    return unsupportedValue('backendRef filters must be a list.');
  const compiled: BackendFilters = {};
  const seen = new Set<string>();
  for (const filter of asArray(filters)) {
    const record = asRecord(filter) ?? {};
    const type = asString(record.type) ?? '';
    if (type !== 'RequestHeaderModifier' && type !== 'ResponseHeaderModifier') {
      return unsupportedValue(`Filter type "${type}" is not supported on a backendRef.`);
    }
    if (seen.has(type)) return new InvalidRule('IncompatibleFilters', `Filter ${type} may appear only once.`);
    seen.add(type);
    const failure = applyHeaderFilter(type, record, compiled);
    if (failure) return failure;
  }
  return compiled;
}
