// CRUD through the real client: identity and system metadata, errors as Status bodies,
// selectors, paging at a consistent resourceVersion, optimistic concurrency, the patch formats,
// deletion with finalizers and namespace lifecycle.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { raw, rejection, startWatch } from './harness.js';
import { type ApiServer, startApiServer } from './server.js';

let server: ApiServer;
let core: CoreV1Api;

const cm = (
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = {},
): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

async function namespace(name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

before(async () => {
  server = await startApiServer();
  core = server.kubeconfig.config.makeApiClient(CoreV1Api);
});
after(() => server.stop());

describe('create, get and system metadata', () => {
  it('assigns uid, creationTimestamp and a fresh resourceVersion, and records managedFields', async () => {
    const before = Number(server.resourceVersion());
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: cm('first', {}, { a: '1' }),
    });
    assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(String(created.metadata?.creationTimestamp?.toISOString()), /^\d{4}-/);
    assert.ok(Number(created.metadata?.resourceVersion) > before);
    assert.equal(created.metadata?.generation, undefined, 'ConfigMaps carry no generation');
    assert.equal(created.metadata?.managedFields?.[0]?.operation, 'Update');
    const read = await core.readNamespacedConfigMap({ name: 'first', namespace: 'default' });
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.deepEqual(read.data, { a: '1' });
  });

  it('generates a name from generateName', async () => {
    const body = { metadata: { generateName: 'gen-' }, data: {} };
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body });
    assert.match(created.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
  });

  it('answers AlreadyExists, NotFound and a missing namespace with real Status bodies', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm('dup') });
    const exists = await rejection(
      core.createNamespacedConfigMap({ namespace: 'default', body: cm('dup') }),
      409,
    );
    assert.equal(exists.reason, 'AlreadyExists');
    assert.equal(exists.message, 'configmaps "dup" already exists');
    const missing = await rejection(
      core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }),
      404,
    );
    assert.equal(missing.message, 'configmaps "nope" not found');
    assert.deepEqual(missing.details, { name: 'nope', kind: 'configmaps' });
    const noNs = await rejection(core.createNamespacedConfigMap({ namespace: 'absent', body: cm('x') }), 404);
    assert.equal(noNs.message, 'namespaces "absent" not found');
  });

  it('rejects an unknown resource path with 404 and a wrong method with 405', async () => {
    assert.equal((await raw(server, 'GET', '/api/v1/namespaces/default/widgets')).status, 404);
    assert.equal((await raw(server, 'POST', '/api/v1/configmaps', cm('x'))).status, 405);
  });
});

