import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Gateway, HTTPRoute } from './types.js';
import { validateObject } from './validate.js';

const GROUP = 'gateway.networking.k8s.io';

function accept<T>(object: unknown): { object: T; warnings: string[] } {
  const result = validateObject(object);
  assert.equal(
    result.outcome,
    'accepted',
    result.outcome === 'rejected' ? result.error.message : result.outcome,
  );
  if (result.outcome !== 'accepted') throw new Error('unreachable');
  return { object: result.object as T, warnings: result.warnings.map((w) => w.message) };
}

describe('structural defaulting (as the API server applies CRD defaults)', () => {
  it('Gateway: allowedRoutes, tls mode and certificateRefs group/kind', () => {
    const { object } = accept<Gateway>({
      apiVersion: `${GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'infra' },
      spec: {
        gatewayClassName: 'gatehouse',
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP' },
          { name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'cert' }] } },
          { name: 'all', port: 8080, protocol: 'HTTP', allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }] } },
        ],
      },
    });
    const [http, https, all] = object.spec.listeners;
    assert.deepEqual(http?.allowedRoutes, { namespaces: { from: 'Same' } });
    assert.deepEqual(https?.tls, {
      mode: 'Terminate',
      certificateRefs: [{ name: 'cert', group: '', kind: 'Secret' }],
    });
    // A default applies where the field is absent and its parent exists, nested defaults included.
    assert.deepEqual(all?.allowedRoutes, {
      kinds: [{ kind: 'HTTPRoute', group: GROUP }],
      namespaces: { from: 'Same' },
    });
    assert.equal(object.spec.addresses, undefined);
  });

  it('HTTPRoute: rules, path match, weight, backend group/kind, parentRef group/kind', () => {
    const { object } = accept<HTTPRoute>({
      apiVersion: `${GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [
          { backendRefs: [{ name: 'svc', port: 8080 }] },
          {
            matches: [{ headers: [{ name: 'x', value: 'y' }] }],
            backendRefs: [{ name: 'svc', port: 8080, weight: 5 }],
          },
        ],
      },
    });
    assert.deepEqual(object.spec.parentRefs, [{ name: 'gw', group: GROUP, kind: 'Gateway' }]);
    const [first, second] = object.spec.rules!;
    assert.deepEqual(first?.matches, [{ path: { type: 'PathPrefix', value: '/' } }]);
    assert.deepEqual(first?.backendRefs, [
      { name: 'svc', port: 8080, group: '', kind: 'Service', weight: 1 },
    ]);
    // A match given without a path gets the default path; header match type defaults to Exact.
    assert.deepEqual(second?.matches, [
      { headers: [{ name: 'x', value: 'y', type: 'Exact' }], path: { type: 'PathPrefix', value: '/' } },
    ]);
    assert.equal(second?.backendRefs?.[0]?.weight, 5);
  });

  it('HTTPRoute without rules gets the default catch-all rule', () => {
    const { object } = accept<HTTPRoute>({
      apiVersion: `${GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {},
    });
    assert.deepEqual(object.spec.rules, [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
  });

  it('a null field is dropped, or defaulted when it has a default', () => {
    const { object } = accept<HTTPRoute>({
      apiVersion: `${GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { hostnames: null, rules: [{ matches: [{ path: null }] }] },
    });
    assert.equal('hostnames' in object.spec, false);
    assert.deepEqual(object.spec.rules?.[0]?.matches, [{ path: { type: 'PathPrefix', value: '/' } }]);
  });
});

describe('decoding like the API server', () => {
  it('prunes unknown fields and reports each as a warning', () => {
    const { object, warnings } = accept<HTTPRoute & { spec: Record<string, unknown> }>({
      apiVersion: `${GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'r', colour: 'blue' },
      spec: { colour: 'red', rules: [{ retry: { attempts: 2 }, backendRefs: [{ name: 's', port: 80 }] }] },
    });
    assert.deepEqual(warnings, [
      'unknown field "metadata.colour"',
      'unknown field "spec.colour"',
      'unknown field "spec.rules[0].retry"',
    ]);
    assert.equal('colour' in object.spec, false);
    assert.equal('retry' in (object.spec.rules?.[0] ?? {}), false);
  });

  it('drops status and server-managed metadata, defaults the namespace, keeps creationTimestamp', () => {
    const { object } = accept<HTTPRoute>({
      apiVersion: `${GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: {
        name: 'r',
        uid: 'abc',
        resourceVersion: '7',
        generation: 3,
        creationTimestamp: '2024-01-02T03:04:05Z',
      },
      spec: {},
      status: { parents: [] },
    });
    assert.equal(object.status, undefined);
    assert.deepEqual(object.metadata, {
      name: 'r',
      creationTimestamp: '2024-01-02T03:04:05Z',
      namespace: 'default',
    });
  });

  it('removes the namespace of a cluster-scoped object', () => {
    const { object } = accept<{ metadata: { namespace?: string } }>({
      apiVersion: `${GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: 'c', namespace: 'x' },
      spec: { controllerName: 'example.com/gw' },
    });
    assert.equal(object.metadata.namespace, undefined);
  });

  it('does not modify the object it is given', () => {
    const input = { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name: 'r' }, spec: {} };
    const copy = structuredClone(input);
    validateObject(input);
    assert.deepEqual(input, copy);
  });

  it('ignores built-in kinds Gatehouse does not read', () => {
    const result = validateObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } });
    assert.equal(result.outcome, 'ignored');
  });

  it('names a missing kind like the API server decoder', () => {
    const result = validateObject({ apiVersion: 'v1', metadata: { name: 'x' } });
    assert.equal(result.outcome, 'rejected');
    if (result.outcome === 'rejected') {
      assert.equal(
        result.error.message,
        `Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'`,
      );
    }
  });
});
