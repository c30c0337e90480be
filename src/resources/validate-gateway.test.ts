// Each expectation below is the exact Status message a Kubernetes API server returns for the
// object: the field error formats of apimachinery (field.Error.ErrorBody, NotSupported,
// TooMany, TooLong, Required, Duplicate), kube-openapi's schema messages, apiextensions' CEL
// rule errors (`Invalid value: "<type>": <message>`), and the `<nil>` error added when schema
// errors stop the CEL rules from running — with rule messages, patterns and limits taken from
// the v1.6.1 CRDs in crds/standard.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateObject } from './validate.js';

const GROUP = 'gateway.networking.k8s.io';
const SKIPPED_CEL =
  '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

const route = (spec: object, name = 'foo') => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'HTTPRoute',
  metadata: { name },
  spec,
});
const gateway = (listeners: object[], extra: object = {}) => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'Gateway',
  metadata: { name: 'gw' },
  spec: { gatewayClassName: 'gatehouse', listeners, ...extra },
});
const gatewayInvalid = (errors: string) => `Gateway.${GROUP} "gw" is invalid: ${errors}`;

function rejection(object: unknown): string {
  const result = validateObject(object);
  assert.equal(result.outcome, 'rejected', `expected a rejection, got ${result.outcome}`);
  return result.outcome === 'rejected' ? result.error.message : '';
}

const GATEWAY_CASES: [string, object, string][] = [
  [
    'CEL: hostname with TCP',
    gateway([{ name: 'tcp', port: 9000, protocol: 'TCP', hostname: 'example.com' }]),
    gatewayInvalid(
      `spec.listeners: Invalid value: "array": hostname must not be specified for protocols ['TCP', 'UDP']`,
    ),
  ],
  [
    'CEL and list-map: listener names unique',
    gateway([
      { name: 'http', port: 80, protocol: 'HTTP' },
      { name: 'http', port: 8080, protocol: 'HTTP' },
    ]),
    gatewayInvalid(
      '[spec.listeners[1]: Duplicate value: map[string]interface {}{"name":"http"}, spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway]',
    ),
  ],
  [
    'CEL: port, protocol and hostname unique',
    gateway([
      { name: 'a', port: 80, protocol: 'HTTP' },
      { name: 'b', port: 80, protocol: 'HTTP' },
    ]),
    gatewayInvalid(
      'spec.listeners: Invalid value: "array": Combination of port, protocol and hostname must be unique for each listener',
    ),
  ],
  [
    'CEL: tls on HTTP',
    gateway([{ name: 'a', port: 80, protocol: 'HTTP', tls: { certificateRefs: [{ name: 'cert' }] } }]),
    gatewayInvalid(
      `spec.listeners: Invalid value: "array": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']`,
    ),
  ],
  [
    'CEL: HTTPS needs Terminate',
    gateway([{ name: 'a', port: 443, protocol: 'HTTPS', tls: { mode: 'Passthrough' } }]),
    gatewayInvalid('spec.listeners: Invalid value: "array": tls mode must be Terminate for protocol HTTPS'),
  ],
  [
    'CEL: TLS needs a mode',
    gateway([{ name: 'a', port: 443, protocol: 'TLS' }]),
    gatewayInvalid('spec.listeners: Invalid value: "array": tls mode must be set for protocol TLS'),
  ],
  [
    'CEL: rule reading an absent field fails evaluation',
    gateway([{ name: 'a', port: 443, protocol: 'HTTPS', tls: {} }]),
    gatewayInvalid(
      'spec.listeners[0].tls: Invalid value: "object": no such key: certificateRefs evaluating rule: certificateRefs or options must be specified when mode is Terminate',
    ),
  ],
  [
    'minimum',
    gateway([{ name: 'a', port: 0, protocol: 'HTTP' }]),
    gatewayInvalid(
      'spec.listeners[0].port: Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1',
    ),
  ],
  [
    'required list',
    { ...gateway([]), spec: { gatewayClassName: 'gatehouse' } },
    gatewayInvalid(`[spec.listeners: Required value, ${SKIPPED_CEL}]`),
  ],
  [
    'enum',
    gateway([
      { name: 'a', port: 443, protocol: 'HTTPS', tls: { mode: 'Bogus', certificateRefs: [{ name: 'c' }] } },
    ]),
    gatewayInvalid(
      `[spec.listeners[0].tls.mode: Unsupported value: "Bogus": supported values: "Terminate", "Passthrough", ${SKIPPED_CEL}]`,
    ),
  ],
];

describe('validateObject: Gateway messages', () => {
  for (const [name, object, expected] of GATEWAY_CASES) {
    it(name, () => assert.equal(rejection(object), expected));
  }
});

describe('validateObject: other Gateway API kinds and lookup', () => {
  it('GatewayClass controllerName pattern', () => {
    const object = {
      apiVersion: `${GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: 'c' },
      spec: { controllerName: 'x' },
    };
    assert.equal(
      rejection(object),
      `GatewayClass.${GROUP} "c" is invalid: spec.controllerName: Invalid value: "x": spec.controllerName in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$'`,
    );
  });

  it('ReferenceGrant (v1beta1, still served) required field', () => {
    const object = {
      apiVersion: `${GROUP}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: { name: 'r' },
      spec: { from: [{ group: '', namespace: 'a' }], to: [{ group: '', kind: 'Service' }] },
    };
    assert.equal(
      rejection(object),
      `ReferenceGrant.${GROUP} "r" is invalid: [spec.from[0].kind: Required value, ${SKIPPED_CEL}]`,
    );
  });

  it('unknown kind and unserved version: the REST mapper message', () => {
    assert.equal(
      rejection({ apiVersion: `${GROUP}/v1`, kind: 'Foo', metadata: { name: 'x' } }),
      `no matches for kind "Foo" in version "${GROUP}/v1"`,
    );
    assert.equal(
      rejection({ ...route({}), apiVersion: `${GROUP}/v1alpha2` }),
      `no matches for kind "HTTPRoute" in version "${GROUP}/v1alpha2"`,
    );
  });

  it('a transition rule (oldSelf) is not evaluated on create', () => {
    const object = {
      apiVersion: `${GROUP}/v1`,
      kind: 'GatewayClass',
      metadata: { name: 'c' },
      spec: { controllerName: 'example.com/gw' },
    };
    assert.equal(validateObject(object).outcome, 'accepted');
  });

  it('keeps the path of each field error for source positions', () => {
    const result = validateObject(route({ rules: [{ matches: [{ path: { type: 'Foo', value: '/' } }] }] }));
    assert.equal(result.outcome, 'rejected');
    if (result.outcome !== 'rejected') return;
    assert.deepEqual(result.error.causes[0]?.path, ['spec', 'rules', 0, 'matches', 0, 'path', 'type']);
    assert.equal(result.error.causes[0]?.field, 'spec.rules[0].matches[0].path.type');
  });

  it('renders the rejection as the Status body an API server returns', () => {
    const result = validateObject(gateway([{ name: 'a', port: 0, protocol: 'HTTP' }]));
    assert.equal(result.outcome, 'rejected');
    if (result.outcome !== 'rejected') return;
    assert.deepEqual(result.error.toStatus(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: result.error.message,
      reason: 'Invalid',
      details: {
        group: GROUP,
        kind: 'Gateway',
        name: 'gw',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1',
            field: 'spec.listeners[0].port',
          },
        ],
      },
      code: 422,
    });
  });
});
