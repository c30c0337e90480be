// What the serve primary and its data-plane workers say to each other over cluster IPC.

import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { ApplyReport, DataPlaneOptions, DataPlaneStats } from '../dataplane/types.js';
import type { IR } from '../ir/types.js';

/** Given to each worker at fork time (environment GATEHOUSE_WORKER_SETTINGS, JSON). */
export interface WorkerSettings {
  dataPlane: Omit<DataPlaneOptions, 'observer'>;
  log: { level: string; format: 'json' | 'text' };
  /** Access log target (off, stdout, or a file every worker appends to). */
  accessLog: string;
}

export type ToWorker =
  | { type: 'apply'; ir: IR; generation: number }
  | { type: 'drain' }
  | { type: 'metrics'; id: number }
  | { type: 'close' };

export type ToPrimary =
  /** Sent once the worker listens for messages: earlier ones would be lost. */
  | { type: 'ready' }
  | { type: 'applied'; generation: number; report: ApplyReport }
  | { type: 'apply-failed'; generation: number; message: string }
  /** Sent every second and when something changes that a drain waits for. */
  | { type: 'stats'; stats: DataPlaneStats }
  | { type: 'drained' }
  /** The worker's data-plane metrics, as prom-client's getMetricsAsJSON() gives them. */
  | { type: 'metrics'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };
