// What every serving mode (serve, controller, and later proxy) shares to run in production: the
// logger, the admin address check, the metrics registry with data-plane and control-plane
// metrics, the access log, the drain wired to SIGTERM/SIGINT and POST /drain, and the admin
// endpoint.

import type { Registry } from 'prom-client';
import { type AdminServer, isLoopback, parseAdminAddress, startAdminServer } from '../../admin/server.js';
import type { DataPlane, DataPlaneObserver } from '../../dataplane/types.js';
import { AccessLog } from '../../observability/access-log.js';
import { ControlPlaneMetrics } from '../../observability/controlplane-metrics.js';
import { DataPlaneMetrics, registerDataPlaneStats } from '../../observability/dataplane-metrics.js';
import { componentLogger, createLogger, type Logger } from '../../observability/logger.js';
import { createMetricsRegistry } from '../../observability/metrics.js';
import { combineObservers } from '../../observability/observers.js';
import { Drain } from '../../runtime/drain.js';
import type { Pipeline } from '../../runtime/pipeline.js';
import { adminRoutes } from '../admin-routes.js';
import type { LoggingFlags, OperatingFlags, ServingFlags } from '../options.js';

function loggerFromFlags(flags: LoggingFlags): Logger {
  return createLogger({ level: flags.logLevel, format: flags.logFormat });
}

export class Operations {
  readonly metrics: Registry = createMetricsRegistry();
  readonly pipelineObserver = new ControlPlaneMetrics(this.metrics);
  readonly dataPlaneObserver: DataPlaneObserver | undefined;
  readonly #accessLog: AccessLog | undefined;
  readonly #flags: OperatingFlags;
  readonly root: Logger;
  readonly #admin: { host: string; port: number };

  /**
   * Refuses a non-loopback admin address unless allowed, and opens the access log: an unwritable
   * file fails here, at startup.
   */
  constructor(flags: ServingFlags) {
    this.#admin = parseAdminAddress(flags.adminAddress);
    if (!isLoopback(this.#admin.host) && !flags.adminAllowRemote) {
      throw new Error(
        `admin address ${flags.adminAddress} is not loopback: pass --admin-allow-remote to allow it`,
      );
    }
    this.#flags = flags;
    const root = loggerFromFlags(flags);
    this.root = root;
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
      logger: this.root,
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

  /** The admin endpoint: health, readiness (`synced` and not draining), status, config, metrics. */
  startAdmin(
    pipeline: Pipeline,
    options: { drain: Drain; metrics?: Registry; synced?: () => boolean },
  ): Promise<AdminServer> {
    return startAdminServer({
      ...this.#admin,
      logger: componentLogger(this.root, 'admin'),
      routes: adminRoutes(pipeline, { metrics: this.metrics, ...options }),
    });
  }
}
