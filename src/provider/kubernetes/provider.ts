// The Kubernetes provider: one KindWatcher per watched kind feeding one ResourceStore. Nothing is
// emitted until every kind has listed once (`synced`, for /readyz); then the full initial
// snapshot, then one snapshot per batch of relevant changes. Each snapshot is a fresh object.

import type { KubeConfig } from '@kubernetes/client-node';
import { componentLogger, type Logger, silentLogger } from '../../observability/logger.js';
import { KINDS, type KindInfo, type ResourceSnapshot } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/types.js';
import { type ChangeBatch, ChangeBatcher } from './batcher.js';
import {
  DEFAULT_WATCH_TIMINGS,
  KindWatcher,
  type KindWatcherSink,
  type WatchEventType,
  type WatchTimings,
} from './kind-watcher.js';
import { isRelevantChange } from './relevance.js';
import { KubeRest } from './rest.js';
import { emptyProviderStats, type ProviderStats } from './stats.js';
import { keyOf, ResourceStore } from './store.js';

export type SnapshotInfo = ChangeBatch;
export type SnapshotHandler = (snapshot: ResourceSnapshot, info: SnapshotInfo) => void | Promise<void>;

export interface ProviderTimings extends WatchTimings {
  /** Quiet time after the last relevant change before a rebuild. */
  holdOffMs: number;
  /** Longest a relevant change waits for its rebuild during a continuous burst. */
  maxBatchDelayMs: number;
}

export const DEFAULT_PROVIDER_TIMINGS: ProviderTimings = {
  ...DEFAULT_WATCH_TIMINGS,
  holdOffMs: 100,
  maxBatchDelayMs: 1000,
};

/** Every registered kind; ConfigMaps hold the CA bundles of BackendTLSPolicies and frontend validation. */
export const DEFAULT_WATCHED_KINDS: readonly KindInfo[] = KINDS;

export interface KubernetesProviderOptions {
  kubeConfig: KubeConfig;
  onSnapshot: SnapshotHandler;
  logger?: Logger;
  kinds?: readonly KindInfo[];
  timings?: Partial<ProviderTimings>;
  /** Source of jitter (tests may pin it). */
  random?: () => number;
}

export class KubernetesProvider {
  readonly store = new ResourceStore();
  readonly stats: ProviderStats;
  private readonly kinds: readonly KindInfo[];
  private readonly watchers: KindWatcher[];
  private readonly batcher: ChangeBatcher;
  private readonly logger: Logger;
  private readonly listed = new Set<string>();
  private readonly syncWaiters: (() => void)[] = [];
  private isSynced = false;

  constructor(private readonly options: KubernetesProviderOptions) {
    const timings = { ...DEFAULT_PROVIDER_TIMINGS, ...options.timings };
    this.kinds = options.kinds ?? DEFAULT_WATCHED_KINDS;
    this.logger = componentLogger(options.logger ?? silentLogger(), 'provider.kubernetes');
    this.stats = emptyProviderStats(this.kinds.map((k) => k.kind));
    const rest = new KubeRest(options.kubeConfig, timings.requestTimeoutMs);
    const sink: KindWatcherSink = {
      replace: (kind, objects) => this.replaceKind(kind, objects),
      apply: (kind, type, object) => this.applyEvent(kind, type, object),
    };
    this.watchers = this.kinds.map(
      (info) =>
        new KindWatcher({
          kubeConfig: options.kubeConfig,
          rest,
          info,
          sink,
          stats: this.stats.kinds[info.kind]!,
          logger: this.logger.child({ kind: info.kind }),
          timings,
          ...(options.random ? { random: options.random } : {}),
        }),
    );
    this.batcher = new ChangeBatcher({
      holdOffMs: timings.holdOffMs,
      maxDelayMs: timings.maxBatchDelayMs,
      emit: (batch) => this.emit(batch),
      onError: (err) => this.logger.error({ err }, 'snapshot handler failed'),
    });
  }

  /** True once every watched kind has been listed at least once. */
  get synced(): boolean {
    return this.isSynced;
  }

  start(): void {
    for (const w of this.watchers) w.start();
  }

  /** Resolves once synced (at once if already synced). */
  waitForSync(): Promise<void> {
    if (this.isSynced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The resourceVersion each kind would resume its watch from. */
  resumeVersions(): Record<string, string | undefined> {
    return Object.fromEntries(this.kinds.map((k, i) => [k.kind, this.watchers[i]!.resumeVersion]));
  }

  async stop(): Promise<void> {
    this.batcher.stop();
    await Promise.all(this.watchers.map((w) => w.stop()));
  }

  private replaceKind(kind: string, objects: KubeObject[]): void {
    const stats = this.stats.kinds[kind]!;
    const initial = !this.listed.has(kind);
    const incoming = new Set(objects.map(keyOf));
    for (const key of this.store.keys(kind)) {
      if (incoming.has(key)) continue;
      if (!initial) stats.deleted++;
      this.record(kind, this.store.remove(kind, key), undefined);
    }
    for (const obj of objects) {
      const before = this.store.get(kind, keyOf(obj));
      if (before && sameVersion(before, obj)) continue;
      if (!initial) stats[before ? 'modified' : 'added']++;
      this.record(kind, this.store.upsert(obj), obj);
    }
    if (initial) this.markListed(kind);
  }

  private applyEvent(kind: string, type: WatchEventType, object: KubeObject): void {
    if (type === 'DELETED') this.record(kind, this.store.remove(kind, keyOf(object)), undefined);
    else this.record(kind, this.store.upsert(object), object);
  }

  private record(kind: string, before: KubeObject | undefined, after: KubeObject | undefined): void {
    if (!this.isSynced) return;
    if (isRelevantChange(this.store, kind, before, after)) {
      this.stats.relevantChanges++;
      this.batcher.notify(kind);
    } else {
      this.stats.ignoredChanges++;
    }
  }

  private markListed(kind: string): void {
    this.listed.add(kind);
    if (this.isSynced || this.listed.size < this.kinds.length) return;
    this.isSynced = true;
    this.logger.info({ kinds: this.kinds.length }, 'initial sync complete');
    for (const resolve of this.syncWaiters.splice(0)) resolve();
    this.batcher.emitInitial(this.kinds.map((k) => k.kind));
  }

  private async emit(batch: ChangeBatch): Promise<void> {
    this.stats.snapshots++;
    await this.options.onSnapshot(this.store.snapshot(), batch);
  }
}

/** Same object, same version (uids differ when an emptied API server recreated it). */
function sameVersion(a: KubeObject, b: KubeObject): boolean {
  return a.metadata.uid === b.metadata.uid && a.metadata.resourceVersion === b.metadata.resourceVersion;
}
