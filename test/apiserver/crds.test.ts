// CustomResourceDefinitions: installing the real Gateway API CRDs makes their kinds servable
// (discovery, CustomObjectsApi, KubernetesObjectApi by kind), custom resources follow the
// generation and status-subresource rules, and deleting a CRD removes its instances and stops
// serving it.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { raw, rejection, startWatch } from './harness.js';
import { type ApiServer, startApiServer } from './server.js';

const GROUP = 'gateway.networking.k8s.io';
const SHARED_CRDS = new URL('../../../crds/standard/', import.meta.url);

let server: ApiServer;
let crds: ApiextensionsV1Api;
let custom: CustomObjectsApi;

async function loadCrd(file: string): Promise<V1CustomResourceDefinition> {
  return parse(await readFile(new URL(file, SHARED_CRDS), 'utf8')) as V1CustomResourceDefinition;
}

/** Creates a CRD and waits for its Established condition, as a controller would. */
async function install(crd: V1CustomResourceDefinition): Promise<void> {
  const name = crd.metadata?.name ?? '';
  const watch = await startWatch(
    server.kubeconfig.config,
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    {
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: server.resourceVersion(),
    },
  );
  await crds.createCustomResourceDefinition({ body: crd });
  await watch.log.until(
    (l) =>
      l.events.some((e) =>
        e.object.status?.conditions?.some(
          (c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True',
        ),
      ),
    `${name} to be Established`,
  );
  watch.abort();
}

const gateway = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'Gateway',
  metadata: { name, namespace: 'default' },
  spec: { gatewayClassName: 'gatehouse', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], ...spec },
});

const gw = { group: GROUP, version: 'v1', namespace: 'default', plural: 'gateways' };

before(async () => {
  server = await startApiServer();
  crds = server.kubeconfig.config.makeApiClient(ApiextensionsV1Api);
  custom = server.kubeconfig.config.makeApiClient(CustomObjectsApi);
  await install(await loadCrd('gateway.networking.k8s.io_gateways.yaml'));
  await install(await loadCrd('gateway.networking.k8s.io_gatewayclasses.yaml'));
});
after(() => server.stop());

