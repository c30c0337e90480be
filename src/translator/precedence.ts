// Route precedence on a listener (HTTPRouteRule "precedence" in apis/v1/httproute_types.go, and
// GEP-713's tie-breaks). Across all routes attached to a listener, a match ranks higher with:
// an Exact path, then a RegularExpression path (its rank is implementation-specific), then a
// PathPrefix; a longer path value; a method match; more header matches; more query param matches.
// Remaining ties go to the oldest route by creationTimestamp, then "namespace/name" in alphabetical
// order, then the rule's and the match's position. Host specificity is decided per request by the
// data plane router, which sees each route's effective hostnames.

import type { RouteIR } from '../ir/types.js';
import { compareStrings } from './values.js';

export interface RankedRoute {
  ir: RouteIR;
  /** The route's creationTimestamp in ms; routes without one sort after those with one. */
  created: number | undefined;
}

const PATH_TYPE_RANK: Record<RouteIR['path']['type'], number> = {
  Exact: 0,
  RegularExpression: 1,
  PathPrefix: 2,
};

export function compareRoutePrecedence(a: RankedRoute, b: RankedRoute): number {
  const x = a.ir;
  const y = b.ir;
  return (
    PATH_TYPE_RANK[x.path.type] - PATH_TYPE_RANK[y.path.type] ||
    y.path.value.length - x.path.value.length ||
    Number(y.method !== undefined) - Number(x.method !== undefined) ||
    y.headers.length - x.headers.length ||
    y.queryParams.length - x.queryParams.length ||
    compareCreation(a.created, b.created) ||
    compareStrings(`${x.route.namespace}/${x.route.name}`, `${y.route.namespace}/${y.route.name}`) ||
    x.rule - y.rule ||
    x.match - y.match
  );
}

function compareCreation(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}

export function sortByPrecedence(routes: RankedRoute[]): RouteIR[] {
  return [...routes].sort(compareRoutePrecedence).map((route) => route.ir);
}
