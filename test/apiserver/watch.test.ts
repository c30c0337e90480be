// Watch semantics through client-node's Watch and informer: list-then-watch resumes without
// losing events, resourceVersion unset/"0" start with synthetic ADDED events, a compacted
// resourceVersion gets an ERROR event with 410 Expired, bookmarks, selector transitions,
// timeoutSeconds, a cut connection, and resuming after a restart that kept the data.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  type KubernetesObject,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { EventLog, startWatch } from './harness.js';
import { type ApiServer, startApiServer } from './server.js';

let server: ApiServer;
let core: CoreV1Api;
let nsCounter = 0;
const PATH = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

async function freshNamespace(): Promise<string> {
  const name = `w${++nsCounter}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

async function put(
  ns: string,
  name: string,
  data: Record<string, string> = {},
  labels = {},
): Promise<V1ConfigMap> {
  return core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels }, data } });
}

async function mergePatch(ns: string, name: string, body: unknown): Promise<V1ConfigMap> {
  return core.patchNamespacedConfigMap(
    { name, namespace: ns, body },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

before(async () => {
  server = await startApiServer({ bookmarkIntervalMs: 50 });
  core = server.kubeconfig.config.makeApiClient(CoreV1Api);
});
after(() => server.stop());

describe('watch', () => {
  it('resumes from a list resourceVersion without losing or repeating events', async () => {
    const ns = await freshNamespace();
    await put(ns, 'old');
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    await put(ns, 'new');
    await mergePatch(ns, 'old', { data: { v: '2' } });
    await core.deleteNamespacedConfigMap({ name: 'new', namespace: ns });
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), {
      resourceVersion: list.metadata?.resourceVersion ?? '',
    });
    await watch.log.until((l) => l.events.length >= 3, 'three replayed events');
    assert.deepEqual(
      watch.log.events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED new', 'MODIFIED old', 'DELETED new'],
    );
    const rvs = watch.log.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(
      rvs,
      [...rvs].sort((a, b) => a - b),
    );
    await put(ns, 'live');
    await watch.log.until((l) => l.names('ADDED').includes('live'), 'the live ADDED event');
    watch.abort();
  });

  it('starts with synthetic ADDED events when resourceVersion is unset or "0"', async () => {
    const ns = await freshNamespace();
    await put(ns, 'a');
    await put(ns, 'b');
    const queries: Record<string, string>[] = [{}, { resourceVersion: '0' }];
    for (const query of queries) {
      const watch = await startWatch(server.kubeconfig.config, PATH(ns), query);
      await watch.log.until((l) => l.events.length >= 2, 'the initial state');
      assert.deepEqual(
        watch.log.summary().map((s) => s.split('@')[0]),
        ['ADDED a', 'ADDED b'],
      );
      watch.abort();
    }
  });

  it('sends an ERROR event with a 410 Expired Status for a compacted resourceVersion', async () => {
    const ns = await freshNamespace();
    const first = await put(ns, 'x');
    await put(ns, 'y');
    server.compact();
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), {
      resourceVersion: first.metadata?.resourceVersion ?? '',
    });
    await watch.log.until((l) => l.ended, 'the stream to end');
    const [event] = watch.log.events;
    assert.equal(event?.type, 'ERROR');
    assert.equal(event?.object.kind, 'Status');
    assert.equal(event?.object.code, 410);
    assert.equal(event?.object.reason, 'Expired');
    assert.match(event?.object.message, /^too old resource version: \d+ \(\d+\)$/);
  });

  it('sends BOOKMARKs carrying only kind, apiVersion and resourceVersion when allowed', async () => {
    const ns = await freshNamespace();
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), { allowWatchBookmarks: true });
    await put(ns, 'marked');
    await watch.log.until(
      (l) =>
        l.events.some(
          (e) =>
            e.type === 'BOOKMARK' &&
            Number(e.object.metadata.resourceVersion) >= Number(server.resourceVersion()),
        ),
      'a bookmark at the current resourceVersion',
    );
    const bookmark = watch.log.events.find((e) => e.type === 'BOOKMARK');
    assert.deepEqual(Object.keys(bookmark?.object ?? {}).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.deepEqual(Object.keys(bookmark?.object.metadata ?? {}), ['resourceVersion']);
    assert.equal(bookmark?.object.kind, 'ConfigMap');
    watch.abort();
  });

  it('ends sendInitialEvents with the initial-events-end bookmark', async () => {
    const ns = await freshNamespace();
    await put(ns, 'one');
    const query = {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: 'NotOlderThan',
    };
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), query);
    await watch.log.until(
      (l) => l.events.some((e) => e.type === 'BOOKMARK'),
      'the end-of-initial-events bookmark',
    );
    assert.equal(watch.log.events[0]?.type, 'ADDED');
    const bookmark = watch.log.events[1];
    assert.equal(bookmark?.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    watch.abort();
  });

  it('turns selector transitions into ADDED and DELETED events', async () => {
    const ns = await freshNamespace();
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), {
      labelSelector: 'role=web',
      resourceVersion: server.resourceVersion(),
    });
    await put(ns, 'svc', {}, { role: 'db' });
    await mergePatch(ns, 'svc', { metadata: { labels: { role: 'web' } } });
    await mergePatch(ns, 'svc', { data: { k: 'v' } });
    await mergePatch(ns, 'svc', { metadata: { labels: { role: 'db' } } });
    await watch.log.until((l) => l.events.length >= 3, 'three events');
    assert.deepEqual(
      watch.log.summary().map((s) => s.split('@')[0]),
      ['ADDED svc', 'MODIFIED svc', 'DELETED svc'],
    );
    watch.abort();
  });

  it('serves the /watch/ path form and waits for a resourceVersion not reached yet', async () => {
    const ns = await freshNamespace();
    const future = Number(server.resourceVersion()) + 2;
    const watch = await startWatch(server.kubeconfig.config, `/api/v1/watch/namespaces/${ns}/configmaps`, {
      resourceVersion: String(future),
    });
    await put(ns, 'f1');
    await put(ns, 'f2');
    await put(ns, 'f3');
    await watch.log.until((l) => l.events.length >= 1, 'an event after the requested resourceVersion');
    assert.deepEqual(watch.log.names(), ['f3'], 'events up to the requested resourceVersion are not sent');
    watch.abort();
  });

  it('ends the stream at timeoutSeconds', async () => {
    const ns = await freshNamespace();
    const started = Date.now();
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), { timeoutSeconds: 1 });
    await watch.log.until((l) => l.ended, 'the stream to end', 3000);
    assert.equal(watch.log.endError, null);
    assert.ok(Date.now() - started >= 900);
  });

  it('survives a cut connection: a new watch from the last seen resourceVersion misses nothing', async () => {
    const ns = await freshNamespace();
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), {
      resourceVersion: server.resourceVersion(),
    });
    await put(ns, 'before-cut');
    await watch.log.until((l) => l.events.length === 1, 'the first event');
    assert.equal(server.activeWatches(), 1);
    server.cutWatches();
    await watch.log.until((l) => l.ended, 'the client to notice the cut');
    assert.equal(server.activeWatches(), 0);
    await put(ns, 'during-outage');
    const lastSeen = watch.log.events.at(-1)?.object.metadata.resourceVersion;
    const resumed = await startWatch(server.kubeconfig.config, PATH(ns), { resourceVersion: lastSeen });
    await resumed.log.until((l) => l.events.length === 1, 'the missed event');
    assert.deepEqual(resumed.log.names(), ['during-outage']);
    resumed.abort();
  });

  it('continues a watch from an old resourceVersion after a restart that kept the data', async () => {
    const ns = await freshNamespace();
    const kept = await put(ns, 'kept');
    await server.restart({ keepData: true });
    const read = await core.readNamespacedConfigMap({ name: 'kept', namespace: ns });
    assert.equal(read.metadata?.uid, kept.metadata?.uid);
    await put(ns, 'after-restart');
    const watch = await startWatch(server.kubeconfig.config, PATH(ns), {
      resourceVersion: kept.metadata?.resourceVersion ?? '',
    });
    await watch.log.until((l) => l.events.length === 1, 'the event after the restart');
    assert.deepEqual(watch.log.names('ADDED'), ['after-restart']);
    assert.ok(
      Number(watch.log.events[0]?.object.metadata.resourceVersion) > Number(kept.metadata?.resourceVersion),
    );
    watch.abort();
  });
});

describe('informer (makeInformer / ListWatch)', () => {
  it('lists, watches, and relists after a 410 on re-watch', async () => {
    const ns = await freshNamespace();
    await put(ns, 'pre');
    const log = new EventLog();
    const informer = makeInformer<KubernetesObject>(server.kubeconfig.config, PATH(ns), () =>
      core.listNamespacedConfigMap({ namespace: ns }),
    );
    for (const verb of ['add', 'update', 'delete'] as const) {
      informer.on(verb, (obj) => log.push({ type: verb, object: obj }));
    }
    await informer.start();
    await log.until((l) => l.names('add').includes('pre'), 'the listed object');
    await put(ns, 'watched');
    await log.until((l) => l.names('add').includes('watched'), 'the watched object');
    server.clearRequests();
    await put('default', `elsewhere-${ns}`);
    server.compact();
    server.endWatches();
    await put(ns, 'after-relist');
    await log.until((l) => l.names('add').includes('after-relist'), 'the object seen after the relist');
    const verbs = server
      .requests()
      .map((r) => r.verb)
      .filter((v) => v === 'watch' || v === 'list');
    assert.deepEqual(
      verbs.slice(0, 2),
      ['watch', 'list'],
      'the re-watch got a 410, so the informer listed again',
    );
    await informer.stop();
  });
});
