// HTTPRoute rules → compiled rules, once per route and independent of its parents. A rule whose
// content is invalid is dropped ("Drop Rule(s)" in RouteConditionPartiallyInvalid); the route stays
// Accepted while any rule is valid. The rule's action: a RequestRedirect filter's redirect (its
// backendRefs are ignored), a 500 when an ExtensionRef cannot be resolved or nothing is left to
// forward to (no backendRefs, or all weights 0), else a weighted forward in which every backendRef
// that fails to resolve keeps its share of traffic as a 500.

import type { ActionIR, BackendIR, RouteFiltersIR, TimeoutsIR } from '../ir/types.js';
import type { HTTPRoute } from '../resources/types.js';
import { type BackendProblem, resolveBackendRef } from './backendrefs.js';
import { InvalidRule, type RuleInvalidReason, unsupportedValue } from './conditions.js';
import { meta, type ObjectMetaView, type TranslateContext } from './context.js';
import { parseDuration } from './durations.js';
import { compileBackendFilters, compileRuleFilters } from './filters.js';
import { type CompiledMatch, compileMatches } from './matches.js';
import { asArray, asInteger, asName, asRecord, asString, asStringList } from './values.js';

export interface CompiledRule {
  index: number;
  name?: string;
  matches: CompiledMatch[];
  filters: RouteFiltersIR;
  action: ActionIR;
  timeouts: TimeoutsIR;
}

export interface DroppedRule {
  index: number;
  reason: RuleInvalidReason;
  message: string;
}

export interface CompiledRoute {
  readonly route: HTTPRoute;
  readonly meta: ObjectMetaView;
  /** spec.hostnames, lower-cased. */
  readonly hostnames: string[];
  readonly rules: CompiledRule[];
  readonly dropped: DroppedRule[];
  /** Unresolved references of the valid rules, in rule order (the ResolvedRefs condition). */
  readonly problems: BackendProblem[];
}

const INVALID_BACKEND_STATUS = 500;
const MAX_WEIGHT = 1_000_000;

export function compileRoute(ctx: TranslateContext, route: HTTPRoute): CompiledRoute {
  const view = meta(route);
  const spec = asRecord(route.spec);
  const compiled: CompiledRoute = {
    route,
    meta: view,
    hostnames: asStringList(spec?.hostnames).map((hostname) => hostname.toLowerCase()),
    rules: [],
    dropped: [],
    problems: [],
  };
  // An absent or empty rules list takes the CRD default: one rule matching PathPrefix "/".
  const rules = asArray(spec?.rules);
  (rules.length > 0 ? rules : [{}]).forEach((rule, index) => {
    const result = compileRule(ctx, view.namespace, asRecord(rule) ?? {}, index);
    if (result instanceof InvalidRule)
      compiled.dropped.push({ index, reason: result.reason, message: result.message });
    else {
      compiled.rules.push(result.rule);
      compiled.problems.push(...result.problems);
    }
  });
  return compiled;
}

function compileRule(
  ctx: TranslateContext,
  routeNamespace: string,
  rule: Record<string, unknown>,
  index: number,
): { rule: CompiledRule; problems: BackendProblem[] } | InvalidRule {
  const matches = compileMatches(rule.matches);
  if (matches instanceof InvalidRule) return matches;
  const filters = compileRuleFilters(ctx, routeNamespace, rule.filters, matches);
  if (filters instanceof InvalidRule) return filters;
  const timeouts = compileTimeouts(rule.timeouts);
  if (timeouts instanceof InvalidRule) return timeouts;
  const problems = [...filters.problems];
  let action: ActionIR;
  if (filters.redirect) action = filters.redirect;
  else if (filters.unresolvedExtension) action = { type: 'direct', status: INVALID_BACKEND_STATUS };
  else {
    const backends = compileBackends(ctx, routeNamespace, rule.backendRefs);
    if (backends instanceof InvalidRule) return backends;
    problems.push(...backends.problems);
    action =
      backends.backends.length > 0
        ? { type: 'forward', backends: backends.backends }
        : { type: 'direct', status: INVALID_BACKEND_STATUS };
  }
  const compiled: CompiledRule = { index, matches, filters: filters.filters, action, timeouts };
  const name = asName(rule.name);
  if (name !== undefined) compiled.name = name;
  return { rule: compiled, problems };
}

function compileBackends(
  ctx: TranslateContext,
  routeNamespace: string,
  backendRefs: unknown,
): { backends: BackendIR[]; problems: BackendProblem[] } | InvalidRule {
  const backends: BackendIR[] = [];
  const problems: BackendProblem[] = [];
  for (const ref of asArray(backendRefs)) {
    const record = asRecord(ref) ?? {};
    const weight = record.weight === undefined ? 1 : asInteger(record.weight);
    if (weight === undefined || weight < 0 || weight > MAX_WEIGHT) {
      return unsupportedValue(`backendRef weight must be an integer from 0 to ${MAX_WEIGHT}.`);
    }
    const filters = compileBackendFilters(record.filters);
    if (filters instanceof InvalidRule) return filters;
    // Weight-0 refs carry no traffic but are still references, so their problems are reported.
    const resolved = resolveBackendRef(ctx, routeNamespace, record);
    if (!resolved.ok) problems.push(resolved.problem);
    if (weight === 0) continue;
    const backend: BackendIR = resolved.ok
      ? { weight, cluster: resolved.cluster }
      : { weight, cluster: null, invalidStatus: INVALID_BACKEND_STATUS };
    backends.push({ ...backend, ...filters });
  }
  return { backends, problems };
}

/** Gateway API durations in ms; zero means "no timeout" and is left out of the IR. */
function compileTimeouts(timeouts: unknown): TimeoutsIR | InvalidRule {
  const record = asRecord(timeouts) ?? {};
  const request = readDuration(record.request, 'request');
  if (request instanceof InvalidRule) return request;
  const backendRequest = readDuration(record.backendRequest, 'backendRequest');
  if (backendRequest instanceof InvalidRule) return backendRequest;
  if (request && backendRequest && backendRequest > request) {
    return unsupportedValue('timeouts.backendRequest cannot be longer than timeouts.request.');
  }
  const compiled: TimeoutsIR = {};
  if (request) compiled.requestMs = request;
  if (backendRequest) compiled.backendRequestMs = backendRequest;
  return compiled;
}

function readDuration(value: unknown, field: string): number | undefined | InvalidRule {
  if (value === undefined) return undefined;
  const text = asString(value) ?? '';
  const ms = parseDuration(text);
  return ms ?? unsupportedValue(`timeouts.${field} "${text}" is not a Gateway API duration.`);
}
