// `gatehouse controller` against the API server double: /readyz is 503 until the initial sync;
// statuses appear (GatewayClass with supportedFeatures, Gateway with listeners and addresses,
// HTTPRoute parents) and follow changes to the route, to a Service, and to the Gateway alone;
// a 409 on a status write is retried; objects of another controller's class get no write. One
// traffic check goes through the controller's data plane to a backend on a local non-loopback
// address (the API server refuses loopback endpoints, and so does the double).

import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Gateway, GatewayClass, HTTPRoute, KubeObject } from '../../src/resources/types.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { freePort, send } from '../fixtures/net.js';
import type { GatehouseProcess } from './cli-process.js';
import {
  type Cluster,
  condition,
  startCluster,
  statusWrites,
  stored,
  storedUntil,
} from './controller-fixtures.js';
import { backendService, gateway, gatewayClass, httpRoute } from './manifests.js';

const OTHER = 'example.com/other-controller';

/** An IPv4 address of this host outside 127.0.0.0/8 (an EndpointSlice may not hold loopback). */
function localNonLoopback(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
}

const asKube = (o: Record<string, unknown>) => o as unknown as KubeObject;

describe('controller: statuses through the API server', () => {
  let cluster: Cluster;
  let gatehouse: GatehouseProcess;
  let backend: EchoBackend | undefined;
  let port: number;
  const readiness: number[] = [];

  before(async () => {
    cluster = await startCluster();
    const { writer, api } = cluster;
    port = await freePort();
    const address = localNonLoopback();
    backend = address ? await startEchoBackend('kube-web', { address }) : undefined;
    const [service, slice] = backendService('web', backend?.port ?? 8080);
    if (address) (slice as { endpoints: { addresses: string[] }[] }).endpoints[0]!.addresses = [address];
    for (const obj of [
      gatewayClass(),
      gatewayClass('other', OTHER),
      gateway('gw', [{ name: 'http', port, hostname: 'app.example.com' }]),
      gateway('foreign', [{ name: 'http', port: 80 }], 'other'),
      service!,
      slice!,
      httpRoute('web', {
        parents: ['gw'],
        hostnames: ['app.example.com'],
        rules: [{ prefix: '/', backend: 'web' }],
      }),
      httpRoute('foreign-route', { parents: ['foreign'], rules: [{ prefix: '/', backend: 'web' }] }),
    ]) {
      await writer.create(asKube(obj));
    }
    api.clearRequests();

    // Start while the API server is down: nothing can be synced, so /readyz must say 503.
    await api.stop();
    gatehouse = await cluster.controller(['--no-leader-election']);
    for (let i = 0; i < 3; i++) readiness.push((await gatehouse.admin('/readyz')).status);
    await api.restart({ keepData: true });
    await storedUntil<GatewayClass, true>(
      api,
      'GatewayClass',
      'gatehouse',
      (gc) => (condition(gc.status?.conditions, 'Accepted')?.status === 'True' ? true : undefined),
      'GatewayClass accepted',
    );
  });

  after(async () => {
    await cluster?.dispose();
    await backend?.close();
  });

  it('/readyz is 503 until the initial sync, then 200', async () => {
    assert.deepEqual(readiness, [503, 503, 503]);
    const ready = await gatehouse.admin('/readyz');
    assert.equal(ready.status, 200, ready.text);
  });

  it('writes GatewayClass, Gateway and HTTPRoute statuses', async () => {
    const { api } = cluster;
    const gc = stored<GatewayClass>(api, 'GatewayClass', 'gatehouse')!;
    const features = (gc.status as { supportedFeatures?: { name: string }[] }).supportedFeatures ?? [];
    assert.ok(features.some((f) => f.name === 'HTTPRoute'));
    assert.equal(condition(gc.status?.conditions, 'Accepted')?.observedGeneration, 1);

    const gw = await storedUntil<Gateway, Gateway>(
      api,
      'Gateway',
      'gw',
      (g) => (condition(g.status?.conditions, 'Programmed')?.status === 'True' ? g : undefined),
      'Gateway programmed',
    );
    assert.equal(condition(gw.status?.conditions, 'Accepted')?.status, 'True');
    assert.deepEqual(gw.status?.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
    const listener = gw.status?.listeners?.[0];
    assert.equal(listener?.name, 'http');
    assert.equal(listener?.attachedRoutes, 1);
    assert.equal(condition(listener?.conditions, 'Programmed')?.status, 'True');

    const parent = await storedUntil<HTTPRoute, NonNullable<HTTPRoute['status']>['parents'][number]>(
      api,
      'HTTPRoute',
      'web',
      (r) => r.status?.parents.find((p) => p.controllerName === 'gatehouse.dev/gateway-controller'),
      'route status',
    );
    assert.equal(parent.parentRef.name, 'gw');
    assert.equal(condition(parent.conditions, 'Accepted')?.status, 'True');
    assert.equal(condition(parent.conditions, 'ResolvedRefs')?.status, 'True');
  });

  it('serves the route through its data plane', async (t) => {
    if (!backend) {
      t.skip('no local non-loopback IPv4 address for an EndpointSlice');
      return;
    }
    const reply = await send(port, { host: 'app.example.com', path: '/hello' });
    assert.equal(reply.status, 200);
    assert.equal(reply.json().backend, 'kube-web');
  });

  const routeResolvedRefs = (observedGeneration: number, status: 'True' | 'False') =>
    storedUntil<HTTPRoute, NonNullable<HTTPRoute['status']>['parents'][number]['conditions'][number]>(
      cluster.api,
      'HTTPRoute',
      'web',
      (r) => {
        const c = condition(r.status?.parents[0]?.conditions, 'ResolvedRefs');
        return c?.observedGeneration === observedGeneration && c.status === status ? c : undefined;
      },
      `route ResolvedRefs=${status} at generation ${observedGeneration}`,
    );

  it('follows a backendRef to a missing Service, then the Service being created', async () => {
    const { writer } = cluster;
    const route = asKube(httpRoute('web', { parents: ['gw'], rules: [] }));
    await writer.update(route, (live) => {
      const spec = (live as HTTPRoute).spec!;
      spec.rules![0]!.backendRefs![0]!.name = 'missing';
      return live;
    });
    const missing = await routeResolvedRefs(2, 'False');
    assert.equal(missing.reason, 'BackendNotFound');
    assert.match(missing.message, /default\/missing/);

    const [service] = backendService('missing', 8080);
    await writer.create(asKube(service!));
    const resolved = await routeResolvedRefs(2, 'True');
    assert.equal(resolved.reason, 'ResolvedRefs');
  });

  it('updates the route status after a Gateway-only change', async () => {
    const { writer, api } = cluster;
    await writer.update(asKube(gateway('gw', [])), (live) => {
      (live as Gateway).spec.listeners[0]!.hostname = 'elsewhere.example.com';
      return live;
    });
    const accepted = await storedUntil(
      api,
      'HTTPRoute',
      'web',
      (r: HTTPRoute) => {
        const c = condition(r.status?.parents[0]?.conditions, 'Accepted');
        return c?.status === 'False' ? c : undefined;
      },
      'route no longer accepted',
    );
    assert.equal(accepted.reason, 'NoMatchingListenerHostname');
    assert.equal(accepted.observedGeneration, 2, 'the route itself did not change');
    const gw = stored<Gateway>(api, 'Gateway', 'gw')!;
    assert.equal(gw.status?.listeners?.[0]?.attachedRoutes, 0);
    assert.equal(condition(gw.status?.conditions, 'Accepted')?.observedGeneration, 2);
  });

  it('retries a status write that met a conflict', async () => {
    const { writer, api } = cluster;
    api.failNext({ verb: 'patch', resource: 'httproutes/status', status: 409 });
    const since = api.requests().length;
    await writer.update(asKube(httpRoute('web', { parents: ['gw'], rules: [] })), (live) => {
      (live as HTTPRoute).spec!.hostnames = ['elsewhere.example.com'];
      return live;
    });
    const accepted = await storedUntil(
      api,
      'HTTPRoute',
      'web',
      (r: HTTPRoute) => {
        const c = condition(r.status?.parents[0]?.conditions, 'Accepted');
        return c?.status === 'True' && c.observedGeneration === 3 ? c : undefined;
      },
      'route accepted again at generation 3',
    );
    assert.equal(accepted.reason, 'Accepted');
    const patches = statusWrites(api, (r) => r.path.endsWith('/httproutes/web/status'))
      .filter((r) => api.requests().indexOf(r) >= since)
      .map((r) => r.status);
    assert.equal(patches[0], 409);
    assert.ok(patches.slice(1).includes(200), `status writes: ${patches.join(', ')}`);
  });

  it('the API server refuses an HTTPRoute its CRD rules refuse (the double validates like one)', async () => {
    const bad = httpRoute('bad', { parents: ['gw'], rules: [{ prefix: 'relative', backend: 'web' }] });
    await assert.rejects(cluster.writer.create(asKube(bad)), (err: { code?: number; body?: unknown }) => {
      assert.equal(err.code, 422);
      assert.match(JSON.stringify(err.body), /must be an absolute path/);
      return true;
    });
  });

  it("writes nothing for another controller's GatewayClass, Gateways and routes", async () => {
    const { api } = cluster;
    const foreign = statusWrites(api, (r) =>
      ['/gatewayclasses/other/', '/gateways/foreign/', '/httproutes/foreign-route/'].some((p) =>
        `${r.path}/`.includes(p),
      ),
    );
    assert.deepEqual(foreign, []);
    // The writes we did make all came from this controller, named in its User-Agent.
    const ours = statusWrites(api);
    assert.ok(ours.length > 0);
    for (const write of ours) assert.match(write.userAgent ?? '', /^gatehouse\/\S+ \(/);
    const route = stored<HTTPRoute>(api, 'HTTPRoute', 'foreign-route')!;
    assert.deepEqual(route.status?.parents ?? [], []);
    const gc = stored<GatewayClass>(api, 'GatewayClass', 'other')!;
    assert.ok(!(gc.status?.conditions ?? []).some((c) => c.status === 'True'));
  });
});
