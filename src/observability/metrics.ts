// The process's metrics registry: a prom-client Registry of its own (never the global one, so
// embedding Gatehouse or running two in one process cannot mix series), with prom-client's
// default process metrics — CPU, memory, heap, event-loop lag, GC — under their standard names
// (process_*, nodejs_*) so stock Node.js dashboards and alerts apply unchanged.

import { collectDefaultMetrics, Registry } from 'prom-client';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
