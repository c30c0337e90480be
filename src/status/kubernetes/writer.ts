// Publishes computed statuses to the API server through the status subresource, as the leader
// only. Each write is a JSON merge patch of `status` carrying the object's resourceVersion:
// the resourceVersion makes it a compare-and-swap (409 on a stale read, then GET and recompute),
// which matters for HTTPRoutes, whose `status.parents` list is shared with other controllers and
// is replaced as a whole by a merge patch — we rebuild it from the fresh object, keeping their
// entries. A patch (unlike PUT) needs no round-trip of spec and fields we do not model.

import { setTimeout as delay } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { componentLogger, type Logger, silentLogger } from '../../observability/logger.js';
import { Backoff } from '../../provider/kubernetes/backoff.js';
import { errorCode, KubeRest, resourcePath } from '../../provider/kubernetes/rest.js';
import { type KindInfo, kindInfo } from '../../resources/kinds.js';
import type {
  BackendTLSPolicy,
  Gateway,
  GatewayClass,
  HTTPRoute,
  KubeObject,
} from '../../resources/types.js';
import type { StatusUpdate } from '../../translator/types.js';
import { statusKey } from '../compose.js';
import {
  hasOwnParentEntries,
  nextGatewayClassStatus,
  nextGatewayStatus,
  nextPolicyStatus,
  nextRouteStatus,
} from './desired.js';
import { KeyedQueue } from './keyed-queue.js';

/** Read access to the live objects (the provider's ResourceStore satisfies it). */
export interface StatusObjectSource {
  get(kind: string, key: string): KubeObject | undefined;
  list(kind: string): KubeObject[];
}

export interface StatusWriterOptions {
  kubeConfig: KubeConfig;
  controllerName: string;
  logger?: Logger;
  /** Objects written at the same time (default 4). */
  concurrency?: number;
  /** Attempts per object on conflicts and transient errors (default 5). */
  maxAttempts?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  now?: () => string;
}

export interface StatusWriterStats {
  writes: number;
  /** Objects whose status already said what we would write. */
  unchanged: number;
  conflicts: number;
  errors: number;
}

/** What to compute for one object: the status body from the object's current state. */
type Plan = (current: KubeObject) => unknown;

export class KubernetesStatusWriter {
  readonly stats: StatusWriterStats = { writes: 0, unchanged: 0, conflicts: 0, errors: 0 };
  private readonly rest: KubeRest;
  private readonly queue: KeyedQueue;
  private readonly logger: Logger;
  private readonly now: () => string;
  private leader = false;
  private latest: { statuses: StatusUpdate[]; store: StatusObjectSource } | undefined;

