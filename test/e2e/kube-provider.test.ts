// The Kubernetes provider against the API server double, through the real client-node: initial
// sync gating, updates flowing through, and no update lost across a cut watch, a compacted
// history (410), and API server restarts with and without their data.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  DEFAULT_WATCHED_KINDS,
  KubernetesProvider,
  type ProviderTimings,
} from '../../src/provider/kubernetes/provider.js';
import type { ApiServer, ApiServerOptions } from '../apiserver/index.js';
import {
  gateway,
  gatewayClass,
  httpRoute,
  installCrd,
  installCrds,
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

const FAST: Partial<ProviderTimings> = {
  holdOffMs: 20,
  maxBatchDelayMs: 200,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
};

let api: ApiServer | undefined;
let provider: KubernetesProvider | undefined;

afterEach(async () => {
  await provider?.stop();
  await api?.stop();
  provider = undefined;
  api = undefined;
});

async function setup(options: ApiServerOptions = {}, timings: Partial<ProviderTimings> = FAST) {
  api = await startCluster({ bookmarkIntervalMs: 100, ...options });
  const writer = new Writer(api);
  await writer.create(gatewayClass('gatehouse'));
  await writer.create(gateway('default', 'gw'));
  await writer.create(service('default', 'web'));
  await writer.create(httpRoute('default', 'r1', [{ name: 'gw' }]));
  const recorder = new SnapshotRecorder();
  provider = new KubernetesProvider({
    kubeConfig: api.kubeconfig.config,
    onSnapshot: recorder.handler,
    timings,
  });
  return { api, writer, recorder, provider };
}

/** Initial snapshot delivered and every kind's watch stream open on the server. */
async function running(recorder: SnapshotRecorder): Promise<void> {
  await recorder.next(() => true, 'initial', 0);
  await waitFor(() => api!.activeWatches() === WATCHED, 'one open watch per watched kind');
}

const hasRoute = (name: string) => (r: { snapshot: { httpRoutes: { metadata: { name: string } }[] } }) =>
  names(r.snapshot.httpRoutes).includes(name);

describe('initial sync', () => {
  it('emits nothing until every kind has listed, then one full initial snapshot', async () => {
    const { api, recorder, provider } = await setup();
    api.failNext({ verb: 'list', resource: 'httproutes', status: 503, times: 2 });
    provider.start();
    await waitFor(() => provider.stats.kinds.HTTPRoute!.errors >= 1, 'the failed HTTPRoute list');
    await waitFor(() => provider.stats.kinds.Gateway!.lists === 1, 'the Gateway list');
    assert.equal(provider.synced, false);
    assert.equal(recorder.count, 0);
    await provider.waitForSync();
    const first = await recorder.next(() => true, 'initial', 0);
    assert.equal(first.info.reason, 'initial');
    assert.deepEqual(names(first.snapshot.httpRoutes), ['r1']);
    assert.deepEqual(names(first.snapshot.gateways), ['gw']);
    assert.ok(first.snapshot.namespaces.length >= 1);
    assert.equal(first.snapshot.gateways[0]?.kind, 'Gateway', 'list items get their kind');
    assert.equal(first.snapshot.gateways[0]?.metadata.managedFields, undefined, 'managedFields stripped');
  });
});

describe('list and watch requests', () => {
  it('lists in pages and watches from the list with bookmarks', async () => {
    const { api, writer, recorder, provider } = await setup({}, { ...FAST, pageSize: 2 });
    for (const name of ['r2', 'r3', 'r4']) await writer.create(httpRoute('default', name, [{ name: 'gw' }]));
    provider.start();
    const first = await recorder.next(() => true, 'initial', 0);
    assert.deepEqual(names(first.snapshot.httpRoutes), ['r1', 'r2', 'r3', 'r4']);
    const lists = api.requests().filter((r) => r.resource === 'httproutes' && r.verb === 'list');
    assert.deepEqual(
      lists.map((r) => r.query.limit),
      ['2', '2'],
    );
    assert.ok(lists[1]?.query.continue, 'second page asked with the continue token');
    await waitFor(() => api.activeWatches() === WATCHED, 'one open watch per watched kind');
    const watch = api.requests().find((r) => r.resource === 'httproutes' && r.verb === 'watch');
    assert.equal(watch?.query.allowWatchBookmarks, 'true');
    assert.ok(Number(watch?.query.resourceVersion) > 0);
  });

  it('closes a stream that stays silent past the idle timeout and resumes it', async () => {
    const { writer, recorder, provider } = await setup(
      { bookmarkIntervalMs: 600_000 },
      { ...FAST, idleTimeoutMs: 250 },
    );
    provider.start();
    await recorder.next(() => true, 'initial', 0);
    await waitFor(() => provider.stats.kinds.HTTPRoute!.idleTimeouts >= 1, 'an idle timeout');
    await writer.create(httpRoute('default', 'after-idle', [{ name: 'gw' }]));
    await recorder.next(hasRoute('after-idle'), 'route created after the idle timeout');
    assert.equal(provider.stats.kinds.HTTPRoute!.relists, 0);
  });

  it('an HTTP 410 on the watch request relists, like an ERROR event with code 410', async () => {
    const { api, writer, recorder, provider } = await setup();
    provider.start();
    await running(recorder);
    api.failNext({ verb: 'watch', resource: 'httproutes', status: 410 });
    api.cutWatches();
    await writer.create(httpRoute('default', 'after-410', [{ name: 'gw' }]));
    await recorder.next(hasRoute('after-410'), 'route created around the 410');
    await waitFor(() => provider.stats.kinds.HTTPRoute!.relists >= 1, 'the relist');
  });
});

describe('changes', () => {
  it('an update flows through as a new snapshot naming the changed kind', async () => {
    const { writer, recorder, provider } = await setup();
    provider.start();
    await recorder.next(() => true, 'initial', 0);
    await writer.update(httpRoute('default', 'r1', []), (live) => ({
      ...live,
      metadata: {
        ...live.metadata,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      spec: { ...live.spec, hostnames: ['new.example.com'] },
    }));
    const next = await recorder.next(
      (r) => r.snapshot.httpRoutes[0]?.spec.hostnames?.[0] === 'new.example.com',
      'hostname',
    );
    assert.deepEqual(next.info.changedKinds, ['HTTPRoute']);
    assert.equal(
      next.snapshot.httpRoutes[0]?.metadata.annotations,
      undefined,
      'last-applied annotation stripped',
    );
    assert.notEqual(next.snapshot, recorder.all[0]?.snapshot, 'a fresh snapshot object');
  });
});

describe('no update is lost', () => {
  it('across watches cut mid-stream', async () => {
    const { api, writer, recorder, provider } = await setup();
    provider.start();
    await running(recorder);
    const restartsBefore = provider.stats.kinds.HTTPRoute!.watchRestarts;
    api.cutWatches();
    await writer.create(httpRoute('default', 'after-cut', [{ name: 'gw' }]));
    await recorder.next(hasRoute('after-cut'), 'route created after the cut');
    assert.ok(provider.stats.kinds.HTTPRoute!.watchRestarts > restartsBefore);
    assert.equal(provider.stats.kinds.HTTPRoute!.relists, 0, 'resumed, not relisted');
  });

  it('across a compacted history: the 410 leads to a relist', async () => {
    // No bookmarks here, so the HTTPRoute watch's resume point stays at its last event.
    const { api, writer, recorder, provider } = await setup({ bookmarkIntervalMs: 600_000 });
    provider.start();
    await running(recorder);
    await writer.create(secret('default', 'unrelated', 'x'));
    api.compact();
    api.cutWatches();
    await writer.create(httpRoute('default', 'after-compact', [{ name: 'gw' }]));
    await recorder.next(hasRoute('after-compact'), 'route created after the compaction');
    assert.ok(provider.stats.kinds.HTTPRoute!.relists >= 1, 'relisted after 410');
  });

  it('across an API server restart that keeps its data: resumed from the last resourceVersion', async () => {
    const { api, recorder, provider } = await setup();
    provider.start();
    await running(recorder);
    await api.stop();
    await api.seed(httpRoute('default', 'while-down', [{ name: 'gw' }]) as never);
    await api.restart({ keepData: true });
    await recorder.next(hasRoute('while-down'), 'route created while the server was down');
    assert.equal(provider.stats.kinds.HTTPRoute!.relists, 0);
  });

  it('across an API server restart that lost its data: the relist deletes what vanished', async () => {
    const { api, writer, recorder, provider } = await setup();
    provider.start();
    await running(recorder);
    for (let i = 0; i < 20; i++) await writer.create(secret('default', `filler-${i}`, 'x'));
    await api.restart({ keepData: false });
    await installCrds(api); // the CRDs went with the data: install them again, as an admin would
    await writer.create(gatewayClass('gatehouse'));
    await writer.create(gateway('default', 'gw'));
    await writer.create(httpRoute('default', 'reborn', [{ name: 'gw' }]));
    const after = await recorder.next(
      (r) => names(r.snapshot.httpRoutes).join() === 'reborn' && r.snapshot.secrets.length === 0,
      'only the new route, no old secrets',
    );
    assert.deepEqual(names(after.snapshot.gateways), ['gw']);
    assert.ok(provider.stats.kinds.HTTPRoute!.deleted >= 1, 'r1 deleted by the relist');
    assert.ok(provider.stats.kinds.Secret!.relists >= 1);
  });
});

describe('optional kinds', () => {
  it('syncs without the BackendTLSPolicy CRD, and picks policies up once it is installed', async () => {
    api = await startCluster({ bookmarkIntervalMs: 100 }, ['backendtlspolicies']);
    const writer = new Writer(api);
    await writer.create(gatewayClass('gatehouse'));
    const recorder = new SnapshotRecorder();
    provider = new KubernetesProvider({
      kubeConfig: api.kubeconfig.config,
      onSnapshot: recorder.handler,
      timings: FAST,
    });
    provider.start();
    const first = await recorder.next(() => true, 'initial', 0);
    assert.deepEqual(first.snapshot.backendTLSPolicies, []);
    assert.ok(provider.synced);
    await installCrd(api, 'backendtlspolicies');
    await writer.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'web' }],
        validation: { wellKnownCACertificates: 'System', hostname: 'web.example' },
      },
    } as never);
    const later = await recorder.next((r) => r.snapshot.backendTLSPolicies.length === 1, 'the policy');
    assert.equal(later.snapshot.backendTLSPolicies[0]?.metadata.name, 'p');
  });
});
