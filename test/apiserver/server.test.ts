// The server itself: discovery documents and built-in plural resolution by KubernetesObjectApi,
// the test controls (fault injection, request log, restart without data), bearer-token auth,
// and HTTPS where the client must verify the server certificate against the configured CA.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1Lease,
} from '@kubernetes/client-node';
import { raw, rejection } from './harness.js';
import { kubeConfigFor } from './kubeconfig.js';
import { type ApiServer, startApiServer } from './server.js';
import { createCertificateAuthority } from './tls.js';

describe('discovery', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.stop());

  it('serves /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>, /version and /healthz', async () => {
    const api = (await raw(server, 'GET', '/api')).body as { kind: string; versions: string[] };
    assert.deepEqual([api.kind, api.versions], ['APIVersions', ['v1']]);
    const v1 = (await raw(server, 'GET', '/api/v1')).body as { resources: Record<string, unknown>[] };
    const namespaces = v1.resources.find((r) => r.name === 'namespaces');
    assert.deepEqual(
      { namespaced: namespaces?.namespaced, kind: namespaces?.kind, singularName: namespaces?.singularName },
      { namespaced: false, kind: 'Namespace', singularName: 'namespace' },
    );
    assert.ok(v1.resources.some((r) => r.name === 'services/status'));
    const groups = (await raw(server, 'GET', '/apis')).body as { groups: { name: string }[] };
    for (const group of [
      'apps',
      'coordination.k8s.io',
      'discovery.k8s.io',
      'rbac.authorization.k8s.io',
      'apiextensions.k8s.io',
    ]) {
      assert.ok(
        groups.groups.some((g) => g.name === group),
        group,
      );
    }
    const coordination = (await raw(server, 'GET', '/apis/coordination.k8s.io')).body as {
      kind: string;
      preferredVersion: unknown;
    };
    assert.deepEqual(coordination.preferredVersion, {
      groupVersion: 'coordination.k8s.io/v1',
      version: 'v1',
    });
    const leases = (await raw(server, 'GET', '/apis/coordination.k8s.io/v1')).body as {
      resources: { verbs: string[] }[];
    };
    assert.ok(leases.resources[0]?.verbs.includes('watch'));
    assert.equal((await raw(server, 'GET', '/apis/nope.example.com')).status, 404);
    assert.match(
      ((await raw(server, 'GET', '/version')).body as { gitVersion: string }).gitVersion,
      /^v1\.\d+\.\d+$/,
    );
    assert.equal((await raw(server, 'GET', '/healthz')).body, 'ok');
  });

  it('lets KubernetesObjectApi resolve a built-in kind to its resource path', async () => {
    const objects = KubernetesObjectApi.makeApiClient(server.kubeconfig.config);
    const lease: KubernetesObject & { spec: unknown } = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'leader', namespace: 'default' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15 },
    };
    await objects.create(lease);
    const paths = server.requests().map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.includes('GET /apis/coordination.k8s.io/v1'));
    assert.ok(paths.includes('POST /apis/coordination.k8s.io/v1/namespaces/default/leases'));
  });
});

describe('test controls', () => {
  let server: ApiServer;
  let core: CoreV1Api;
  before(async () => {
    server = await startApiServer();
    core = server.kubeconfig.config.makeApiClient(CoreV1Api);
  });
  after(() => server.stop());

  it('fails the next matching requests with the injected status, then recovers', async () => {
    server.failNext({ verb: 'list', resource: 'configmaps', status: 503, times: 2 });
    for (let i = 0; i < 2; i++) {
      const status = await rejection(core.listNamespacedConfigMap({ namespace: 'default' }), 503);
      assert.equal(status.reason, 'ServiceUnavailable');
    }
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    assert.equal(list.kind, 'ConfigMapList');
    server.failNext({ verb: 'update', resource: 'leases.coordination.k8s.io', status: 409 });
    const coordination = server.kubeconfig.config.makeApiClient(CoordinationV1Api);
    const lease: V1Lease = await coordination.createNamespacedLease({
      namespace: 'default',
      body: { metadata: { name: 'l' }, spec: {} },
    });
    await rejection(
      coordination.replaceNamespacedLease({ name: 'l', namespace: 'default', body: lease }),
      409,
    );
  });

  it('logs method, path, query and body of every request', async () => {
    server.clearRequests();
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'logged' }, data: { k: 'v' } },
    });
    await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'a=b' });
    const [create, list] = server.requests();
    assert.equal(create?.method, 'POST');
    assert.equal(create?.verb, 'create');
    assert.deepEqual((create?.body as { data?: unknown } | undefined)?.data, { k: 'v' });
    assert.equal(list?.path, '/api/v1/namespaces/default/configmaps');
    assert.deepEqual(list?.query, { labelSelector: 'a=b' });
    assert.equal(list?.status, 200);
  });

  it('restarts empty on the same port unless asked to keep the data', async () => {
    const port = server.port;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'ephemeral' } } });
    const rvBefore = Number(server.resourceVersion());
    await server.restart();
    assert.equal(server.port, port);
    assert.ok(Number(server.resourceVersion()) < rvBefore, 'a fresh store starts its revisions again');
    await rejection(core.readNamespacedConfigMap({ name: 'ephemeral', namespace: 'default' }), 404);
    assert.ok(
      server
        .objects()
        .get('/namespaces')
        ?.some((ns) => ns.metadata.name === 'default'),
    );
  });
});

describe('authentication and TLS', () => {
  it('requires the bearer token when one is configured', async () => {
    const server = await startApiServer({ token: 'sekret' });
    try {
      assert.equal((await raw(server, 'GET', '/api/v1/namespaces')).status, 401);
      const core = server.kubeconfig.config.makeApiClient(CoreV1Api);
      const list = await core.listNamespace();
      assert.ok(list.items.length >= 4);
      assert.match(server.kubeconfig.yaml, /token: sekret/);
    } finally {
      await server.stop();
    }
  });

  it('is trusted with the right CA and refused with a wrong one', async () => {
    const server = await startApiServer({ tls: true });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const fromYaml = new KubeConfig();
      fromYaml.loadFromString(server.kubeconfig.yaml);
      assert.equal(fromYaml.getCurrentCluster()?.skipTLSVerify, false);
      const list = await fromYaml.makeApiClient(CoreV1Api).listNamespace();
      assert.ok(list.items.some((ns) => ns.metadata?.name === 'default'));
      const wrongCa = await createCertificateAuthority('someone-else');
      const untrusted = kubeConfigFor({ server: server.url, caPem: wrongCa.certPem }).makeApiClient(
        CoreV1Api,
      );
      await assert.rejects(untrusted.listNamespace(), (err: Error & { code?: string }) => {
        const text = `${err.message} ${err.code ?? ''} ${String((err as { cause?: unknown }).cause ?? '')}`;
        return /certificate|self[- ]signed|UNABLE_TO_VERIFY|unable to verify/i.test(text);
      });
    } finally {
      await server.stop();
    }
  });
});
