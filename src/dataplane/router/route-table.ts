// The routes of one listener, indexed by hostname then path. Candidate groups are tried by host
// specificity — routes naming the exact host, then wildcard hostnames from the longest, then
// routes without hostnames — and within a group the IR precedence order decides (first match
// wins). Only groups that can match the host are visited; no lookup scans every route.

import { wildcardSuffix } from './hostname.js';
import type { MatchRequest, RouteMatch } from './match.js';
import { PathIndex, type RouteEntry } from './path-index.js';

export class RouteTable<T> {
  private readonly exact = new Map<string, PathIndex<T>>();
  private readonly wildcard = new Map<string, PathIndex<T>>();
  private anyHost: PathIndex<T> | undefined;
  private size = 0;

  /** Routes must be added in precedence order; `hostnames` empty means any host. */
  add(hostnames: readonly string[], match: RouteMatch, value: T): void {
    const entry: RouteEntry<T> = { match, value };
    this.size++;
    if (hostnames.length === 0) {
      this.anyHost ??= new PathIndex();
      this.anyHost.add(entry);
      return;
    }
    for (const hostname of new Set(hostnames.map((h) => h.toLowerCase()))) {
      const suffix = wildcardSuffix(hostname);
      const table = suffix === undefined ? this.exact : this.wildcard;
      const key = suffix ?? hostname;
      let index = table.get(key);
      if (index === undefined) {
        index = new PathIndex();
        table.set(key, index);
      }
      index.add(entry);
    }
  }

  get routeCount(): number {
    return this.size;
  }

  /** The route serving `req` (whose host is normalized), or undefined for a 404. */
  find(req: MatchRequest): RouteEntry<T> | undefined {
    const host = req.host;
    const exact = this.exact.get(host)?.find(req);
    if (exact !== undefined) return exact;
    if (this.wildcard.size > 0) {
      let dot = host.indexOf('.', 1);
      while (dot !== -1) {
        const found = this.wildcard.get(host.slice(dot))?.find(req);
        if (found !== undefined) return found;
        dot = host.indexOf('.', dot + 1);
      }
    }
    return this.anyHost?.find(req);
  }
}
