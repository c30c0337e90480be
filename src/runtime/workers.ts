// The data plane spread over worker processes (`gatehouse serve --workers N`): a `DataPlane`
// whose apply() sends the IR and its generation to every worker (node:cluster, IPC with
// structured-clone serialization) and resolves only once every worker has applied it, so a
// generation is reported live (readiness, status) only when all of them serve it. A worker that
// exits is forked again and given the configuration in force; an apply waiting on it resolves once
// the replacement has applied it. Workers share the listening ports: with SO_REUSEPORT each binds
// its own socket and the kernel spreads connections (Node >= 22.12); before that, cluster's
// round-robin hands accepted connections to the workers (see worker-process.ts).

import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import type { ApplyReport, DataPlane, DataPlaneOptions, DataPlaneStats } from '../dataplane/types.js';
import type { IR } from '../ir/types.js';
import type { Logger } from '../observability/logger.js';
import type { ToPrimary, ToWorker, WorkerSettings } from './worker-messages.js';

export interface WorkerPoolOptions {
  workers: number;
  dataPlane: Omit<DataPlaneOptions, 'observer'>;
  /** Passed to the workers' loggers. */
  log: { level: string; format: 'json' | 'text' };
  /** Each worker writes its own exchanges here (off, stdout, or a file). */
  accessLog?: string;
  logger: Logger;
}

/** Restarts closer together than this are delayed by it (a worker that crashes at start). */
const RESTART_BACKOFF_MS = 1_000;
const CLOSE_TIMEOUT_MS = 10_000;
const METRICS_TIMEOUT_MS = 2_000;

type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

/**
 * The primary's registry with the workers' data-plane metrics added in (prom-client's cluster
 * aggregation: counters and histograms summed), for the primary's /metrics.
 */
export class ClusterMetrics extends Registry {
  constructor(
    private readonly own: Registry,
    private readonly pool: WorkerPool,
  ) {
    super();
  }

  override async metrics(): Promise<string> {
    const all = [await this.own.getMetricsAsJSON(), ...(await this.pool.workerMetrics())];
    return AggregatorRegistry.aggregate(all as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
  }
}

interface WorkerState {
  readonly worker: Worker;
  /** The worker listens for messages (see 'ready'). */
  ready: boolean;
  /** Latest generation this worker has applied. */
  applied: number;
  report: ApplyReport | undefined;
  stats: DataPlaneStats | undefined;
  drained: boolean;
}

interface Waiter {
  generation: number;
  resolve(report: ApplyReport): void;
}

export class WorkerPool implements DataPlane {
  private readonly states = new Map<number, WorkerState>();
  private readonly waiters: Waiter[] = [];
  private current: { ir: IR; generation: number } | undefined;
  private closing = false;
  private draining: { resolve(): void } | undefined;
  private lastRestart = 0;
  private metricsRequests = 0;
  private readonly metricsReplies = new Map<number, (metrics: WorkerMetrics) => void>();

  constructor(private readonly options: WorkerPoolOptions) {
    const settings = this.settings();
    cluster.setupPrimary({
      exec: fileURLToPath(new URL('./worker-process.js', import.meta.url)),
      serialization: 'advanced',
    });
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    for (let i = 0; i < options.workers; i++) this.fork(settings);
  }

  apply(ir: IR, generation: number): Promise<ApplyReport> {
    if (this.closing) return Promise.reject(new Error('data plane is closed'));
    this.current = { ir, generation };
    for (const state of this.states.values()) {
      if (state.ready) this.send(state.worker, { type: 'apply', ir, generation });
    }
    return new Promise((resolve) => {
      this.waiters.push({ generation, resolve });
      this.settleWaiters();
    });
  }

  /** Drains every worker; resolves once all of them have no connection left. */
  drain(): Promise<void> {
    for (const state of this.states.values()) if (state.ready) this.send(state.worker, { type: 'drain' });
    return new Promise((resolve) => {
      this.draining = { resolve };
      this.settleDrain();
    });
  }

  /** The workers' latest counts, summed (reported each second). */
  stats(): DataPlaneStats {
    const total: DataPlaneStats = {
      draining: this.draining !== undefined,
      connections: 0,
      inFlight: 0,
      upstreams: [],
    };
    for (const { stats } of this.states.values()) {
      if (stats === undefined) continue;
      total.connections += stats.connections;
      total.inFlight += stats.inFlight;
      total.upstreams.push(...stats.upstreams);
    }
    return total;
  }