describe('list', () => {
  before(async () => {
    await namespace('sel');
    const items: [string, Record<string, string>][] = [
      ['a', { app: 'web', tier: 'front' }],
      ['b', { app: 'web', tier: 'back' }],
      ['c', { app: 'db' }],
      ['d', {}],
    ];
    for (const [name, labels] of items)
      await core.createNamespacedConfigMap({ namespace: 'sel', body: cm(name, labels) });
  });

  const names = async (labelSelector?: string, fieldSelector?: string) => {
    const list = await core.listNamespacedConfigMap({ namespace: 'sel', labelSelector, fieldSelector });
    return list.items.map((i) => i.metadata?.name);
  };

  it('filters by every label selector operator', async () => {
    assert.deepEqual(await names('app=web'), ['a', 'b']);
    assert.deepEqual(await names('app==web,tier=back'), ['b']);
    assert.deepEqual(await names('app!=web'), ['c', 'd']);
    assert.deepEqual(await names('tier in (front, back)'), ['a', 'b']);
    assert.deepEqual(await names('app notin (web)'), ['c', 'd']);
    assert.deepEqual(await names('tier'), ['a', 'b']);
    assert.deepEqual(await names('!app'), ['d']);
  });

  it('filters by metadata.name and metadata.namespace field selectors', async () => {
    assert.deepEqual(await names(undefined, 'metadata.name=c'), ['c']);
    assert.deepEqual(await names(undefined, 'metadata.name!=c,metadata.namespace=sel'), ['a', 'b', 'd']);
    const bad = await rejection(
      core.listNamespacedConfigMap({ namespace: 'sel', fieldSelector: 'spec.x=1' }),
      400,
    );
    assert.equal(bad.reason, 'BadRequest');
  });

  it('lists across namespaces, and omits kind on the items of a built-in list as the real server does', async () => {
    const all = await raw(server, 'GET', '/api/v1/configmaps?labelSelector=app%3Dweb');
    const body = all.body as { kind: string; items: Record<string, unknown>[] };
    assert.equal(body.kind, 'ConfigMapList');
    assert.equal(body.items.length, 2);
    assert.equal(body.items[0]?.kind, undefined);
  });

  it('pages with limit/continue at the first page resourceVersion', async () => {
    const first = await core.listNamespacedConfigMap({ namespace: 'sel', limit: 3 });
    assert.deepEqual(
      first.items.map((i) => i.metadata?.name),
      ['a', 'b', 'c'],
    );
    assert.ok(first.metadata?._continue);
    assert.equal(first.metadata?.remainingItemCount, 1);
    await core.createNamespacedConfigMap({ namespace: 'sel', body: cm('e') });
    const second = await core.listNamespacedConfigMap({
      namespace: 'sel',
      limit: 3,
      _continue: first.metadata?._continue,
    });
    assert.deepEqual(
      second.items.map((i) => i.metadata?.name),
      ['d'],
      'an object created after the first page is not in the snapshot',
    );
    assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
    assert.equal(second.metadata?._continue, undefined);
    await core.deleteNamespacedConfigMap({ name: 'e', namespace: 'sel' });
  });

  it('serves an exact past resourceVersion, and 410 once it is compacted', async () => {
    const then = await core.listNamespacedConfigMap({ namespace: 'sel' });
    await core.createNamespacedConfigMap({ namespace: 'sel', body: cm('later') });
    const rv = then.metadata?.resourceVersion ?? '';
    const exact = await core.listNamespacedConfigMap({
      namespace: 'sel',
      resourceVersion: rv,
      resourceVersionMatch: 'Exact',
    });
    assert.equal(exact.metadata?.resourceVersion, rv);
    assert.ok(!exact.items.some((i) => i.metadata?.name === 'later'));
    server.compact();
    const gone = await rejection(
      core.listNamespacedConfigMap({ namespace: 'sel', resourceVersion: rv, resourceVersionMatch: 'Exact' }),
      410,
    );
    assert.equal(gone.reason, 'Expired');
    assert.equal(gone.message, 'The resourceVersion for the provided list is too old.');
  });
});

