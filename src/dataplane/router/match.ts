// Route match conditions compiled from the IR and checked against one request: path (Exact,
// PathPrefix, RegularExpression), method, headers and query parameters. The request is seen
// through `MatchRequest`, a plain view any engine (node:http, a raw-socket parser) can provide.

import { RE2JS } from '@bufbuild/re2';
import type { PathMatchIR, RouteIR, ValueMatchIR } from '../../ir/types.js';

/** What matching needs from a request. `host` is normalized (see `normalizeHost`). */
export interface MatchRequest {
  readonly method: string;
  readonly host: string;
  /** The path without the query string, as received (not decoded). */
  readonly path: string;
  /** The raw query string without `?` ('' when absent). */
  readonly query: string;
  /** A header value by lower-case name; repeated headers joined with `, `. */
  header(name: string): string | undefined;
  /** The first value of a query parameter (decoded, case-sensitive name). */
  queryParam(name: string): string | undefined;
}

/** Lazily parses the query once per request, on the first query-parameter condition. */
export abstract class BaseMatchRequest implements MatchRequest {
  private params: URLSearchParams | undefined;

  constructor(
    readonly method: string,
    readonly host: string,
    readonly path: string,
    readonly query: string,
  ) {}

  abstract header(name: string): string | undefined;

  queryParam(name: string): string | undefined {
    this.params ??= new URLSearchParams(this.query);
    return this.params.get(name) ?? undefined;
  }
}

interface ValueCondition {
  name: string;
  exact: string | undefined;
  regex: RE2JS | undefined;
}

/** The compiled match of one RouteIR; `order` is its position in the listener's precedence list. */
export interface RouteMatch {
  readonly order: number;
  readonly path: PathMatchIR;
  /** PathPrefix value without a trailing slash ('' for `/`). */
  readonly prefix: string;
  readonly pathRegex: RE2JS | undefined;
  readonly method: string | undefined;
  readonly headers: readonly ValueCondition[];
  readonly query: readonly ValueCondition[];
}

/** Compiles a route's match; throws on an invalid regular expression (the caller skips the route). */
export function compileRouteMatch(route: RouteIR, order: number): RouteMatch {
  const path = route.path;
  return {
    order,
    path,
    prefix: path.type === 'PathPrefix' ? trimTrailingSlash(path.value) : '',
    pathRegex: path.type === 'RegularExpression' ? RE2JS.compile(path.value) : undefined,
    method: route.method,
    headers: compileValues(route.headers.map((h) => ({ ...h, name: h.name.toLowerCase() }))),
    query: compileValues(route.queryParams),
  };
}

/** Shared by the many routes without header or query conditions. */
const NO_CONDITIONS: readonly ValueCondition[] = [];

function compileValues(matches: ValueMatchIR[]): readonly ValueCondition[] {
  return matches.length === 0 ? NO_CONDITIONS : firstByName(matches).map(compileValue);
}

/** The spec: among conditions on the same name only the first one counts. */
function firstByName(matches: ValueMatchIR[]): ValueMatchIR[] {
  const seen = new Set<string>();
  return matches.filter((m) => !seen.has(m.name) && seen.add(m.name) !== undefined);
}

function compileValue(match: ValueMatchIR): ValueCondition {
  return match.type === 'Exact'
    ? { name: match.name, exact: match.value, regex: undefined }
    : { name: match.name, exact: undefined, regex: RE2JS.compile(match.value) };
}

/** `/v2/` → `/v2`, `/` → '' (the spec ignores a trailing slash in a PathPrefix). */
export function trimTrailingSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** Checks everything but an Exact/PathPrefix path, which the path index has already matched. */
export function matchesRequest(match: RouteMatch, req: MatchRequest): boolean {
  if (match.pathRegex !== undefined && !match.pathRegex.matches(req.path)) return false;
  if (match.method !== undefined && match.method !== req.method) return false;
  for (const condition of match.headers) {
    if (!valueMatches(condition, req.header(condition.name))) return false;
  }
  for (const condition of match.query) {
    if (!valueMatches(condition, req.queryParam(condition.name))) return false;
  }
  return true;
}

function valueMatches(condition: ValueCondition, value: string | undefined): boolean {
  if (value === undefined) return false;
  return condition.regex === undefined ? value === condition.exact : condition.regex.matches(value);
}
