// `gatehouse controller` loses no update when its connection to the API server breaks: a watch
// cut mid-stream with a change made before it reconnects; a change followed by a compaction, so
// the resumed watch gets 410 Gone and must relist; and an API server restart with a change made
// while it was down. After each, the status the controller writes reflects the change.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Condition, HTTPRoute, KubeObject } from '../../src/resources/types.js';
import type { GatehouseProcess } from './cli-process.js';
import { type Cluster, condition, startCluster, storedUntil } from './controller-fixtures.js';
import { backendService, gateway, gatewayClass, httpRoute } from './manifests.js';

const asKube = (o: Record<string, unknown>) => o as unknown as KubeObject;
const service = (name: string) => asKube(backendService(name, 8080)[0]!);

describe('controller: no update lost when the API connection breaks', () => {
  let cluster: Cluster;
  let gatehouse: GatehouseProcess;

  /** Waits until the route's ResolvedRefs condition has this status at this generation. */
  const resolvedRefs = (generation: number, status: 'True' | 'False'): Promise<Condition> =>
    storedUntil(
      cluster.api,
      'HTTPRoute',
      'web',
      (r: HTTPRoute) => {
        const c = condition(r.status?.parents[0]?.conditions, 'ResolvedRefs');
        return c?.observedGeneration === generation && c.status === status ? c : undefined;
      },
      `route ResolvedRefs=${status} at generation ${generation}`,
      8000,
    );

  const pointRouteAt = (backend: string) =>
    cluster.writer.update(asKube(httpRoute('web', { parents: ['gw'], rules: [] })), (live) => {
      (live as HTTPRoute).spec!.rules![0]!.backendRefs![0]!.name = backend;
      return live;
    });

  before(async () => {
    cluster = await startCluster();
    for (const obj of [
      gatewayClass(),
      gateway('gw', [{ name: 'http', port: 18080 }]),
      httpRoute('web', { parents: ['gw'], rules: [{ prefix: '/', backend: 'web' }] }),
    ]) {
      await cluster.writer.create(asKube(obj));
    }
    await cluster.writer.create(service('web'));
    gatehouse = await cluster.controller(['--no-leader-election']);
    await resolvedRefs(1, 'True');
  });

  after(async () => {
    await cluster?.dispose();
  });

  it('a watch cut mid-stream, with a change before it reconnects', async () => {
    const { api } = cluster;
    const watches = api.activeWatches();
    api.cutWatches();
    await pointRouteAt('svc-1');
    const c = await resolvedRefs(2, 'False');
    assert.equal(c.reason, 'BackendNotFound');
    assert.match(c.message, /default\/svc-1/);
    assert.equal(api.activeWatches(), watches, 'every watch is back');
  });

  it('410 Gone after a compaction: the watcher relists and sees the change', async () => {
    const { api, writer } = cluster;
    // The create and the compaction take a few ms; a cut watcher waits at least 100 ms (its
    // backoff) before it resumes, from a resourceVersion the compaction has made too old.
    const logsSince = gatehouse.logs.length;
    api.cutWatches();
    await writer.create(service('svc-1'));
    api.compact();
    const since = api.requests().length;
    const c = await resolvedRefs(2, 'True');
    assert.equal(c.reason, 'ResolvedRefs');
    await gatehouse.waitForLog(
      (l) => /^watch Service: resourceVersion no longer usable, relisting/.test(l.msg),
      'the Service watch answered 410',
      { since: logsSince },
    );
    const relists = api
      .requests()
      .slice(since)
      .filter((r) => r.verb === 'list' && r.resource === 'services' && r.query.limit !== '1');
    assert.ok(relists.length > 0, 'Services were listed again after the 410');
  });

  it('an API server restart, with a change made while it was down', async () => {
    const { api } = cluster;
    await pointRouteAt('svc-2');
    await resolvedRefs(3, 'False');
    await api.stop();
    await api.seed(service('svc-2') as never);
    await api.restart({ keepData: true });
    const c = await resolvedRefs(3, 'True');
    assert.equal(c.reason, 'ResolvedRefs');
    assert.equal((await gatehouse.admin('/readyz')).status, 200);
  });
});
