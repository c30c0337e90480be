// The Kubernetes status writer against the API server double: creates status through the status
// subresource, skips writes that change nothing, keeps lastTransitionTime, survives conflicts,
// leaves other controllers' route entries alone, removes its own stale ones, writes only for its
// own GatewayClasses, and only while leader.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { KubernetesProvider } from '../../src/provider/kubernetes/provider.js';
import { KubeRest, resourcePath } from '../../src/provider/kubernetes/rest.js';
import { kindInfo } from '../../src/resources/kinds.js';
import type {
  Condition,
  Gateway,
  GatewayClass,
  HTTPRoute,
  KubeObject,
  RouteParentStatus,
} from '../../src/resources/types.js';
import { KubernetesStatusWriter, type StatusObjectSource } from '../../src/status/kubernetes/writer.js';
import type { StatusUpdate } from '../../src/translator/types.js';
import type { ApiServer } from '../apiserver/index.js';
import {
  gateway,
  gatewayClass,
  httpRoute,
  OURS,
  SnapshotRecorder,
  startCluster,
  Writer,
  waitFor,
} from './kube-fixtures.js';

const OTHER = 'example.com/other-controller';
let api: ApiServer;
let provider: KubernetesProvider;
let rest: KubeRest;
let writer: KubernetesStatusWriter;
let clock = '2025-01-01T00:00:01Z';

const cond = (type: string, status: 'True' | 'False' = 'True', message = ''): Condition => ({
  type,
  status,
  reason: status === 'True' ? type : 'Invalid',
  message,
  observedGeneration: 1,
});

const parentEntry = (gw: string, controllerName: string, conditions: Condition[]): RouteParentStatus => ({
  parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw },
  controllerName,
  conditions,
});

const path = (kind: string, namespace: string | undefined, name: string) =>
  resourcePath(kindInfo(kind)!, namespace, name);

async function get<T extends KubeObject>(
  kind: string,
  namespace: string | undefined,
  name: string,
): Promise<T> {
  return rest.get<T>(path(kind, namespace, name));
}

async function writeStatusAs(kind: string, namespace: string, name: string, status: unknown): Promise<void> {
  await rest.patch(`${path(kind, namespace, name)}/status`, { status });
}

/** Waits until the provider's store has caught up with the server's version of the object. */
async function storeCaughtUp(kind: string, namespace: string | undefined, name: string): Promise<void> {
  const live = await get(kind, namespace, name);
  const key = namespace ? `${namespace}/${name}` : name;
  await waitFor(
    () => provider.store.get(kind, key)?.metadata.resourceVersion === live.metadata.resourceVersion,
    `store has ${kind} ${key}`,
  );
}

const writes = () => api.requests().filter((r) => r.method === 'PATCH' || r.method === 'PUT');

function statuses(gatewayConditions = [cond('Accepted'), cond('Programmed')]): StatusUpdate[] {
  return [
    { kind: 'GatewayClass', name: 'gatehouse', generation: 1, status: { conditions: [cond('Accepted')] } },
    { kind: 'GatewayClass', name: 'other', generation: 1, status: { conditions: [cond('Accepted')] } },
    {
      kind: 'Gateway',
      namespace: 'default',
      name: 'gw',
      generation: 1,
      status: {
        conditions: gatewayConditions,
        listeners: [
          {
            name: 'http',
            attachedRoutes: 1,
            supportedKinds: [{ kind: 'HTTPRoute' }],
            conditions: [cond('Accepted')],
          },
        ],
      },
    },
    {
      kind: 'Gateway',
      namespace: 'default',
      name: 'foreign',
      generation: 1,
      status: { conditions: [cond('Accepted')] },
    },
    {
      kind: 'HTTPRoute',
      namespace: 'default',
      name: 'r1',
      generation: 1,
      status: { parents: [parentEntry('gw', OURS, [cond('Accepted'), cond('ResolvedRefs')])] },
    },
  ];
}

