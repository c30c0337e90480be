// Control-plane metrics: what the pipeline applied and how long it took (ControlPlaneMetrics is
// the pipeline's observer), and, read at scrape time, the resources held by kind, the Kubernetes
// provider's watch counters, the status writer's counters and the leader state. The provider and
// the status writer keep plain counters in `stats`; they are exported as they are.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProviderStats } from '../provider/kubernetes/stats.js';
import { KINDS, type ResourceSnapshot } from '../resources/kinds.js';
import type { AppliedEvent, PipelineObserver } from '../runtime/pipeline.js';
import type { StatusWriterStats } from '../status/kubernetes/writer.js';
import { type Labels, ScrapedCounter } from './scraped-metrics.js';

/** Seconds; translations take milliseconds, change-to-serve includes the providers' batching. */
const CONFIG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ControlPlaneMetrics implements PipelineObserver {
  private readonly generation: Gauge;
  private readonly appliedAt: Gauge;
  private readonly translation: Histogram;
  private readonly apply: Histogram;
  private readonly changeToServe: Histogram;
  private readonly failures: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.generation = new Gauge({
      name: 'gatehouse_config_generation',
      help: 'Generation of the configuration in force (increases with every applied change).',
      registers,
    });
    this.appliedAt = new Gauge({
      name: 'gatehouse_config_last_applied_timestamp_seconds',
      help: 'Unix time the configuration in force was applied.',
      registers,
    });
    this.translation = new Histogram({
      name: 'gatehouse_translation_duration_seconds',
      help: 'Time to translate a resource snapshot into the IR.',
      buckets: CONFIG_BUCKETS,
      registers,
    });
    this.apply = new Histogram({
      name: 'gatehouse_config_apply_duration_seconds',
      help: 'Time for the data plane to apply a generation (compile, bind, swap).',
      buckets: CONFIG_BUCKETS,
      registers,
    });
    this.changeToServe = new Histogram({
      name: 'gatehouse_config_change_to_serve_seconds',
      help: 'Time from a provider seeing a resource change to the data plane serving it.',
      buckets: CONFIG_BUCKETS,
      registers,
    });
    this.failures = new Counter({
      name: 'gatehouse_config_apply_failures_total',
      help: 'Pipeline runs that failed; the previous configuration stayed in force.',
      registers,
    });
  }

  onApplied(event: AppliedEvent): void {
    this.generation.set(event.generation);
    this.appliedAt.set(Date.now() / 1000);
    this.translation.observe(event.translateSeconds);
    this.apply.observe(event.applySeconds);
    if (event.changeToServeSeconds !== undefined) this.changeToServe.observe(event.changeToServeSeconds);
  }

  onFailed(): void {
    this.failures.inc();
  }
}

/** gatehouse_resources{kind}: objects held per kind (the provider's view). */
export function registerResourceCounts(registry: Registry, counts: () => Record<string, number>): void {
  new Gauge({
    name: 'gatehouse_resources',
    help: 'Objects held by the provider, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, count] of Object.entries(counts())) this.set({ kind }, count);
    },
  });
}

/** Objects per kind in a snapshot (file mode: what the files hold). */
export function snapshotCounts(snapshot: ResourceSnapshot | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  if (snapshot === undefined) return counts;
  for (const info of KINDS) counts[info.kind] = snapshot[info.field].length;
  return counts;
}

/** The Kubernetes provider's watch counters, per kind. */
export function registerWatchStats(registry: Registry, stats: ProviderStats): void {
  const perKind = (name: string, help: string, pick: (k: ProviderStats['kinds'][string]) => number) =>
    new ScrapedCounter(name, help, () =>
      Object.entries(stats.kinds).map(([kind, s]) => [{ kind }, pick(s)] as const),
    ).register(registry);
  perKind(
    'gatehouse_watch_lists_total',
    'Successful full lists (initial lists and relists).',
    (s) => s.lists,
  );
  perKind(
    'gatehouse_watch_relists_total',
    'Lists caused by 410 Gone, a too-new resourceVersion or repeated watch failures.',
    (s) => s.relists,
  );
  perKind(
    'gatehouse_watch_restarts_total',
    'Watch streams reopened after the first one of a list.',
    (s) => s.watchRestarts,
  );
  perKind('gatehouse_watch_errors_total', 'Failed list or watch requests.', (s) => s.errors);
  new ScrapedCounter(
    'gatehouse_watch_events_total',
    'Objects added, modified or deleted, as seen by the watches.',
    () =>
      Object.entries(stats.kinds).flatMap(([kind, s]) => [
        [{ kind, type: 'added' }, s.added] as const,
        [{ kind, type: 'modified' }, s.modified] as const,
        [{ kind, type: 'deleted' }, s.deleted] as const,
      ]),
  ).register(registry);
  new ScrapedCounter(
    'gatehouse_provider_changes_total',
    'Stored changes: relevant (rebuilt) or ignored.',
    () => [
      [{ relevance: 'relevant' }, stats.relevantChanges],
      [{ relevance: 'ignored' }, stats.ignoredChanges],
    ],
  ).register(registry);
}

/** gatehouse_status_writes_total{result}: written, unchanged, conflict, error. */
export function registerStatusWriterStats(registry: Registry, stats: StatusWriterStats): void {
  new ScrapedCounter(
    'gatehouse_status_writes_total',
    'Status subresource writes by result (conflict: 409, retried on a fresh read).',
    (): [Labels, number][] => [
      [{ result: 'written' }, stats.writes],
      [{ result: 'unchanged' }, stats.unchanged],
      [{ result: 'conflict' }, stats.conflicts],
      [{ result: 'error' }, stats.errors],
    ],
  ).register(registry);
}

export function registerLeader(registry: Registry, isLeader: () => boolean): void {
  new Gauge({
    name: 'gatehouse_leader',
    help: '1 while this replica holds the leader Lease (and writes status), else 0.',
    registers: [registry],
    collect() {
      this.set(isLeader() ? 1 : 0);
    },
  });
}
