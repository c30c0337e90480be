import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { emptyProviderStats } from '../provider/kubernetes/stats.js';
import { emptySnapshot } from '../resources/kinds.js';
import type { Gateway } from '../resources/types.js';
import {
  ControlPlaneMetrics,
  registerLeader,
  registerStatusWriterStats,
  registerWatchStats,
  snapshotCounts,
} from './controlplane-metrics.js';

/** `name{labels} value` lines without comments. */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('control-plane metrics', () => {
  it('export the provider watch counters as they are when scraped', async () => {
    const registry = new Registry();
    const stats = emptyProviderStats(['Gateway', 'HTTPRoute']);
    registerWatchStats(registry, stats);
    const gateway = stats.kinds.Gateway!;
    Object.assign(gateway, { lists: 3, relists: 2, watchRestarts: 5, errors: 1, added: 4, deleted: 1 });
    stats.relevantChanges = 6;
    const lines = await samples(registry);
    for (const expected of [
      'gatehouse_watch_lists_total{kind="Gateway"} 3',
      'gatehouse_watch_relists_total{kind="Gateway"} 2',
      'gatehouse_watch_restarts_total{kind="Gateway"} 5',
      'gatehouse_watch_restarts_total{kind="HTTPRoute"} 0',
      'gatehouse_watch_errors_total{kind="Gateway"} 1',
      'gatehouse_watch_events_total{kind="Gateway",type="added"} 4',
      'gatehouse_watch_events_total{kind="Gateway",type="deleted"} 1',
      'gatehouse_provider_changes_total{relevance="relevant"} 6',
    ]) {
      assert.ok(lines.includes(expected), expected);
    }
  });

  it('export status writes by result and the leader state', async () => {
    const registry = new Registry();
    const stats = { writes: 9, unchanged: 4, conflicts: 2, errors: 1 };
    let leader = false;
    registerStatusWriterStats(registry, stats);
    registerLeader(registry, () => leader);
    assert.deepEqual(await samples(registry), [
      'gatehouse_status_writes_total{result="written"} 9',
      'gatehouse_status_writes_total{result="unchanged"} 4',
      'gatehouse_status_writes_total{result="conflict"} 2',
      'gatehouse_status_writes_total{result="error"} 1',
      'gatehouse_leader 0',
    ]);
    leader = true;
    stats.conflicts = 3;
    const lines = await samples(registry);
    assert.ok(lines.includes('gatehouse_leader 1'));
    assert.ok(lines.includes('gatehouse_status_writes_total{result="conflict"} 3'));
  });

  it('record generations, durations, change-to-serve and failures from the pipeline', async () => {
    const registry = new Registry();
    const metrics = new ControlPlaneMetrics(registry);
    metrics.onApplied({ generation: 1, translateSeconds: 0.002, applySeconds: 0.004 });
    metrics.onApplied({
      generation: 2,
      translateSeconds: 0.003,
      applySeconds: 0.001,
      changeToServeSeconds: 0.2,
    });
    metrics.onFailed();
    const lines = await samples(registry);
    for (const expected of [
      'gatehouse_config_generation 2',
      'gatehouse_translation_duration_seconds_count 2',
      'gatehouse_config_apply_duration_seconds_count 2',
      'gatehouse_config_change_to_serve_seconds_count 1',
      'gatehouse_config_change_to_serve_seconds_bucket{le="0.1"} 0',
      'gatehouse_config_change_to_serve_seconds_bucket{le="0.25"} 1',
      'gatehouse_config_apply_failures_total 1',
    ]) {
      assert.ok(lines.includes(expected), expected);
    }
  });

  it('count the objects of a snapshot by kind', () => {
    const snapshot = emptySnapshot();
    snapshot.gateways.push({ metadata: { name: 'a' } } as Gateway, { metadata: { name: 'b' } } as Gateway);
    const counts = snapshotCounts(snapshot);
    assert.equal(counts.Gateway, 2);
    assert.equal(counts.HTTPRoute, 0);
    assert.deepEqual(snapshotCounts(undefined), {});
  });
});