before(async () => {
  api = await startCluster();
  rest = new KubeRest(api.kubeconfig.config);
  const client = new Writer(api);
  await client.create(gatewayClass('gatehouse'));
  await client.create(gatewayClass('other', OTHER));
  await client.create(gateway('default', 'gw'));
  await client.create(gateway('default', 'foreign', 'other'));
  await client.create(httpRoute('default', 'r1', [{ name: 'gw' }, { name: 'foreign' }]));
  await client.create(httpRoute('default', 'r2', [{ name: 'foreign' }]));
  // r1: the other controller has its entry; r2: a leftover entry of ours for a parent it dropped.
  await writeStatusAs('HTTPRoute', 'default', 'r1', {
    parents: [parentEntry('foreign', OTHER, [cond('Accepted')])],
  });
  await writeStatusAs('HTTPRoute', 'default', 'r2', {
    parents: [parentEntry('foreign', OTHER, [cond('Accepted')]), parentEntry('gw', OURS, [cond('Accepted')])],
  });
  const recorder = new SnapshotRecorder();
  provider = new KubernetesProvider({ kubeConfig: api.kubeconfig.config, onSnapshot: recorder.handler });
  provider.start();
  await provider.waitForSync();
  await storeCaughtUp('HTTPRoute', 'default', 'r2');
  writer = new KubernetesStatusWriter({
    kubeConfig: api.kubeconfig.config,
    controllerName: OURS,
    now: () => clock,
    retryInitialMs: 10,
  });
  writer.setLeader(true);
});

after(async () => {
  await provider.stop();
  await api.stop();
});

beforeEach(() => api.clearRequests());

