// A data-plane worker of `gatehouse serve --workers N` (forked by workers.ts): runs the data plane
// in this process, applies each configuration the primary sends, and answers with the bind report.
// Listening sockets are shared with the other workers: with SO_REUSEPORT (Node >= 22.12) each
// worker binds its own socket and the kernel spreads new connections over them; on older Node,
// node:cluster's round-robin: the primary accepts and hands each connection to a worker.

import process from 'node:process';
import { Registry } from 'prom-client';
import { createDataPlane } from '../dataplane/runtime.js';
import { AccessLog } from '../observability/access-log.js';
import { DataPlaneMetrics } from '../observability/dataplane-metrics.js';
import { componentLogger, createLogger, type LogFormat } from '../observability/logger.js';
import { combineObservers } from '../observability/observers.js';
import type { ToPrimary, ToWorker, WorkerSettings } from './worker-messages.js';

const settings = JSON.parse(process.env.GATEHOUSE_WORKER_SETTINGS ?? '{}') as WorkerSettings;
const root = createLogger({ level: settings.log.level, format: settings.log.format as LogFormat });
const logger = componentLogger(root, 'worker').child({ worker: process.pid });
/** Only the data-plane metrics: the primary adds these to its own (process, control plane). */
const metrics = new Registry();
const accessLog = AccessLog.open(settings.accessLog, (err) =>
  logger.error({ err }, 'access log write failed'),
);
const dataPlane = createDataPlane({
  ...settings.dataPlane,
  logger: componentLogger(root, 'dataplane'),
  reusePort: true,
  observer: combineObservers([new DataPlaneMetrics(metrics), accessLog]),
});
/** Connection and request counts for the primary's /metrics gauges and drain progress. */
const reportStats = () => send({ type: 'stats', stats: dataPlane.stats() });
setInterval(reportStats, 1000).unref();

function send(message: ToPrimary): void {
  if (process.connected) process.send?.(message);
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'apply') {
    dataPlane.apply(message.ir, message.generation).then(
      (report) => send({ type: 'applied', generation: message.generation, report }),
      (err: unknown) => send({ type: 'apply-failed', generation: message.generation, message: String(err) }),
    );
  } else if (message.type === 'metrics') {
    void metrics.getMetricsAsJSON().then((json) => send({ type: 'metrics', id: message.id, metrics: json }));
  } else if (message.type === 'drain') {
    void dataPlane.drain().then(() => {
      reportStats();
      send({ type: 'drained' });
    });
  } else if (message.type === 'close') {
    void dataPlane
      .close()
      .then(() => accessLog?.close())
      .finally(() => process.exit(0));
  }
});

// The primary going away takes its workers with it.
process.on('disconnect', () => {
  void dataPlane.close().finally(() => process.exit(0));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
send({ type: 'ready' });
logger.debug('worker started');
