import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  BackendTLSPolicy,
  ConfigMap,
  EndpointSlice,
  Gateway,
  HTTPRoute,
  KubeObject,
  Namespace,
  Secret,
  Service,
} from '../../resources/types.js';
import { isRelevantChange } from './relevance.js';
import { ResourceStore } from './store.js';

function gateway(certs: { name: string; namespace?: string }[]): Gateway {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'infra', generation: 1, resourceVersion: '1' },
    spec: {
      gatewayClassName: 'gatehouse',
      listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: certs } }],
    },
  };
}

function route(backends: { name: string; namespace?: string }[]): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'apps', generation: 1, resourceVersion: '1' },
    spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: backends }] },
  };
}

const secret = (name: string, ns: string, data: string): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: ns, resourceVersion: data },
  data: { 'tls.crt': data },
});

const service = (name: string, ns: string, port: number): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, resourceVersion: String(port) },
  spec: { ports: [{ port }] },
});

const slice = (name: string, ns: string, svc: string, ip: string): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': svc }, resourceVersion: ip },
  addressType: 'IPv4',
  endpoints: [{ addresses: [ip] }],
});

/** Stores `after` (or removes `before`) and asks whether that change is relevant. */
function change(
  store: ResourceStore,
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): boolean {
  const sample = (after ?? before)!;
  if (after) store.upsert(after);
  else store.remove(sample.kind, `${sample.metadata.namespace}/${sample.metadata.name}`);
  return isRelevantChange(store, sample.kind, before, after);
}

test('a Secret matters only while a Gateway references it, including before it exists', () => {
  const store = new ResourceStore();
  store.upsert(gateway([{ name: 'cert' }]));
  assert.equal(change(store, undefined, secret('other', 'infra', 'a')), false);
  assert.equal(change(store, secret('other', 'infra', 'a'), secret('other', 'infra', 'b')), false);
  assert.equal(
    change(store, undefined, secret('cert', 'infra', 'a')),
    true,
    'late-created referenced secret',
  );
  assert.equal(change(store, secret('cert', 'infra', 'a'), secret('cert', 'infra', 'b')), true);
  assert.equal(change(store, secret('cert', 'infra', 'b'), undefined), true);
});

test('a re-sent object with identical content is not a change', () => {
  const store = new ResourceStore();
  store.upsert(gateway([{ name: 'cert' }]));
  const a = secret('cert', 'infra', 'a');
  assert.equal(change(store, a, { ...a, metadata: { ...a.metadata, resourceVersion: '99' } }), false);
});

test('Services (also cross-namespace) and their EndpointSlices matter only when a route references them', () => {
  const store = new ResourceStore();
  store.upsert(route([{ name: 'web' }, { name: 'db', namespace: 'data' }]));
  assert.equal(change(store, undefined, service('web', 'apps', 80)), true);
  assert.equal(change(store, undefined, service('db', 'data', 5432)), true);
  assert.equal(change(store, undefined, service('unused', 'apps', 80)), false);
  assert.equal(change(store, undefined, slice('web-1', 'apps', 'web', '10.0.0.1')), true);
  assert.equal(change(store, undefined, slice('unused-1', 'apps', 'unused', '10.0.0.2')), false);
  assert.equal(
    change(store, slice('web-1', 'apps', 'web', '10.0.0.1'), slice('web-1', 'apps', 'unused', '10.0.0.1')),
    true,
    'moved away from a referenced service',
  );
  assert.deepEqual(
    store.endpointSlicesFor('apps', 'unused').map((s) => s.metadata.name),
    ['unused-1', 'web-1'],
  );
});

test('ReferenceGrants matter only in namespaces a reference crosses into', () => {
  const store = new ResourceStore();
  store.upsert(route([{ name: 'db', namespace: 'data' }]));
  const grant = (ns: string): KubeObject =>
    ({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'g', namespace: ns },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }],
        to: [{ group: '', kind: 'Service' }],
      },
    }) as KubeObject;
  assert.equal(change(store, undefined, grant('data')), true);
  assert.equal(change(store, undefined, grant('elsewhere')), false);
});

test('Namespace label changes matter only for namespaces holding Gateways or routes', () => {
  const store = new ResourceStore();
  store.upsert(route([]));
  const ns = (name: string, team: string): Namespace => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { team } },
  });
  assert.equal(change(store, ns('apps', 'a'), ns('apps', 'b')), true);
  assert.equal(change(store, ns('quiet', 'a'), ns('quiet', 'b')), false);
});

test('Gateway API objects: status-only and resourceVersion-only updates do not matter', () => {
  const store = new ResourceStore();
  const before = gateway([]);
  store.upsert(before);
  const statusOnly = {
    ...before,
    metadata: { ...before.metadata, resourceVersion: '2' },
    status: { conditions: [{ type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: '' }] },
  };
  assert.equal(change(store, before, statusOnly), false);
  const relabelled = { ...statusOnly, metadata: { ...statusOnly.metadata, labels: { a: 'b' } } };
  assert.equal(change(store, statusOnly, relabelled), true);
  const respec = {
    ...relabelled,
    metadata: { ...relabelled.metadata, generation: 2 },
    spec: { ...relabelled.spec, gatewayClassName: 'x' },
  };
  assert.equal(change(store, relabelled, respec), true);
  const recreated = { ...respec, metadata: { ...respec.metadata, uid: 'new' } };
  assert.equal(change(store, respec, recreated), true, 'same spec, new object');
  assert.equal(change(store, recreated, undefined), true);
});

test('routes are indexed by parent Gateway and referrers are tracked per reference', () => {
  const store = new ResourceStore();
  store.upsert(route([{ name: 'web' }]));
  store.upsert(gateway([{ name: 'cert', namespace: 'certs' }]));
  assert.deepEqual(
    store.routesFor('infra', 'gw').map((r) => r.metadata.name),
    ['web'],
  );
  assert.deepEqual(store.referrersOf({ kind: 'Secret', namespace: 'certs', name: 'cert' }), [
    'Gateway/infra/gw',
  ]);
  assert.equal(store.isReferenceGrantTarget('certs'), true);
  store.remove('Gateway', 'infra/gw');
  assert.equal(store.isReferenced({ kind: 'Secret', namespace: 'certs', name: 'cert' }), false);
  assert.equal(store.isReferenceGrantTarget('certs'), false);
});

test('a ConfigMap matters while a BackendTLSPolicy names it as a CA bundle; policy spec edits matter', () => {
  const store = new ResourceStore();
  const policy = (hostname: string): BackendTLSPolicy => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'BackendTLSPolicy',
    metadata: { name: 'p', namespace: 'apps', generation: hostname === 'a.example' ? 1 : 2 },
    spec: {
      targetRefs: [{ group: '', kind: 'Service', name: 'web' }],
      validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname },
    },
  });
  const configMap = (name: string, pem: string): ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'apps' },
    data: { 'ca.crt': pem },
  });
  assert.equal(change(store, undefined, policy('a.example')), true);
  assert.equal(change(store, undefined, configMap('ca', 'one')), true);
  assert.equal(change(store, configMap('ca', 'one'), configMap('ca', 'two')), true);
  assert.equal(change(store, undefined, configMap('unrelated', 'one')), false);
  assert.equal(change(store, policy('a.example'), policy('b.example')), true);
  assert.equal(change(store, policy('b.example'), undefined), true);
  assert.equal(
    change(store, configMap('ca', 'two'), configMap('ca', 'three')),
    false,
    'no longer referenced',
  );
});
