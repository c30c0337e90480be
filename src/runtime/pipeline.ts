// The pipeline runner: snapshot in → translate → apply to the data plane → compose statuses →
// publish. Snapshots are coalesced (latest wins) so a burst of changes costs one translation
// per apply, and applies never overlap. An observer (metrics) hears each run's timings,
// including the time from the earliest change it carries to the data plane serving it.

import type { ApplyReport, DataPlane } from '../dataplane/types.js';
import type { IR } from '../ir/types.js';
import type { Logger } from '../observability/logger.js';
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
  observer?: PipelineObserver;
}

export class Pipeline {
  #options: PipelineOptions;
  #pending: ResourceSnapshot | null = null;
  /** Epoch ms of the earliest change not applied yet, when the provider said. */
  #pendingChangeAt: number | undefined;
  #running: Promise<void> | null = null;
  #generation = 0;
  #state: PublishedState | null = null;
  #previous = new Map<string, StatusUpdate>();

  constructor(options: PipelineOptions) {
    this.#options = options;
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
    if (!this.#running) {
      this.#running = this.#drain().finally(() => {
        this.#running = null;
      });
    }
    return this.#running;
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
    await this.#options.onPublished?.(this.#state);
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
