// Leader failover between two `gatehouse controller` processes with short lease timings: only
// the leader writes status (each replica names itself in its User-Agent, so the API server's
// request log shows who wrote), and when the leader is killed (SIGKILL: no lease release) the
// standby takes over and writes within the lease duration. Each replica binds its own loopback
// address, which it reports in the Gateway's status.addresses: another sign of who wrote last.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Gateway, HTTPRoute, KubeObject } from '../../src/resources/types.js';
import type { RequestRecord } from '../apiserver/index.js';
import { freePort } from '../fixtures/net.js';
import { eventually, type GatehouseProcess } from './cli-process.js';
import { type Cluster, condition, startCluster, statusWrites, storedUntil } from './controller-fixtures.js';
import { backendService, gateway, gatewayClass, httpRoute } from './manifests.js';

const LEASE_MS = 2000;
const RETRY_MS = 200;
const TIMINGS = [
  '--lease-duration',
  `${LEASE_MS}ms`,
  '--renew-deadline',
  '1500ms',
  '--retry-period',
  `${RETRY_MS}ms`,
];

const asKube = (o: Record<string, unknown>) => o as unknown as KubeObject;
const from = (replica: string) => (r: RequestRecord) => (r.userAgent ?? '').endsWith(`(${replica})`);

describe('controller: leader election between two replicas', () => {
  let cluster: Cluster;
  const replicas: Record<string, GatehouseProcess> = {};
  const address: Record<string, string> = { a: '127.0.0.11', b: '127.0.0.12' };

  const start = async (replica: string) => {
    replicas[replica] = await cluster.controller([
      '--leader-election-id',
      replica,
      '--leader-election-namespace',
      'kube-system',
      ...TIMINGS,
      '--bind',
      address[replica]!,
    ]);
  };

  const leaseHolder = () =>
    (cluster.api.objects().get('coordination.k8s.io/leases') ?? []).find(
      (l) => l.metadata.name === 'gatehouse-controller',
    ) as { spec?: { holderIdentity?: string } } | undefined;

  const gatewayAddress = (value: string) =>
    storedUntil(
      cluster.api,
      'Gateway',
      'gw',
      (g: Gateway) => (g.status?.addresses?.[0]?.value === value ? g : undefined),
      `Gateway status.addresses = ${value}`,
      LEASE_MS * 3,
    );

  before(async () => {
    cluster = await startCluster();
    const port = await freePort();
    for (const obj of [
      gatewayClass(),
      gateway('gw', [{ name: 'http', port }]),
      httpRoute('web', { parents: ['gw'], rules: [{ prefix: '/', backend: 'web' }] }),
      backendService('web', 8080)[0]!,
    ]) {
      await cluster.writer.create(asKube(obj));
    }
    await start('a');
    await gatewayAddress(address.a!);
    await start('b');
    await eventually(
      async () => ((await replicas.b!.admin('/readyz')).status === 200 ? true : undefined),
      'replica b synced',
    );
  });

  after(async () => {
    await cluster?.dispose();
  });

  it('only the leader writes', async () => {
    const { api, writer } = cluster;
    assert.equal(leaseHolder()?.spec?.holderIdentity, 'a');
    const since = api.requests().length;
    await writer.update(asKube(httpRoute('web', { parents: ['gw'], rules: [] })), (live) => {
      (live as HTTPRoute).spec!.rules![0]!.backendRefs![0]!.name = 'missing';
      return live;
    });
    await storedUntil(
      api,
      'HTTPRoute',
      'web',
      (r: HTTPRoute) =>
        condition(r.status?.parents[0]?.conditions, 'ResolvedRefs')?.reason === 'BackendNotFound'
          ? r
          : undefined,
      'route status updated',
    );
    // Give the standby, which saw the same change, time to misbehave.
    await new Promise((resolve) => setTimeout(resolve, 3 * RETRY_MS));
    const recent = api.requests().slice(since);
    const writes = statusWrites(api).filter((r) => recent.includes(r));
    assert.ok(writes.some(from('a')), 'the leader wrote the route status');
    assert.deepEqual(writes.filter(from('b')), [], 'the standby wrote no status');
    const leaseWrites = recent.filter((r) => r.resource === 'leases' && r.method !== 'GET');
    assert.ok(leaseWrites.some(from('a')), 'the leader renews its lease');
    assert.deepEqual(leaseWrites.filter(from('b')), [], 'the standby only reads the lease');
  });

  it('the standby takes over within the lease duration when the leader is killed', async (t) => {
    const { api } = cluster;
    const since = api.requests().length;
    const killed = Date.now();
    replicas.a!.child.kill('SIGKILL');
    await replicas.a!.exited;
    await gatewayAddress(address.b!);
    const tookOver = Date.now() - killed;
    t.diagnostic(`replica b wrote status ${tookOver} ms after replica a was killed (lease ${LEASE_MS} ms)`);
    assert.equal(leaseHolder()?.spec?.holderIdentity, 'b');
    assert.ok(tookOver < LEASE_MS + 5 * RETRY_MS, `took ${tookOver} ms`);
    const writes = statusWrites(api).filter((r) => api.requests().indexOf(r) >= since);
    assert.ok(writes.length > 0 && writes.every(from('b')), 'every status write after the kill is from b');
    // b kept the route's status as a computed it: the change before the failover is not lost.
    const route = await storedUntil(api, 'HTTPRoute', 'web', (r: HTTPRoute) => r, 'route');
    assert.equal(condition(route.status?.parents[0]?.conditions, 'ResolvedRefs')?.reason, 'BackendNotFound');
  });
});
