// Built-in status subresource and generation rules (Deployment), and server-side apply through
// KubernetesObjectApi: create-or-merge, field ownership, conflicts with other managers, force,
// and removal of fields a manager stops applying.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AppsV1Api,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { raw, rejection } from './harness.js';
import { type ApiServer, startApiServer } from './server.js';

let server: ApiServer;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;

const deployment = (name: string, replicas = 1): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'proxy:1' }] },
    },
  },
});

type Cm = KubernetesObject & { data?: Record<string, string> };

const applyCm = (
  manager: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
  force?: boolean,
) => {
  const body: Cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ssa', namespace: 'default', labels },
    data,
  };
  return objects.patch(
    body,
    undefined,
    undefined,
    manager,
    force,
    PatchStrategy.ServerSideApply,
  ) as Promise<Cm>;
};

before(async () => {
  server = await startApiServer();
  apps = server.kubeconfig.config.makeApiClient(AppsV1Api);
  objects = KubernetesObjectApi.makeApiClient(server.kubeconfig.config);
});
after(() => server.stop());

describe('status subresource and generation (Deployment)', () => {
  it('bumps generation on spec changes only, and isolates status writes', async () => {
    const created = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { ...deployment('d1'), status: { replicas: 9 } },
    });
    assert.equal(created.metadata?.generation, 1);
    assert.deepEqual({ ...created.status }, {}, 'status is reset on create');
    const scaled = await apps.replaceNamespacedDeployment({
      name: 'd1',
      namespace: 'default',
      body: { ...created, spec: { ...created.spec!, replicas: 3 } },
    });
    assert.equal(scaled.metadata?.generation, 2);
    const labelled = await apps.patchNamespacedDeployment(
      { name: 'd1', namespace: 'default', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(labelled.metadata?.generation, 2);
    const status = await apps.replaceNamespacedDeploymentStatus({
      name: 'd1',
      namespace: 'default',
      body: {
        ...labelled,
        spec: { ...labelled.spec!, replicas: 7 },
        status: { replicas: 3, observedGeneration: 2 },
      },
    });
    assert.equal(status.spec?.replicas, 3, 'a status write ignores spec');
    assert.equal(status.status?.observedGeneration, 2);
    assert.equal(status.metadata?.generation, 2);
    assert.notEqual(status.metadata?.resourceVersion, labelled.metadata?.resourceVersion);
    const ignored = await apps.replaceNamespacedDeployment({
      name: 'd1',
      namespace: 'default',
      body: { ...status, status: { replicas: 100 } },
    });
    assert.equal(ignored.status?.replicas, 3, 'the main resource ignores status');
    assert.equal(
      ignored.metadata?.resourceVersion,
      status.metadata?.resourceVersion,
      'so nothing was written',
    );
  });

  it('bumps generation when a deletion is requested on an object with finalizers', async () => {
    const body = { ...deployment('d2'), metadata: { name: 'd2', finalizers: ['example.com/keep'] } };
    await apps.createNamespacedDeployment({ namespace: 'default', body });
    await apps.deleteNamespacedDeployment({ name: 'd2', namespace: 'default' });
    const marked = await apps.readNamespacedDeployment({ name: 'd2', namespace: 'default' });
    assert.equal(marked.metadata?.generation, 2);
    assert.ok(marked.metadata?.deletionTimestamp);
  });
});

describe('server-side apply', () => {
  it('creates, then merges, recording an Apply entry per manager', async () => {
    const created = await applyCm('alpha', { a: '1' });
    assert.deepEqual(created.data, { a: '1' });
    const res = await raw(server, 'GET', '/api/v1/namespaces/default/configmaps/ssa');
    const entries = (res.body as Cm).metadata?.managedFields ?? [];
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation]),
      [['alpha', 'Apply']],
    );
    assert.deepEqual(entries[0]?.fieldsV1, { 'f:data': { 'f:a': {} } });
    const merged = await applyCm('beta', { b: '2' });
    assert.deepEqual(merged.data, { a: '1', b: '2' });
  });

  it('conflicts when another manager owns a field it would change, unless forced', async () => {
    const conflict = await rejection(applyCm('beta', { a: 'changed' }), 409);
    assert.equal(conflict.reason, 'Conflict');
    assert.match(
      conflict.message ?? '',
      /^Apply failed with 1 conflict: conflict with "alpha" using v1: \.data\.a$/,
    );
    assert.deepEqual(conflict.details?.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "alpha" using v1', field: '.data.a' },
    ]);
    const forced = await applyCm('beta', { a: 'changed', b: '2' }, undefined, true);
    assert.equal(forced.data?.a, 'changed');
    const after = await raw(server, 'GET', '/api/v1/namespaces/default/configmaps/ssa');
    const alpha = (after.body as Cm).metadata?.managedFields?.find((e) => e.manager === 'alpha');
    assert.equal(alpha, undefined, 'alpha lost its only field to the forced apply');
  });

  it('removes fields a manager no longer applies when nobody else owns them', async () => {
    await applyCm('gamma', { g: '1' }, { owned: 'gamma' });
    const without = await applyCm('gamma', {});
    assert.equal(without.data?.g, undefined);
    assert.equal(without.metadata?.labels?.owned, undefined);
    assert.equal(without.data?.a, 'changed', "other managers' fields stay");
  });

  it('requires a fieldManager for apply, as the real PatchOptions validation does', async () => {
    const res = await raw(
      server,
      'PATCH',
      '/api/v1/namespaces/default/configmaps/ssa',
      { apiVersion: 'v1', kind: 'ConfigMap' },
      PatchStrategy.ServerSideApply,
    );
    assert.equal(res.status, 422);
    assert.equal(
      (res.body as { message: string }).message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it('applies to the status subresource without touching the spec', async () => {
    await objects.patch(
      deployment('d3', 2) as KubernetesObject,
      undefined,
      undefined,
      'ctl',
      true,
      PatchStrategy.ServerSideApply,
    );
    const res = await raw(
      server,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/d3/status?fieldManager=ctl-status&force=true',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd3' },
        spec: { replicas: 9 },
        status: { readyReplicas: 2 },
      },
      PatchStrategy.ServerSideApply,
    );
    assert.equal(res.status, 200);
    const body = res.body as V1Deployment;
    assert.equal(body.status?.readyReplicas, 2);
    assert.equal(body.spec?.replicas, 2);
    const entry = body.metadata?.managedFields?.find((e) => e.manager === 'ctl-status');
    assert.equal(entry?.subresource, 'status');
  });
});