  constructor(private readonly options: StatusWriterOptions) {
    this.rest = new KubeRest(options.kubeConfig);
    this.queue = new KeyedQueue(options.concurrency ?? 4);
    this.logger = componentLogger(options.logger ?? silentLogger(), 'status.kubernetes');
    this.now = options.now ?? (() => new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Only the leader writes; on becoming leader the latest statuses are sent again. */
  setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    if (!leader) this.queue.clear();
    else if (this.latest) void this.write(this.latest.statuses, this.latest.store);
  }

  /**
   * Records the statuses and, as leader, writes those that differ from the objects' current
   * status. Resolves when every write this call started has finished (or was superseded).
   */
  write(statuses: StatusUpdate[], store: StatusObjectSource): Promise<void> {
    this.latest = { statuses, store };
    if (!this.leader) return Promise.resolve();
    const jobs = this.plan(statuses, store);
    return Promise.all(
      jobs.map(([key, info, obj, plan]) => this.queue.push(key, () => this.run(info, obj, plan, store))),
    ).then(() => undefined);
  }

  /** Resolves when no write is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private plan(statuses: StatusUpdate[], store: StatusObjectSource): [string, KindInfo, KubeObject, Plan][] {
    const { controllerName } = this.options;
    const now = this.now();
    const jobs: [string, KindInfo, KubeObject, Plan][] = [];
    const routesWithUpdates = new Set<string>();
    for (const u of statuses) {
      const key = u.kind === 'GatewayClass' ? u.name : `${u.namespace}/${u.name}`;
      const obj = store.get(u.kind, key);
      if (!obj || !this.isOurs(obj, store)) continue;
      const info = kindInfo(u.kind)!;
      if (u.kind === 'GatewayClass') {
        jobs.push([
          statusKey(u),
          info,
          obj,
          (cur) => nextGatewayClassStatus(cur as GatewayClass, u.status, now),
        ]);
      } else if (u.kind === 'Gateway') {
        jobs.push([statusKey(u), info, obj, (cur) => nextGatewayStatus(cur as Gateway, u.status, now)]);
      } else if (u.kind === 'BackendTLSPolicy') {
        const ours = u.status.ancestors.filter((a) => a.controllerName === controllerName);
        jobs.push([
          statusKey(u),
          info,
          obj,
          (cur) => nextPolicyStatus(cur as BackendTLSPolicy, ours, controllerName, now),
        ]);
      } else {
        routesWithUpdates.add(key);
        const ours = u.status.parents.filter((p) => p.controllerName === controllerName);
        jobs.push([
          statusKey(u),
          info,
          obj,
          (cur) => nextRouteStatus(cur as HTTPRoute, ours, controllerName, now),
        ]);
      }
    }
    const routeInfo = kindInfo('HTTPRoute')!;
    for (const route of store.list('HTTPRoute') as HTTPRoute[]) {
      const key = `${route.metadata.namespace}/${route.metadata.name}`;
      if (routesWithUpdates.has(key) || !hasOwnParentEntries(route, controllerName)) continue;
      const plan: Plan = (cur) => nextRouteStatus(cur as HTTPRoute, [], controllerName, now);
      jobs.push([`HTTPRoute/${key}`, routeInfo, route, plan]);
    }
    return jobs;
  }

  /** GatewayClasses of our controllerName, their Gateways; routes are filtered per parent entry. */
  private isOurs(obj: KubeObject, store: StatusObjectSource): boolean {
    if (obj.kind === 'HTTPRoute' || obj.kind === 'BackendTLSPolicy') return true;
    const className = obj.kind === 'Gateway' ? (obj as Gateway).spec.gatewayClassName : obj.metadata.name;
    const cls = store.get('GatewayClass', className) as GatewayClass | undefined;
    return cls?.spec.controllerName === this.options.controllerName;
  }

  /** Patches one object's status, re-reading and recomputing after a conflict. */
  private async run(
    info: KindInfo,
    planned: KubeObject,
    plan: Plan,
    store: StatusObjectSource,
  ): Promise<void> {
    const { namespace, name } = planned.metadata;
    const path = resourcePath(info, namespace, name);
    const backoff = new Backoff({
      initialMs: this.options.retryInitialMs ?? 50,
      maxMs: this.options.retryMaxMs ?? 2000,
    });
    let current: KubeObject = store.get(info.kind, namespace ? `${namespace}/${name}` : name) ?? planned;
    const attempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; attempt <= attempts && this.leader; attempt++) {
      const status = plan(current);
      if (status === undefined) {
        this.stats.unchanged++;
        return;
      }
      try {
        await this.rest.patch(`${path}/status`, {
          metadata: { resourceVersion: current.metadata.resourceVersion },
          status,
        });
        this.stats.writes++;
        return;
      } catch (err) {
        const code = errorCode(err);
        if (code === 404) return;
        if (code === 409) this.stats.conflicts++;
        else this.stats.errors++;
        if (attempt === attempts) {
          this.logger.warn(
            { kind: info.kind, resource: namespace ? `${namespace}/${name}` : name, err: String(err) },
            'status write failed',
          );
          return;
        }
        await delay(backoff.next());
        const fresh = await this.reread(path);
        if (fresh === null) return;
        current = fresh ?? current;
      }
    }
  }

  /** The object as the server has it now; null when it is gone, undefined when the read failed. */
  private async reread(path: string): Promise<KubeObject | null | undefined> {
    try {
      return await this.rest.get<KubeObject>(path);
    } catch (err) {
      if (errorCode(err) === 404) return null;
      this.stats.errors++;
      return undefined;
    }
  }
}