  async close(): Promise<void> {
    this.closing = true;
    const exits = [...this.states.values()].map(({ worker }) => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      if (this.states.get(worker.id)?.ready) this.send(worker, { type: 'close' });
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      return exited.finally(() => clearTimeout(timer));
    });
    await Promise.all(exits);
  }

  /** Worker pids (for tests and diagnostics). */
  get pids(): number[] {
    return [...this.states.values()].map((s) => s.worker.process.pid ?? 0);
  }

  private fork(settings: WorkerSettings): void {
    const worker = cluster.fork({ GATEHOUSE_WORKER_SETTINGS: JSON.stringify(settings) });
    const state: WorkerState = {
      worker,
      ready: false,
      applied: 0,
      report: undefined,
      stats: undefined,
      drained: false,
    };
    this.states.set(worker.id, state);
    worker.on('message', (message: ToPrimary) => this.onMessage(state, message));
    worker.on('error', () => {});
  }

  private onMessage(state: WorkerState, message: ToPrimary): void {
    if (message.type === 'ready') {
      state.ready = true;
      const current = this.current;
      if (current !== undefined) this.send(state.worker, { type: 'apply', ...current });
      // Messages sent before 'ready' are lost: repeat what this worker missed.
      if (this.closing) this.send(state.worker, { type: 'close' });
      else if (this.draining !== undefined) this.send(state.worker, { type: 'drain' });
    } else if (message.type === 'applied') {
      state.applied = Math.max(state.applied, message.generation);
      state.report = message.report;
      this.settleWaiters();
    } else if (message.type === 'metrics') {
      this.metricsReplies.get(message.id)?.(message.metrics);
    } else if (message.type === 'stats') {
      state.stats = message.stats;
    } else if (message.type === 'drained') {
      state.drained = true;
      this.settleDrain();
    } else if (message.type === 'apply-failed') {
      this.options.logger.error(
        { worker: state.worker.process.pid, generation: message.generation, err: message.message },
        'a worker could not apply a configuration; restarting it',
      );
      state.worker.process.kill('SIGKILL');
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    if (!this.states.delete(worker.id) || this.closing) return;
    this.settleDrain();
    if (this.draining !== undefined) return;
    this.options.logger.error(
      { worker: worker.process.pid, code, signal },
      'worker exited; starting another',
    );
    const now = Date.now();
    const delay = now - this.lastRestart < RESTART_BACKOFF_MS ? RESTART_BACKOFF_MS : 0;
    this.lastRestart = now + delay;
    const settings = this.settings();
    setTimeout(() => {
      if (!this.closing) this.fork(settings);
    }, delay).unref();
  }

  /** Resolves the applies every worker has reached; a generation superseded resolves with the newer. */
  private settleWaiters(): void {
    if (this.states.size < this.options.workers) return;
    let minimum = Number.POSITIVE_INFINITY;
    for (const state of this.states.values()) minimum = Math.min(minimum, state.applied);
    const report = [...this.states.values()][0]?.report;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as Waiter;
      if (waiter.generation > minimum || report === undefined) continue;
      this.waiters.splice(i, 1);
      waiter.resolve({ ...report, generation: waiter.generation });
    }
  }

  /** Every worker's data-plane metrics (a worker that does not answer in time is left out). */
  async workerMetrics(): Promise<WorkerMetrics[]> {
    const asks = [...this.states.values()].map((state) => {
      const id = ++this.metricsRequests;
      return new Promise<WorkerMetrics>((resolve) => {
        const timer = setTimeout(() => resolve([]), METRICS_TIMEOUT_MS);
        this.metricsReplies.set(id, (metrics) => {
          clearTimeout(timer);
          resolve(metrics);
        });
        this.send(state.worker, { type: 'metrics', id });
      }).finally(() => this.metricsReplies.delete(id));
    });
    return Promise.all(asks);
  }

  private settleDrain(): void {
    if (this.draining === undefined) return;
    for (const state of this.states.values()) if (!state.drained) return;
    this.draining.resolve();
  }

  private settings(): WorkerSettings {
    const { dataPlane, log, accessLog } = this.options;
    return { dataPlane, log, accessLog: accessLog ?? 'off' };
  }

  private send(worker: Worker, message: ToWorker): void {
    if (worker.isConnected()) worker.send(message);
  }
}
