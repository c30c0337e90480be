// Compiles one RouteIR into its match conditions and its behaviour (filters and action), with
// backends resolved to cluster targets. A route that cannot compile (an invalid regular
// expression) is logged and left out; everything else still applies.

import type { BackendIR, MirrorIR, RouteIR, TimeoutsIR } from '../../ir/types.js';
import { compileCors } from '../filters/cors.js';
import { compileHeaderMod } from '../filters/headers.js';
import { compileRouteMatch, type RouteMatch } from '../router/match.js';
import { BackendPicker, type BackendTarget, type ClusterTarget } from '../upstream/balancer.js';
import type { MirrorTarget, RouteAction, RouteBehavior } from './types.js';

export type ClusterLookup = ReadonlyMap<string, ClusterTarget>;

export function compileRoute(
  route: RouteIR,
  order: number,
  clusters: ClusterLookup,
): { match: RouteMatch; behavior: RouteBehavior } {
  const match = compileRouteMatch(route, order);
  const filters = route.filters;
  const behavior: RouteBehavior = {
    id: route.id,
    route: `${route.route.namespace}/${route.route.name}`,
    rule: route.rule,
    prefix: route.path.type === 'PathPrefix' ? match.prefix : undefined,
    cors: filters.cors === undefined ? undefined : compileCors(filters.cors),
    requestHeaders: compileHeaderMod(filters.requestHeaders),
    responseHeaders: compileHeaderMod(filters.responseHeaders),
    rewrite: filters.urlRewrite,
    mirrors: compileMirrors(filters.mirrors, clusters),
    action: compileAction(route, clusters),
    timeoutMs: effectiveTimeout(route.timeouts),
  };
  return { match, behavior };
}

/**
 * Forward actions without header edits, shared by every route sending to the same backends (per
 * cluster lookup, i.e. per apply): with thousands of routes to one Service, a request then reads
 * one hot action, picker and target instead of a cold copy each.
 */
const sharedForwards = new WeakMap<ClusterLookup, Map<string, RouteAction>>();

function compileAction(route: RouteIR, clusters: ClusterLookup): RouteAction {
  const action = route.action;
  if (action.type === 'forward') {
    const key = shareKey(action.backends);
    if (key === undefined) return compileForward(action.backends, clusters);
    let shared = sharedForwards.get(clusters);
    if (shared === undefined) {
      shared = new Map();
      sharedForwards.set(clusters, shared);
    }
    let compiled = shared.get(key);
    if (compiled === undefined) {
      compiled = compileForward(action.backends, clusters);
      shared.set(key, compiled);
    }
    return compiled;
  }
  switch (action.type) {
    case 'redirect':
      return { type: 'redirect', redirect: action };
    case 'direct':
      return {
        type: 'direct',
        status: action.status,
        body: action.body === undefined ? undefined : Buffer.from(action.body),
      };
  }
}

function compileForward(backends: readonly BackendIR[], clusters: ClusterLookup): RouteAction {
  return {
    type: 'forward',
    backends: new BackendPicker(
      backends.map((b) => ({ weight: b.weight, target: compileBackend(b, clusters) })),
    ),
  };
}

/** What makes two backend lists compile alike; undefined when one has header edits (never shared). */
function shareKey(backends: readonly BackendIR[]): string | undefined {
  if (backends.some((b) => b.requestHeaders !== undefined || b.responseHeaders !== undefined)) {
    return undefined;
  }
  return JSON.stringify(backends.map((b) => [b.cluster, b.weight, b.invalidStatus ?? null]));
}

function compileBackend(backend: BackendIR, clusters: ClusterLookup): BackendTarget {
  return {
    cluster: backend.cluster === null ? undefined : clusters.get(backend.cluster),
    invalidStatus: backend.invalidStatus ?? 500,
    requestHeaders: compileHeaderMod(backend.requestHeaders),
    responseHeaders: compileHeaderMod(backend.responseHeaders),
  };
}

/** Shared by the routes without mirrors. */
const NO_MIRRORS: readonly MirrorTarget[] = Object.freeze([]);

function compileMirrors(mirrors: MirrorIR[] | undefined, clusters: ClusterLookup): readonly MirrorTarget[] {
  if (mirrors === undefined || mirrors.length === 0) return NO_MIRRORS;
  const targets: MirrorTarget[] = [];
  for (const mirror of mirrors) {
    const cluster = mirror.cluster === null ? undefined : clusters.get(mirror.cluster);
    if (cluster === undefined) continue;
    targets.push({ cluster, numerator: mirror.numerator, denominator: mirror.denominator });
  }
  return targets;
}

function effectiveTimeout(timeouts: TimeoutsIR): number {
  const set = [timeouts.requestMs, timeouts.backendRequestMs].filter((t): t is number => (t ?? 0) > 0);
  return set.length === 0 ? 0 : Math.min(...set);
}
