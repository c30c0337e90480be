// Validation the real server enforces, answered with 422 Invalid Status bodies whose message and
// causes match kube-apiserver's: EndpointSlice addresses (no loopback or link-local), Service
// ports, object names, Lease spec types and values, and the pluggable validation hook.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api, CoreV1Api, DiscoveryV1Api, type V1EndpointSlice } from '@kubernetes/client-node';
import { raw, rejection } from './harness.js';
import { type ApiServer, startApiServer } from './server.js';
import type { ValidateHook } from './state.js';

let server: ApiServer;
let discovery: DiscoveryV1Api;
let core: CoreV1Api;
let hookCalls: { kind: string; hadOld: boolean }[] = [];

const hook: ValidateHook = (gvk, obj, oldObj) => {
  hookCalls.push({ kind: gvk.kind, hadOld: oldObj !== undefined });
  const value = (obj.data as Record<string, string> | undefined)?.mode;
  if (gvk.kind === 'ConfigMap' && value === 'bad') {
    return [
      {
        field: 'data.mode',
        message: 'Unsupported value: "bad": supported values: "good"',
        type: 'FieldValueNotSupported',
      },
    ];
  }
  return [];
};

const slice = (name: string, addressType: string, addresses: string[]): V1EndpointSlice => ({
  metadata: { name },
  addressType,
  endpoints: [{ addresses }],
  ports: [{ name: 'http', port: 8080 }],
});

before(async () => {
  server = await startApiServer({ validate: async (...args) => hook(...args) });
  discovery = server.kubeconfig.config.makeApiClient(DiscoveryV1Api);
  core = server.kubeconfig.config.makeApiClient(CoreV1Api);
});
after(() => server.stop());

describe('EndpointSlice validation', () => {
  it('rejects a loopback address with the real message and cause', async () => {
    const body = slice('lo', 'IPv4', ['127.0.0.1']);
    const status = await rejection(
      discovery.createNamespacedEndpointSlice({ namespace: 'default', body }),
      422,
    );
    assert.equal(status.reason, 'Invalid');
    assert.equal(
      status.message,
      'EndpointSlice.discovery.k8s.io "lo" is invalid: endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    );
    assert.deepEqual(status.details, {
      name: 'lo',
      group: 'discovery.k8s.io',
      kind: 'EndpointSlice',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
          field: 'endpoints[0].addresses[0]',
        },
      ],
    });
  });

  it('rejects IPv6 loopback and link-local addresses, and addresses of the wrong family', async () => {
    const body = slice('v6', 'IPv6', ['::1', 'fe80::1', '10.0.0.1']);
    const status = await rejection(
      discovery.createNamespacedEndpointSlice({ namespace: 'default', body }),
      422,
    );
    const causes = status.details?.causes?.map((c) => `${c.field}: ${c.message}`);
    assert.deepEqual(causes, [
      'endpoints[0].addresses[0]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'endpoints[0].addresses[1]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'endpoints[0].addresses[2]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
    ]);
    assert.match(
      status.message ?? '',
      /is invalid: \[endpoints\[0\]\.addresses\[0\]: .*, endpoints\[0\]\.addresses\[2\]: .*\]$/,
    );
  });

  it('rejects 169.254/16 and an unsupported addressType, accepts routable addresses and defaults port protocol', async () => {
    const linkLocal = await rejection(
      discovery.createNamespacedEndpointSlice({
        namespace: 'default',
        body: slice('ll', 'IPv4', ['169.254.1.1']),
      }),
      422,
    );
    assert.match(
      linkLocal.message ?? '',
      /may not be in the link-local range \(169\.254\.0\.0\/16, fe80::\/10\)/,
    );
    const badType = await rejection(
      discovery.createNamespacedEndpointSlice({ namespace: 'default', body: slice('t', 'IP', ['10.0.0.1']) }),
      422,
    );
    assert.match(
      badType.message ?? '',
      /addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"/,
    );
    const ok = await discovery.createNamespacedEndpointSlice({
      namespace: 'default',
      body: slice('ok', 'IPv4', ['10.1.2.3']),
    });
    assert.equal(ok.ports?.[0]?.protocol, 'TCP');
  });
});

describe('core object validation', () => {
  it('validates Service ports and allocates a cluster IP', async () => {
    const bad = { metadata: { name: 'web' }, spec: { ports: [{ port: 0 }, { name: 'b', port: 80 }] } };
    const status = await rejection(core.createNamespacedService({ namespace: 'default', body: bad }), 422);
    assert.match(status.message ?? '', /^Service "web" is invalid: \[/);
    const fields = status.details?.causes?.map((c) => c.field);
    // targetPort defaults to port, so it is invalid too, as on a real server.
    assert.deepEqual(fields, ['spec.ports[0].name', 'spec.ports[0].port', 'spec.ports[0].targetPort']);
    const good = await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } },
    });
    assert.match(good.spec?.clusterIP ?? '', /^10\.96\./);
    assert.equal(good.spec?.ports?.[0]?.targetPort, 80);
  });

  it('validates names with the apimachinery messages', async () => {
    const status = await rejection(
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Bad_Name' } } }),
      422,
    );
    assert.equal(
      status.message,
      `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
    const required = await rejection(
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: {} } }),
      422,
    );
    assert.equal(required.details?.causes?.[0]?.message, 'Required value: name or generateName is required');
  });

  it('rejects Lease fields of the wrong type with 400 and bad values with 422', async () => {
    const coordination = server.kubeconfig.config.makeApiClient(CoordinationV1Api);
    const wrongType = await raw(server, 'POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
      metadata: { name: 'l' },
      spec: { leaseDurationSeconds: '15' },
    });
    assert.equal(wrongType.status, 400);
    assert.match(
      (wrongType.body as { message: string }).message,
      /cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32/,
    );
    const zero = await rejection(
      coordination.createNamespacedLease({
        namespace: 'default',
        body: { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } },
      }),
      422,
    );
    assert.match(zero.message ?? '', /spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0/);
    const lease = await coordination.createNamespacedLease({
      namespace: 'default',
      body: {
        metadata: { name: 'l' },
        spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new Date() as never },
      },
    });
    assert.equal(lease.spec?.holderIdentity, 'a');
  });
});

describe('validation hook', () => {
  it('is called on create and update, and its issues become a 422 with causes', async () => {
    hookCalls = [];
    const body = { metadata: { name: 'hooked' }, data: { mode: 'good' } };
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body });
    await core.replaceNamespacedConfigMap({
      name: 'hooked',
      namespace: 'default',
      body: { ...created, data: { mode: 'good', x: '1' } },
    });
    assert.deepEqual(hookCalls, [
      { kind: 'ConfigMap', hadOld: false },
      { kind: 'ConfigMap', hadOld: true },
    ]);
    const status = await rejection(
      core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'h2' }, data: { mode: 'bad' } },
      }),
      422,
    );
    assert.equal(
      status.message,
      'ConfigMap "h2" is invalid: data.mode: Unsupported value: "bad": supported values: "good"',
    );
    assert.deepEqual(status.details?.causes, [
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "bad": supported values: "good"',
        field: 'data.mode',
      },
    ]);
  });
});