describe('custom resources', () => {
  it('serves the CRD group in discovery with scope, kind and the status subresource', async () => {
    const groups = (await raw(server, 'GET', '/apis')).body as {
      groups: { name: string; preferredVersion: { version: string } }[];
    };
    const entry = groups.groups.find((g) => g.name === GROUP);
    assert.equal(entry?.preferredVersion.version, 'v1');
    const list = (await raw(server, 'GET', `/apis/${GROUP}/v1`)).body as {
      resources: Record<string, unknown>[];
    };
    const names = list.resources.map((r) => r.name);
    assert.ok(names.indexOf('gateways') < names.indexOf('gateways/status'));
    const classes = list.resources.find((r) => r.name === 'gatewayclasses');
    assert.equal(classes?.namespaced, false);
    assert.equal(classes?.kind, 'GatewayClass');
  });

  it('creates, reads and lists through CustomObjectsApi, with generation on spec changes only', async () => {
    const created = (await custom.createNamespacedCustomObject({
      ...gw,
      body: { ...gateway('g1'), status: { x: 1 } },
    })) as ReturnType<typeof gateway> & {
      metadata: { generation: number; resourceVersion: string };
      status?: unknown;
    };
    assert.equal(created.metadata.generation, 1);
    assert.equal(
      created.status,
      undefined,
      'status is dropped on create when the CRD has a status subresource',
    );
    const labelled = (await custom.patchNamespacedCustomObject(
      { ...gw, name: 'g1', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number } };
    assert.equal(labelled.metadata.generation, 1, 'a metadata-only change keeps the generation');
    const respec = (await custom.patchNamespacedCustomObject(
      { ...gw, name: 'g1', body: { spec: { gatewayClassName: 'other' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number } };
    assert.equal(respec.metadata.generation, 2);
    const list = (await custom.listNamespacedCustomObject(gw)) as { kind: string; items: { kind: string }[] };
    assert.equal(list.kind, 'GatewayList');
    assert.equal(list.items[0]?.kind, 'Gateway', 'custom resource list items keep their kind');
  });

  it('isolates the status subresource: status writes keep generation and ignore everything else', async () => {
    await custom.createNamespacedCustomObject({ ...gw, body: gateway('g2') });
    const status = {
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: '',
          lastTransitionTime: '2024-01-01T00:00:00Z',
          observedGeneration: 1,
        },
      ],
    };
    const written = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...gw,
        name: 'g2',
        body: { status, spec: { gatewayClassName: 'ignored' }, metadata: { labels: { ignored: 'yes' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as {
      metadata: { generation: number; labels?: unknown };
      spec: { gatewayClassName: string };
      status: unknown;
    };
    assert.deepEqual(written.status, status);
    assert.equal(written.spec.gatewayClassName, 'gatehouse');
    assert.equal(written.metadata.labels, undefined);
    assert.equal(written.metadata.generation, 1);
    const mainWrite = (await custom.patchNamespacedCustomObject(
      { ...gw, name: 'g2', body: { status: { conditions: [] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { status: unknown; metadata: { resourceVersion: string } };
    assert.deepEqual(mainWrite.status, status, 'the main resource ignores status changes');
    const entries =
      (mainWrite as { metadata: { managedFields?: { subresource?: string }[] } }).metadata.managedFields ??
      [];
    assert.ok(entries.some((e) => e.subresource === 'status'));
  });

  it('requires a resourceVersion on PUT and refuses strategic merge patch, as for real custom resources', async () => {
    await custom.createNamespacedCustomObject({ ...gw, body: gateway('g3') });
    const put = await rejection(
      custom.replaceNamespacedCustomObject({ ...gw, name: 'g3', body: gateway('g3') }),
      422,
    );
    assert.equal(
      put.message,
      'Gateway.gateway.networking.k8s.io "g3" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
    const smp = await raw(
      server,
      'PATCH',
      `/apis/${GROUP}/v1/namespaces/default/gateways/g3`,
      { spec: {} },
      PatchStrategy.StrategicMergePatch,
    );
    assert.equal(smp.status, 415);
  });

  it('lets KubernetesObjectApi find the plural through discovery', async () => {
    const objects = KubernetesObjectApi.makeApiClient(server.kubeconfig.config);
    const body: KubernetesObject & { spec: unknown } = {
      apiVersion: `${GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: 'gatehouse' },
      spec: { controllerName: 'example.com/gatehouse' },
    };
    const created = await objects.create(body);
    assert.equal(created.metadata?.name, 'gatehouse');
    const read = await objects.read({
      apiVersion: `${GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: 'gatehouse' },
    });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    assert.ok(
      server.requests().some((r) => r.path === `/apis/${GROUP}/v1`),
      'the client asked discovery for the plural',
    );
  });

  it('deletes the instances with the CRD and stops serving it', async () => {
    const crd = await loadCrd('gateway.networking.k8s.io_httproutes.yaml');
    await install(crd);
    const routes = { group: GROUP, version: 'v1', namespace: 'default', plural: 'httproutes' };
    await custom.createNamespacedCustomObject({
      ...routes,
      body: { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name: 'r' }, spec: {} },
    });
    const watch = await startWatch(
      server.kubeconfig.config,
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        fieldSelector: `metadata.name=${crd.metadata?.name}`,
        resourceVersion: server.resourceVersion(),
      },
    );
    await crds.deleteCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    await watch.log.until((l) => l.events.some((e) => e.type === 'DELETED'), 'the CRD to be gone');
    watch.abort();
    assert.equal((await raw(server, 'GET', `/apis/${GROUP}/v1/namespaces/default/httproutes`)).status, 404);
    assert.equal(server.objects().get(`${GROUP}/httproutes`)?.length ?? 0, 0);
  });

  it('rejects a CRD whose name is not <plural>.<group>', async () => {
    const crd = await loadCrd('gateway.networking.k8s.io_grpcroutes.yaml');
    crd.metadata = { name: 'wrong.example.com' };
    const status = await rejection(crds.createCustomResourceDefinition({ body: crd }), 422);
    assert.match(
      status.message ?? '',
      /metadata.name: Invalid value: "wrong.example.com": must be spec.names.plural\+"."\+spec.group/,
    );
  });
});
