// What every serving command (serve, controller, and later proxy) shares to run in production:
// the drain and access-log flags, the metrics registry with data-plane and control-plane
// metrics, the access log, and the drain wired to SIGTERM/SIGINT and POST /drain.

import { type Command, Option } from 'commander';
import type { Registry } from 'prom-client';
import type { DataPlane, DataPlaneObserver } from '../dataplane/types.js';
import { AccessLog } from '../observability/access-log.js';
import { ControlPlaneMetrics } from '../observability/controlplane-metrics.js';
import { DataPlaneMetrics, registerDataPlaneStats } from '../observability/dataplane-metrics.js';
import { componentLogger, type Logger } from '../observability/logger.js';
import { createMetricsRegistry } from '../observability/metrics.js';
import { combineObservers } from '../observability/observers.js';
import { DEFAULT_DRAIN_DELAY_MS, DEFAULT_DRAIN_PROGRESS_MS, Drain } from '../runtime/drain.js';
import { parseDelayFlag, parseDurationFlag } from './options.js';

export interface OperatingFlags {
  /** Milliseconds. */
  drainDelay: number;
  drainTimeout?: number;
  drainProgressInterval: number;
  accessLog: string;
}

export function addOperatingOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--drain-delay <duration>',
        'after SIGTERM, keep accepting this long while load balancers stop sending traffic',
      )
        .argParser(parseDelayFlag)
        .default(DEFAULT_DRAIN_DELAY_MS, '5s'),
    )
    .addOption(
      new Option(
        '--drain-timeout <duration>',
        "give up draining after this long and exit 1 (default: none; the platform's SIGKILL ends it)",
      ).argParser(parseDurationFlag),
    )
    .addOption(
      new Option('--drain-progress-interval <duration>', 'how often a drain logs its progress')
        .argParser(parseDurationFlag)
        .default(DEFAULT_DRAIN_PROGRESS_MS, '10s')
        .hideHelp(),
    )
    .option('--access-log <target>', 'access log: off, stdout, or a file to append to', 'stdout');
}

export class Operations {
  readonly metrics: Registry = createMetricsRegistry();
  readonly pipelineObserver = new ControlPlaneMetrics(this.metrics);
  readonly dataPlaneObserver: DataPlaneObserver | undefined;
  readonly #accessLog: AccessLog | undefined;
  readonly #flags: OperatingFlags;
  readonly #root: Logger;

  /** Opens the access log: an unwritable file fails here, at startup. */
  constructor(flags: OperatingFlags, root: Logger) {
    this.#flags = flags;
    this.#root = root;
    const log = componentLogger(root, 'access');
    this.#accessLog = AccessLog.open(flags.accessLog, (err) => log.error({ err }, 'access log write failed'));
    this.dataPlaneObserver = combineObservers([new DataPlaneMetrics(this.metrics), this.#accessLog]);
  }

  /**
   * Exports the data plane's gauges and drains it on SIGTERM, SIGINT or POST /drain; `shutdown`
   * runs once it is drained (stop providers, close the admin endpoint), then the process exits.
   */
  drainOnSignals(dataPlane: DataPlane, shutdown: () => Promise<void>, onStart?: () => Promise<void>): Drain {
    registerDataPlaneStats(this.metrics, () => dataPlane.stats());
    const drain = new Drain({
      dataPlane,
      logger: this.#root,
      delayMs: this.#flags.drainDelay,
      ...(this.#flags.drainTimeout === undefined ? {} : { timeoutMs: this.#flags.drainTimeout }),
      progressIntervalMs: this.#flags.drainProgressInterval,
      ...(onStart === undefined ? {} : { onStart }),
      onDrained: async () => {
        await shutdown();
        await this.#accessLog?.close();
      },
    });
    drain.installSignalHandlers();
    return drain;
  }
}
