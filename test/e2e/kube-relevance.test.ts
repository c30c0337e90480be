// What triggers a rebuild in Kubernetes mode: only relevant changes, coalesced into few
// snapshots; bookmarks keep the resume point fresh so a compaction does not force a relist.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  DEFAULT_WATCHED_KINDS,
  KubernetesProvider,
  type ProviderTimings,
} from '../../src/provider/kubernetes/provider.js';
import { KubeRest, resourcePath } from '../../src/provider/kubernetes/rest.js';
import { kindInfo } from '../../src/resources/kinds.js';
import type { Gateway, Secret } from '../../src/resources/types.js';
import type { ApiServer, ApiServerOptions } from '../apiserver/index.js';
import {
  gateway,
  gatewayClass,
  httpRoute,
  names,
  SnapshotRecorder,
  secret,
  service,
  startCluster,
  Writer,
  waitFor,
} from './kube-fixtures.js';

/** The provider opens one watch per watched kind. */
const WATCHED = DEFAULT_WATCHED_KINDS.length;

let api: ApiServer | undefined;
let provider: KubernetesProvider | undefined;

afterEach(async () => {
  await provider?.stop();
  await api?.stop();
  provider = undefined;
  api = undefined;
});

async function setup(timings: Partial<ProviderTimings> = { holdOffMs: 20 }, options: ApiServerOptions = {}) {
  api = await startCluster({ bookmarkIntervalMs: 100, ...options });
  const writer = new Writer(api);
  await writer.create(gatewayClass('gatehouse'));
  await writer.create(gateway('default', 'gw', 'gatehouse', 'cert'));
  await writer.create(service('default', 'web'));
  await writer.create(httpRoute('default', 'r1', [{ name: 'gw' }]));
  await writer.create(secret('default', 'unreferenced', 'a'));
  const recorder = new SnapshotRecorder();
  provider = new KubernetesProvider({
    kubeConfig: api.kubeconfig.config,
    onSnapshot: recorder.handler,
    timings,
  });
  provider.start();
  await recorder.next(() => true, 'initial', 0);
  await waitFor(() => api!.activeWatches() === WATCHED, 'one open watch per watched kind');
  return { api, writer, recorder, provider };
}

/** Waits until the provider's store holds `resourceVersion` of the object (the event was handled). */
async function observed(p: KubernetesProvider, kind: string, key: string, resourceVersion?: string) {
  await waitFor(
    () => p.store.get(kind, key)?.metadata.resourceVersion === resourceVersion,
    `${kind} ${key}@${resourceVersion}`,
  );
}

describe('relevance', () => {
  it('a change to a Secret nobody references triggers nothing', async () => {
    const { writer, provider, recorder } = await setup();
    const relevant = provider.stats.relevantChanges;
    const snapshots = recorder.count;
    const changed = await writer.update(secret('default', 'unreferenced', ''), (live) => ({
      ...live,
      data: { value: Buffer.from('b').toString('base64') },
    }));
    await observed(provider, 'Secret', 'default/unreferenced', changed.metadata.resourceVersion);
    assert.equal(provider.stats.relevantChanges, relevant);
    assert.ok(provider.stats.ignoredChanges > 0);
    assert.equal(recorder.count, snapshots);
  });

  it('a referenced Secret triggers a rebuild, also when it is created late', async () => {
    const { writer, recorder } = await setup();
    await writer.create(secret('default', 'cert', 'pem'));
    const next = await recorder.next((r) => names(r.snapshot.secrets).includes('cert'), 'the certificate');
    assert.deepEqual(next.info.changedKinds, ['Secret']);
  });

  it('our own status write (status and resourceVersion only) triggers nothing', async () => {
    const { api, provider, recorder } = await setup();
    const relevant = provider.stats.relevantChanges;
    const snapshots = recorder.count;
    const rest = new KubeRest(api.kubeconfig.config);
    const path = `${resourcePath(kindInfo('Gateway')!, 'default', 'gw')}/status`;
    const written = await rest.patch<Gateway>(path, {
      status: {
        conditions: [
          {
            type: 'Accepted',
            status: 'True',
            reason: 'Accepted',
            message: '',
            lastTransitionTime: '2025-01-01T00:00:00Z',
          },
        ],
      },
    });
    await observed(provider, 'Gateway', 'default/gw', written.metadata.resourceVersion);
    assert.equal(provider.stats.relevantChanges, relevant);
    assert.equal(recorder.count, snapshots);
  });
});

describe('batching', () => {
  it('100 quick changes become a few snapshots, the last one complete', async () => {
    const { writer, recorder } = await setup({ holdOffMs: 100, maxBatchDelayMs: 1000 });
    const before = recorder.count;
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        writer.create(httpRoute('default', `burst-${i}`, [{ name: 'gw' }])),
      ),
    );
    const complete = await recorder.next((r) => r.snapshot.httpRoutes.length === 101, 'all 101 routes');
    const batches = recorder.count - before;
    assert.ok(batches >= 1 && batches <= 4, `${batches} snapshots for 100 changes`);
    assert.equal(complete, recorder.last, 'the complete snapshot is the last one');
  });
});

describe('bookmarks', () => {
  it('advance the resume point, so a compaction needs no relist', async () => {
    const { api, writer, provider, recorder } = await setup();
    const routeVersion = provider.resumeVersions().HTTPRoute;
    const other = await writer.create<Secret>(secret('default', 'moves-the-clock', 'x'));
    await waitFor(
      () => Number(provider.resumeVersions().HTTPRoute) >= Number(other.metadata.resourceVersion),
      'a bookmark past the Secret write',
    );
    assert.notEqual(provider.resumeVersions().HTTPRoute, routeVersion);
    assert.ok(provider.stats.kinds.HTTPRoute!.bookmarks > 0);
    api.compact();
    api.cutWatches();
    await writer.create(httpRoute('default', 'after', [{ name: 'gw' }]));
    await recorder.next((r) => names(r.snapshot.httpRoutes).includes('after'), 'the new route');
    assert.equal(provider.stats.kinds.HTTPRoute!.relists, 0);
  });
});
