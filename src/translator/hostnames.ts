// Hostname matching between listeners and routes (Gateway API Hostname semantics). A wildcard
// `*.example.com` matches any name with one or more labels in front of `.example.com`, never
// `example.com` itself. A listener without a hostname matches every host. A route's effective
// hostnames on a listener are the intersection of both sides, as the IR's RouteIR.hostnames
// describes. A port in the request's Host header is the data plane's concern, not ours.

import { compareStrings, uniqueSorted } from './values.js';

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/** True when the precise or wildcard `hostname` falls inside `wildcard` (strictly more labels). */
function withinWildcard(hostname: string, wildcard: string): boolean {
  const suffix = wildcard.slice(1); // ".example.com"
  const name = isWildcard(hostname) ? hostname.slice(1) : hostname;
  return name.endsWith(suffix) && name.length > suffix.length;
}

/**
 * The hostnames both `a` and `b` match, as a single hostname: the more specific of the two, or
 * null when they are disjoint. Symmetric.
 */
export function intersectHostname(a: string, b: string): string | null {
  if (a === b) return a;
  const aWild = isWildcard(a);
  const bWild = isWildcard(b);
  if (aWild && withinWildcard(b, a)) return b;
  if (bWild && withinWildcard(a, b)) return a;
  return null;
}

/**
 * A route's effective hostnames on a listener. `[]` means "any host" (neither side names one);
 * null means the route's hostnames and the listener's do not intersect.
 */
export function effectiveHostnames(
  routeHostnames: string[],
  listenerHostname: string | null,
): string[] | null {
  if (routeHostnames.length === 0) return listenerHostname === null ? [] : [listenerHostname];
  if (listenerHostname === null) return uniqueSorted(routeHostnames);
  const matched: string[] = [];
  for (const hostname of routeHostnames) {
    const common = intersectHostname(hostname, listenerHostname);
    if (common !== null) matched.push(common);
  }
  return matched.length > 0 ? uniqueSorted(matched) : null;
}

/** Two listener hostnames overlap when some host matches both (catch-all listeners excluded). */
export function hostnamesOverlap(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && intersectHostname(a, b) !== null;
}

/**
 * Listener match order: exact hostnames, then wildcards with the most labels first, then the
 * catch-all; names break ties so the order is total.
 */
export function compareListenerHostnames(a: string | null, b: string | null): number {
  const rank = (h: string | null) => (h === null ? 2 : isWildcard(h) ? 1 : 0);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0 || a === null || b === null) return byRank;
  if (isWildcard(a)) {
    const byLabels = b.split('.').length - a.split('.').length;
    if (byLabels !== 0) return byLabels;
    const byLength = b.length - a.length;
    if (byLength !== 0) return byLength;
  }
  return compareStrings(a, b);
}
