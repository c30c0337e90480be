// Load balancing: a weighted choice among a rule's backends (weight-proportional), then a
// round-robin over the chosen cluster's endpoints.

import type { HeaderMod } from '../filters/headers.js';
import type { Endpoint } from './registry.js';

export class ClusterTarget {
  private next = 0;

  /** Plain HTTP/1.1 clusters go through the fast engine's own pools; others through undici. */
  readonly fastPath: boolean;

  constructor(
    readonly name: string,
    readonly protocol: 'http1' | 'h2c',
    readonly endpoints: readonly Endpoint[],
    readonly secure = false,
  ) {
    this.fastPath = protocol === 'http1' && !secure;
  }

  /** The next endpoint in turn, or undefined when the cluster has none (503). */
  pick(): Endpoint | undefined {
    const count = this.endpoints.length;
    if (count === 0) return undefined;
    const index = this.next;
    this.next = index + 1 >= count ? 0 : index + 1;
    return this.endpoints[index];
  }
}

export interface BackendTarget {
  /** undefined when the backendRef is invalid: its share of requests gets `invalidStatus`. */
  readonly cluster: ClusterTarget | undefined;
  readonly invalidStatus: number;
  readonly requestHeaders: HeaderMod | undefined;
  readonly responseHeaders: HeaderMod | undefined;
}

export class BackendPicker {
  private readonly targets: BackendTarget[] = [];
  private readonly cumulative: number[] = [];
  private total = 0;

  constructor(backends: readonly { weight: number; target: BackendTarget }[]) {
    for (const { weight, target } of backends) {
      if (!(weight > 0)) continue;
      this.total += weight;
      this.targets.push(target);
      this.cumulative.push(this.total);
    }
  }

  /** `random` is uniform in [0, 1); undefined when no backend has weight (500). */
  pick(random: number): BackendTarget | undefined {
    if (this.targets.length === 1) return this.targets[0];
    const point = random * this.total;
    for (let i = 0; i < this.cumulative.length; i++) {
      if (point < (this.cumulative[i] as number)) return this.targets[i];
    }
    return undefined;
  }
}
