// The metrics documentation and the Grafana dashboard agree with the code: every metric the
// processes register is documented in docs/metrics.md (and nothing else is), and the dashboard is
// a Grafana dashboard whose every query names metrics that exist.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  ControlPlaneMetrics,
  registerLeader,
  registerResourceCounts,
  registerStatusWriterStats,
  registerWatchStats,
} from '../../src/observability/controlplane-metrics.js';
import { DataPlaneMetrics, registerDataPlaneStats } from '../../src/observability/dataplane-metrics.js';
import { createMetricsRegistry } from '../../src/observability/metrics.js';
import { emptyProviderStats } from '../../src/provider/kubernetes/stats.js';

const root = new URL('../../../', import.meta.url);

/** Every metric `gatehouse controller` registers (serve registers a subset). */
async function registeredMetrics(): Promise<Map<string, string>> {
  const registry = createMetricsRegistry();
  new DataPlaneMetrics(registry);
  registerDataPlaneStats(registry, () => ({ draining: false, connections: 0, inFlight: 0, upstreams: [] }));
  new ControlPlaneMetrics(registry);
  registerResourceCounts(registry, () => ({}));
  registerWatchStats(registry, emptyProviderStats(['Gateway']));
  registerStatusWriterStats(registry, { writes: 0, unchanged: 0, conflicts: 0, errors: 0 });
  registerLeader(registry, () => false);
  const metrics = await registry.getMetricsAsJSON();
  return new Map(metrics.map((m) => [m.name, String(m.type)]));
}

test('docs/metrics.md documents every gatehouse_ metric with its type, and no other', async () => {
  const doc = readFileSync(new URL('docs/metrics.md', root), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\| `(gatehouse_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => [m[1], m[2]]),
  );
  const registered = await registeredMetrics();
  for (const [name, type] of registered) {
    if (name.startsWith('gatehouse_')) assert.equal(rows.get(name), type, `${name} documented as ${type}`);
  }
  for (const name of rows.keys())
    assert.ok(registered.has(name as string), `${name} is documented but not registered`);
});

test('the Grafana dashboard is valid and queries only metrics that exist', async () => {
  const dashboard = JSON.parse(readFileSync(new URL('deploy/grafana-dashboard.json', root), 'utf8')) as {
    title: string;
    uid: string;
    schemaVersion: number;
    panels: { type: string; title: string; gridPos: object; targets?: { expr: string }[] }[];
    templating: { list: { name: string }[] };
  };
  assert.equal(dashboard.title, 'Gatehouse');
  assert.equal(typeof dashboard.schemaVersion, 'number');
  assert.deepEqual(
    dashboard.templating.list.map((v) => v.name),
    ['datasource', 'instance', 'gateway', 'route'],
  );
  const registered = await registeredMetrics();
  const queried = new Set<string>();
  const graphs = dashboard.panels.filter((p) => p.type !== 'row');
  for (const panel of graphs) {
    assert.ok(panel.gridPos, panel.title);
    assert.ok((panel.targets ?? []).length > 0, `${panel.title} has queries`);
    for (const { expr } of panel.targets ?? []) {
      for (const [name] of expr.matchAll(/\b(?:gatehouse|process|nodejs)_[a-z0-9_]+/g)) {
        const metric = name.replace(/_(bucket|sum|count)$/, '');
        assert.ok(registered.has(metric) || registered.has(name), `${panel.title}: ${name}`);
        queried.add(metric);
      }
    }
  }
  const titles = graphs.map((p) => p.title).join(' | ');
  for (const wanted of [
    'gatehouse_requests_total',
    'gatehouse_request_duration_seconds',
    'gatehouse_upstream_errors_total',
    'gatehouse_downstream_connections_active',
    'gatehouse_config_generation',
    'gatehouse_config_change_to_serve_seconds',
    'gatehouse_watch_restarts_total',
    'gatehouse_status_writes_total',
    'gatehouse_leader',
    'process_cpu_seconds_total',
    'nodejs_eventloop_lag_p99_seconds',
  ]) {
    assert.ok(queried.has(wanted), `a panel shows ${wanted} (panels: ${titles})`);
  }
});