describe('status writer', () => {
  it('creates status for our class, Gateway and route; nothing for another class', async () => {
    await writer.write(statuses(), provider.store);
    const cls = await get<GatewayClass>('GatewayClass', undefined, 'gatehouse');
    assert.equal(cls.status?.conditions?.find((c) => c.type === 'Accepted')?.lastTransitionTime, clock);
    const gw = await get<Gateway>('Gateway', 'default', 'gw');
    assert.equal(gw.status?.listeners?.[0]?.attachedRoutes, 1);
    assert.deepEqual(gw.status?.conditions?.map((c) => c.type).sort(), ['Accepted', 'Programmed']);
    const written = writes().map((r) => r.path);
    assert.ok(
      written.every((p) => p.endsWith('/status')),
      'only the status subresource is written',
    );
    assert.ok(!written.some((p) => p.includes('/other') || p.includes('/foreign')), written.join());
    const other = await get<GatewayClass>('GatewayClass', undefined, 'other');
    assert.ok(!(other.status?.conditions ?? []).some((c) => c.lastTransitionTime === clock));
  });

  it('never touches another controller’s route entries and removes its own stale ones', async () => {
    const r1 = await get<HTTPRoute>('HTTPRoute', 'default', 'r1');
    assert.deepEqual(
      r1.status?.parents.map((p) => `${p.controllerName} ${p.parentRef.name}`),
      [`${OTHER} foreign`, `${OURS} gw`],
    );
    assert.equal(
      r1.status?.parents[0]?.conditions[0]?.lastTransitionTime,
      undefined,
      'their entry as they wrote it',
    );
    const r2 = await get<HTTPRoute>('HTTPRoute', 'default', 'r2');
    assert.deepEqual(
      r2.status?.parents.map((p) => p.controllerName),
      [OTHER],
    );
  });

  it('skips writes that would change nothing (no request at all)', async () => {
    for (const [kind, name] of [
      ['GatewayClass', 'gatehouse'],
      ['Gateway', 'gw'],
      ['HTTPRoute', 'r1'],
      ['HTTPRoute', 'r2'],
    ]) {
      await storeCaughtUp(kind!, kind === 'GatewayClass' ? undefined : 'default', name!);
    }
    api.clearRequests();
    clock = '2025-01-01T00:00:02Z';
    const unchanged = writer.stats.unchanged;
    await writer.write(statuses(), provider.store);
    assert.deepEqual(writes(), []);
    assert.equal(writer.stats.unchanged - unchanged, 3);
  });

  it('keeps lastTransitionTime while a condition’s status holds and moves it when it flips', async () => {
    clock = '2025-01-01T00:00:03Z';
    await writer.write(statuses([cond('Accepted', 'True', 'reworded'), cond('Programmed')]), provider.store);
    let gw = await get<Gateway>('Gateway', 'default', 'gw');
    let accepted = gw.status?.conditions?.find((c) => c.type === 'Accepted');
    assert.equal(accepted?.message, 'reworded');
    assert.equal(accepted?.lastTransitionTime, '2025-01-01T00:00:01Z');
    clock = '2025-01-01T00:00:04Z';
    await writer.write(statuses([cond('Accepted', 'False', 'broken'), cond('Programmed')]), provider.store);
    gw = await get<Gateway>('Gateway', 'default', 'gw');
    accepted = gw.status?.conditions?.find((c) => c.type === 'Accepted');
    assert.equal(accepted?.lastTransitionTime, '2025-01-01T00:00:04Z');
    const programmed = gw.status?.conditions?.find((c) => c.type === 'Programmed');
    assert.equal(programmed?.lastTransitionTime, '2025-01-01T00:00:01Z');
  });

  it('retries an injected 409 after re-reading the object', async () => {
    api.failNext({ verb: 'patch', resource: 'gateways/status', status: 409 });
    const conflicts = writer.stats.conflicts;
    await writer.write(
      statuses([cond('Accepted', 'True', 'after conflict'), cond('Programmed')]),
      provider.store,
    );
    assert.equal(writer.stats.conflicts - conflicts, 1);
    const log = api.requests().filter((r) => r.resource === 'gateways' || r.resource === 'gateways/status');
    assert.deepEqual(
      log.map((r) => `${r.method} ${r.status}`),
      ['PATCH 409', 'GET 200', 'PATCH 200'],
    );
    const gw = await get<Gateway>('Gateway', 'default', 'gw');
    assert.equal(gw.status?.conditions?.find((c) => c.type === 'Accepted')?.message, 'after conflict');
  });

  it('a real conflict (a stale object) is resolved against the fresh one', async () => {
    const stale = await get<Gateway>('Gateway', 'default', 'gw');
    await writeStatusAs('Gateway', 'default', 'gw', {
      ...stale.status,
      addresses: [{ type: 'IPAddress', value: '10.0.0.9' }],
    });
    const staleSource: StatusObjectSource = {
      get: (kind, key) =>
        kind === 'Gateway' && key === 'default/gw' ? stale : provider.store.get(kind, key),
      list: (kind) => provider.store.list(kind),
    };
    api.clearRequests();
    await writer.write(statuses([cond('Accepted', 'True', 'fresh'), cond('Programmed')]), staleSource);
    const gw = await get<Gateway>('Gateway', 'default', 'gw');
    assert.equal(gw.status?.conditions?.find((c) => c.type === 'Accepted')?.message, 'fresh');
    assert.deepEqual(
      gw.status?.addresses,
      [{ type: 'IPAddress', value: '10.0.0.9' }],
      'the concurrent write survives',
    );
    assert.ok(api.requests().some((r) => r.resource === 'gateways/status' && r.status === 409));
  });

  it('writes only as leader, and re-sends the latest statuses on becoming leader', async () => {
    writer.setLeader(false);
    api.clearRequests();
    await writer.write(
      statuses([cond('Accepted', 'True', 'while follower'), cond('Programmed')]),
      provider.store,
    );
    assert.deepEqual(writes(), []);
    writer.setLeader(true);
    await writer.idle();
    const gw = await get<Gateway>('Gateway', 'default', 'gw');
    assert.equal(gw.status?.conditions?.find((c) => c.type === 'Accepted')?.message, 'while follower');
  });
});
