// The routing tables every proxy is given, described once so that each proxy's configuration and the
// load scripts agree on hostnames and paths. All routes lead to the one backend.

export type RouteSet =
  /** One route: any host, every path. */
  | { kind: 'catch-all' }
  /** `count` routes; route i answers host `r<i>.bench.test`, paths under `/r<i>/`. */
  | { kind: 'many'; count: number }
  /** A stable route for the load (host STABLE_HOST) and one route that moves to `/change-<generation>`. */
  | { kind: 'change'; generation: number };

export const STABLE_HOST = 'stable.bench.test';
export const CHANGE_HOST = 'change.bench.test';

export function manyHost(i: number): string {
  return `r${i}.bench.test`;
}

/** Path prefix of route i, ending in '/' so `/r1/` never matches a request for `/r10/`. */
export function manyPrefix(i: number): string {
  return `/r${i}/`;
}

export function changePath(generation: number): string {
  return `/change-${generation}`;
}

/** Short label used in target names and file names: `1 route`, `10000 routes`. */
export function routeSetLabel(routes: RouteSet): string {
  if (routes.kind === 'catch-all') return '1 route';
  if (routes.kind === 'many') return `${routes.count} routes`;
  return 'changing route';
}

/** The host and path a readiness probe can expect a 200 from. */
export function probeFor(routes: RouteSet): { host?: string; path: string } {
  if (routes.kind === 'catch-all') return { path: '/' };
  if (routes.kind === 'many') return { host: manyHost(0), path: `${manyPrefix(0)}probe` };
  return { host: STABLE_HOST, path: '/' };
}
