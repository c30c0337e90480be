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

function compileAction(route: RouteIR, clusters: ClusterLookup): RouteAction {
  const action = route.action;
  switch (action.type) {
    case 'redirect':
      return { type: 'redirect', redirect: action };
    case 'direct':
      return {
        type: 'direct',
        status: action.status,
        body: action.body === undefined ? undefined : Buffer.from(action.body),
      };
    case 'forward':
      return {
        type: 'forward',
        backends: new BackendPicker(
          action.backends.map((b) => ({ weight: b.weight, target: compileBackend(b, clusters) })),
        ),
      };
  }
}

function compileBackend(backend: BackendIR, clusters: ClusterLookup): BackendTarget {
  return {
    cluster: backend.cluster === null ? undefined : clusters.get(backend.cluster),
    invalidStatus: backend.invalidStatus ?? 500,
    requestHeaders: compileHeaderMod(backend.requestHeaders),
    responseHeaders: compileHeaderMod(backend.responseHeaders),
  };
}

function compileMirrors(mirrors: MirrorIR[] | undefined, clusters: ClusterLookup): MirrorTarget[] {
  const targets: MirrorTarget[] = [];
  for (const mirror of mirrors ?? []) {
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