describe('update and patch', () => {
  it('rejects a stale resourceVersion with the real Conflict message', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: cm('occ', {}, { v: '1' }),
    });
    const fresh = await core.replaceNamespacedConfigMap({
      name: 'occ',
      namespace: 'default',
      body: { ...created, data: { v: '2' } },
    });
    assert.notEqual(fresh.metadata?.resourceVersion, created.metadata?.resourceVersion);
    const stale = await rejection(
      core.replaceNamespacedConfigMap({
        name: 'occ',
        namespace: 'default',
        body: { ...created, data: { v: '3' } },
      }),
      409,
    );
    assert.equal(stale.reason, 'Conflict');
    assert.equal(
      stale.message,
      'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('stores nothing for a write that changes nothing', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: cm('noop', {}, { v: '1' }),
    });
    const same = await core.replaceNamespacedConfigMap({ name: 'noop', namespace: 'default', body: created });
    assert.equal(same.metadata?.resourceVersion, created.metadata?.resourceVersion);
  });

  it('applies merge, JSON and strategic merge patches', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: cm('p', { keep: 'x' }, { a: '1', b: '2' }),
    });
    const target = { name: 'p', namespace: 'default' };
    const merged = await core.patchNamespacedConfigMap(
      { ...target, body: { data: { a: null, c: '3' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { b: '2', c: '3' });
    const json = await core.patchNamespacedConfigMap({
      ...target,
      body: [
        { op: 'test', path: '/data/b', value: '2' },
        { op: 'replace', path: '/data/b', value: '20' },
      ],
    });
    assert.deepEqual(json.data, { b: '20', c: '3' });
    const failedTest = await rejection(
      core.patchNamespacedConfigMap({ ...target, body: [{ op: 'test', path: '/data/b', value: 'nope' }] }),
      422,
    );
    assert.equal(failedTest.reason, 'Invalid');
    const smp = await core.patchNamespacedConfigMap(
      { ...target, body: { metadata: { labels: { added: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(smp.metadata?.labels, { keep: 'x', added: 'y' });
  });
});

describe('delete', () => {
  it('removes an object without finalizers and answers a Success Status', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: cm('bye') });
    const res = await raw(server, 'DELETE', '/api/v1/namespaces/default/configmaps/bye');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'bye', kind: 'configmaps', uid: created.metadata?.uid },
      code: 200,
    });
    await rejection(core.readNamespacedConfigMap({ name: 'bye', namespace: 'default' }), 404);
  });

  it('keeps an object with finalizers until the last one is removed', async () => {
    const body = { metadata: { name: 'held', finalizers: ['example.com/hold'] } };
    await core.createNamespacedConfigMap({ namespace: 'default', body });
    const marked = await raw(server, 'DELETE', '/api/v1/namespaces/default/configmaps/held', {
      propagationPolicy: 'Foreground',
    });
    assert.equal(marked.status, 200);
    const object = marked.body as V1ConfigMap;
    assert.ok(object.metadata?.deletionTimestamp, 'the answer is the object, now marked for deletion');
    const still = await core.readNamespacedConfigMap({ name: 'held', namespace: 'default' });
    assert.ok(still.metadata?.deletionTimestamp);
    const added = await rejection(
      core.patchNamespacedConfigMap(
        {
          name: 'held',
          namespace: 'default',
          body: { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
      422,
    );
    assert.match(added.message ?? '', /no new finalizers can be added if the object is being deleted/);
    await core.patchNamespacedConfigMap(
      { name: 'held', namespace: 'default', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await rejection(core.readNamespacedConfigMap({ name: 'held', namespace: 'default' }), 404);
  });

  it('deletes a namespace with its contents, refusing new content while it terminates', async () => {
    await namespace('doomed');
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: cm('inside') });
    const watch = await startWatch(server.kubeconfig.config, '/api/v1/namespaces', {
      fieldSelector: 'metadata.name=doomed',
    });
    const deleted = await core.deleteNamespace({ name: 'doomed' });
    assert.equal((deleted as { status?: { phase?: string } }).status?.phase, 'Terminating');
    await watch.log.until((l) => l.names('DELETED').includes('doomed'), 'the namespace DELETED event');
    watch.abort();
    await rejection(core.readNamespacedConfigMap({ name: 'inside', namespace: 'doomed' }), 404);
    await rejection(core.readNamespace({ name: 'doomed' }), 404);
  });

  it('refuses to create in a terminating namespace with 403', async () => {
    await namespace('closing');
    await core.createNamespacedConfigMap({
      namespace: 'closing',
      body: { metadata: { name: 'pin', finalizers: ['example.com/pin'] } },
    });
    await core.deleteNamespace({ name: 'closing' });
    const refused = await rejection(
      core.createNamespacedConfigMap({ namespace: 'closing', body: cm('new') }),
      403,
    );
    assert.equal(refused.reason, 'Forbidden');
    assert.match(
      refused.message ?? '',
      /unable to create new content in namespace closing because it is being terminated/,
    );
  });
});
