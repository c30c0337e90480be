// `gatehouse controller` against the API server double: the control-plane metrics after the
// initial sync (watch lists per kind, resources, leader), then a drain on SIGTERM that releases
// the leader Lease before the listeners stop accepting, and an exit with 0.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiServer } from '../apiserver/index.js';
import { startCluster } from './kube-fixtures.js';
import { parseMetrics, sampleValue } from './metrics-text.js';
import { admin, adminPortOf, type GatehouseProcess, startGatehouse } from './ops-cli.js';

describe('gatehouse controller: metrics and drain', () => {
  let api: ApiServer;
  let dir: string;
  let gatehouse: GatehouseProcess;
  let adminPort: number;

  before(async () => {
    api = await startCluster();
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-controller-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, api.kubeconfig.yaml);
    gatehouse = startGatehouse([
      'controller',
      ...['--kubeconfig', kubeconfig, '--bind', '127.0.0.1', '--admin-address', '127.0.0.1:0'],
      ...['--leader-election-namespace', 'default', '--leader-election-id', 'replica-a'],
      ...['--drain-delay', '200ms', '--access-log', 'off'],
    ]);
    adminPort = await adminPortOf(gatehouse);
    await gatehouse.waitFor((l) => l.msg === 'became leader');
    await gatehouse.waitFor((l) => l.msg === 'configuration applied');
  });

  after(async () => {
    await gatehouse.stop();
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports watch, resource and leader metrics', async () => {
    const samples = parseMetrics((await admin(adminPort, '/metrics')).body);
    for (const kind of ['GatewayClass', 'Gateway', 'HTTPRoute', 'Service', 'EndpointSlice']) {
      assert.ok((sampleValue(samples, 'gatehouse_watch_lists_total', { kind }) ?? 0) >= 1, kind);
      assert.equal(sampleValue(samples, 'gatehouse_watch_relists_total', { kind }), 0, kind);
      assert.ok(sampleValue(samples, 'gatehouse_resources', { kind }) !== undefined, kind);
    }
    assert.equal(sampleValue(samples, 'gatehouse_leader'), 1);
    assert.equal(sampleValue(samples, 'gatehouse_config_generation'), 1);
    assert.equal(sampleValue(samples, 'gatehouse_status_writes_total', { result: 'conflict' }), 0);
  });

  it('releases the Lease at the start of the drain, then drains and exits 0', async () => {
    gatehouse.child.kill('SIGTERM');
    await gatehouse.waitFor((l) => l.component === 'drain' && String(l.msg).startsWith('draining'));
    assert.deepEqual(await admin(adminPort, '/readyz'), { status: 503, body: 'not ready: draining\n' });
    assert.equal(await gatehouse.exited, 0);
    const messages = gatehouse.lines.map((l) => l.msg);
    const released = messages.indexOf('released lease');
    assert.ok(released >= 0, 'the Lease was released');
    assert.ok(released < messages.indexOf('stopped accepting'), 'before the listeners closed');
    const leases = api.objects().get('coordination.k8s.io/leases') ?? [];
    assert.equal(leases.length, 1);
    const holder = (leases[0] as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
    assert.ok(holder === undefined || holder === '', `holder after release: ${holder}`);
  });
});
