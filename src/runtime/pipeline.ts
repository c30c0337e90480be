// The pipeline runner: snapshot in → translate → apply to the data plane → compose statuses →
// publish. Snapshots are coalesced (latest wins) so a burst of changes costs one translation
// per apply, and applies never overlap. While some port could not be bound (another process
// holds it), the latest snapshot is applied again after a growing delay, so the listener comes
// up once the port frees, without waiting for an unrelated change. An observer (metrics) hears
// each run's timings, including the time from the earliest change it carries to the data plane
// serving it.

import type { ApplyReport, DataPlane } from '../dataplane/types.js';
import type { IR } from '../ir/types.js';
import { componentLogger, type Logger } from '../observability/logger.js';
import type { ResourceSnapshot } from '../resources/kinds.js';
import { composeStatuses, statusKey } from '../status/compose.js';
import { translate } from '../translator/translate.js';
import type { StatusUpdate, TranslateOptions } from '../translator/types.js';

export interface PublishedState {
  generation: number;
  ir: IR;
  statuses: StatusUpdate[];
  report?: ApplyReport;
  appliedAt: string;
}

export interface AppliedEvent {
  generation: number;
  translateSeconds: number;
  /** The data plane's apply (0 without a data plane). */
  applySeconds: number;
  /** From the earliest change in the run (as its provider saw it) to the data plane serving it. */
  changeToServeSeconds?: number;
}

export interface PipelineObserver {
  onApplied(event: AppliedEvent): void;
  onFailed(): void;
}

export interface PipelineOptions {
  translate: TranslateOptions;
  logger: Logger;
  /** Absent in processes that do not serve traffic (a controller that provisions proxies). */
  dataPlane?: DataPlane;
  /** Called after each generation is applied and its statuses composed. */
  onPublished?: (state: PublishedState) => void | Promise<void>;
  clock?: () => Date;
  /** Delays between re-applies while ports are unbound (default 1 s doubling up to 30 s). */
  bindRetry?: { initialMs: number; maxMs: number };
  observer?: PipelineObserver;
}

const DEFAULT_BIND_RETRY = { initialMs: 1000, maxMs: 30_000 };

export class Pipeline {
  #options: PipelineOptions;
  #pending: ResourceSnapshot | null = null;
  /** Epoch ms of the earliest change not applied yet, when the provider said. */
  #pendingChangeAt: number | undefined;
  #running: Promise<void> | null = null;
  #generation = 0;
  #state: PublishedState | null = null;
  #previous = new Map<string, StatusUpdate>();
  #latest: ResourceSnapshot | null = null;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs: number;

  constructor(options: PipelineOptions) {
    this.#options = { ...options, logger: componentLogger(options.logger, 'pipeline') };
    this.#retryDelayMs = (options.bindRetry ?? DEFAULT_BIND_RETRY).initialMs;
  }

  get state(): PublishedState | null {
    return this.#state;
  }

  /**
   * Queues a snapshot; returns when it (or a newer one) has been applied. `changedAt` is when the
   * provider saw the change behind it (epoch ms), for the change-to-serve measurement.
   */
  submit(snapshot: ResourceSnapshot, changedAt?: number): Promise<void> {
    this.#pending = snapshot;
    if (changedAt !== undefined)
      this.#pendingChangeAt = Math.min(this.#pendingChangeAt ?? changedAt, changedAt);
    this.#latest = snapshot;
    clearTimeout(this.#retryTimer);
    if (!this.#running) {
      this.#running = this.#drain().finally(() => {
        this.#running = null;
      });
    }
    return this.#running;
  }

  /** Stops retrying unbound ports (call on shutdown). */
  close(): void {
    clearTimeout(this.#retryTimer);
    this.#latest = null;
  }

  async #drain(): Promise<void> {
    while (this.#pending) {
      const snapshot = this.#pending;
      const changedAt = this.#pendingChangeAt;
      this.#pending = null;
      this.#pendingChangeAt = undefined;
      try {
        await this.#process(snapshot, changedAt);
      } catch (err) {
        // A bug in a stage must not stop the pipeline: log it, keep the last good state.
        this.#options.logger.error({ err }, 'pipeline run failed; the previous configuration stays in force');
        this.#options.observer?.onFailed();
      }
    }
  }

  async #process(snapshot: ResourceSnapshot, changedAt: number | undefined): Promise<void> {
    const started = performance.now();
    const result = translate(snapshot, this.#options.translate);
    const translatedMs = performance.now() - started;
    const generation = ++this.#generation;
    const report = this.#options.dataPlane
      ? await this.#options.dataPlane.apply(result.ir, generation)
      : undefined;
    const appliedMs = performance.now() - started - translatedMs;
    this.#options.observer?.onApplied({
      generation,
      translateSeconds: translatedMs / 1000,
      applySeconds: appliedMs / 1000,
      ...(changedAt === undefined
        ? {}
        : { changeToServeSeconds: Math.max(0, Date.now() - changedAt) / 1000 }),
    });
    const now = (this.#options.clock?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const statuses = composeStatuses({
      updates: result.statuses,
      ...(report ? { report } : {}),
      previous: this.#previous,
      now,
      listenerPorts: listenerPorts(snapshot),
    });
    this.#previous = new Map(statuses.map((s) => [statusKey(s), s]));
    this.#state = { generation, ir: result.ir, statuses, ...(report ? { report } : {}), appliedAt: now };
    this.#options.logger.info(
      { generation, translateMs: round(translatedMs), totalMs: round(performance.now() - started) },
      'configuration applied',
    );
    this.#scheduleBindRetry(report);
    await this.#options.onPublished?.(this.#state);
  }

  #scheduleBindRetry(report: ApplyReport | undefined): void {
    const retry = this.#options.bindRetry ?? DEFAULT_BIND_RETRY;
    const unbound = Object.values(report?.gateways ?? {}).some((g) => g.portErrors.length > 0);
    if (!unbound) {
      this.#retryDelayMs = retry.initialMs;
      return;
    }
    const delay = this.#retryDelayMs;
    this.#retryDelayMs = Math.min(delay * 2, retry.maxMs);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (this.#latest && !this.#pending) {
        this.#options.logger.debug({ delayMs: delay }, 'applying again to bind the ports that failed');
        void this.submit(this.#latest);
      }
    }, delay);
    this.#retryTimer.unref();
  }
}

function listenerPorts(snapshot: ResourceSnapshot): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const gw of snapshot.gateways) {
    const ports = new Map<string, number>();
    for (const l of gw.spec?.listeners ?? []) ports.set(l.name, l.port);
    out.set(`${gw.metadata.namespace ?? 'default'}/${gw.metadata.name}`, ports);
  }
  return out;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
