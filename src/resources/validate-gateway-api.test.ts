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
const HOSTNAME_PATTERN = String.raw`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`;

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
const routeInvalid = (errors: string) => `HTTPRoute.${GROUP} "foo" is invalid: ${errors}`;
const gatewayInvalid = (errors: string) => `Gateway.${GROUP} "gw" is invalid: ${errors}`;

function rejection(object: unknown): string {
  const result = validateObject(object);
  assert.equal(result.outcome, 'rejected', `expected a rejection, got ${result.outcome}`);
  return result.outcome === 'rejected' ? result.error.message : '';
}

const HTTPROUTE_CASES: [string, object, string][] = [
  [
    'enum',
    route({ rules: [{ matches: [{ path: { type: 'Foo', value: '/' } }] }] }),
    routeInvalid(
      `[spec.rules[0].matches[0].path.type: Unsupported value: "Foo": supported values: "Exact", "PathPrefix", "RegularExpression", ${SKIPPED_CEL}]`,
    ),
  ],
  [
    'pattern',
    route({ hostnames: ['Foo_'] }),
    routeInvalid(
      `spec.hostnames[0]: Invalid value: "Foo_": spec.hostnames[0] in body should match '${HOSTNAME_PATTERN}'`,
    ),
  ],
  [
    'required',
    route({ parentRefs: [{ sectionName: 'http' }] }),
    routeInvalid(`[spec.parentRefs[0].name: Required value, ${SKIPPED_CEL}]`),
  ],
  [
    'maxItems',
    route({ hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) }),
    routeInvalid(`[spec.hostnames: Too many: 17: must have at most 16 items, ${SKIPPED_CEL}]`),
  ],
  [
    'maxLength',
    route({ hostnames: ['a'.repeat(254)] }),
    routeInvalid(`[spec.hostnames[0]: Too long: may not be more than 253 bytes, ${SKIPPED_CEL}]`),
  ],
  [
    'maximum',
    route({ rules: [{ backendRefs: [{ name: 's', port: 80, weight: 1000001 }] }] }),
    routeInvalid(
      'spec.rules[0].backendRefs[0].weight: Invalid value: 1000001: spec.rules[0].backendRefs[0].weight in body should be less than or equal to 1000000',
    ),
  ],
  [
    'type',
    route({ rules: [{ backendRefs: [{ name: 's', port: '80' }] }] }),
    routeInvalid(
      `[spec.rules[0].backendRefs[0].port: Invalid value: "string": spec.rules[0].backendRefs[0].port in body must be of type integer: "string", ${SKIPPED_CEL}]`,
    ),
  ],
  [
    'integer enum',
    route({ rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 404 } }] }] }),
    routeInvalid(
      `[spec.rules[0].filters[0].requestRedirect.statusCode: Unsupported value: 404: supported values: "301", "302", "303", "307", "308", ${SKIPPED_CEL}]`,
    ),
  ],
  [
    'duration pattern',
    route({ rules: [{ timeouts: { request: '1 hour' } }] }),
    routeInvalid(
      'spec.rules[0].timeouts.request: Invalid value: "1 hour": spec.rules[0].timeouts.request in body should match \'^([0-9]{1,5}(h|m|s|ms)){1,4}$\'',
    ),
  ],
  [
    'CEL: Service backend needs a port',
    route({ rules: [{ backendRefs: [{ name: 's' }] }] }),
    routeInvalid(
      'spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference',
    ),
  ],
  [
    'CEL: RequestRedirect and URLRewrite in one rule',
    route({
      rules: [
        {
          filters: [
            { type: 'RequestRedirect', requestRedirect: { scheme: 'https' } },
            { type: 'URLRewrite', urlRewrite: { hostname: 'example.com' } },
          ],
        },
      ],
    }),
    routeInvalid(
      'spec.rules[0].filters: Invalid value: "array": May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
    ),
  ],
  [
    'CEL: URLRewrite ReplacePrefixMatch needs a PathPrefix match',
    route({
      rules: [
        {
          matches: [{ path: { type: 'Exact', value: '/a' } }],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } },
            },
          ],
        },
      ],
    }),
    routeInvalid(
      'spec.rules[0]: Invalid value: "object": When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
    ),
  ],
  [
    'CEL: RequestRedirect ReplacePrefixMatch needs a PathPrefix match',
    route({
      rules: [
        {
          matches: [{ path: { type: 'Exact', value: '/a' } }],
          filters: [
            {
              type: 'RequestRedirect',
              requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } },
            },
          ],
        },
      ],
    }),
    routeInvalid(
      'spec.rules[0]: Invalid value: "object": When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
    ),
  ],
  [
    'CEL: backendRequest <= request timeout',
    route({ rules: [{ timeouts: { request: '1s', backendRequest: '2s' } }] }),
    routeInvalid(
      'spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout',
    ),
  ],
  [
    'CEL: RequestRedirect with backendRefs',
    route({
      rules: [
        {
          filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 301 } }],
          backendRefs: [{ name: 's', port: 80 }],
        },
      ],
    }),
    routeInvalid(
      'spec.rules[0]: Invalid value: "object": RequestRedirect filter must not be used together with backendRefs',
    ),
  ],
  [
    'CEL: absolute path',
    route({ rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'foo' } }] }] }),
    routeInvalid(
      "spec.rules[0].matches[0].path: Invalid value: \"object\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
    ),
  ],
  [
    'CEL: filter field must match its type',
    route({ rules: [{ filters: [{ type: 'RequestHeaderModifier' }] }] }),
    routeInvalid(
      'spec.rules[0].filters[0]: Invalid value: "object": filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type',
    ),
  ],
  [
    'CEL: repeated filter',
    route({
      rules: [
        {
          filters: [
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } },
            { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['c'] } },
          ],
        },
      ],
    }),
    routeInvalid(
      'spec.rules[0].filters: Invalid value: "array": RequestHeaderModifier filter cannot be repeated',
    ),
  ],
  [
    'CEL: duplicate parentRefs',
    route({ parentRefs: [{ name: 'gw' }, { name: 'gw' }] }),
    routeInvalid(
      'spec.parentRefs: Invalid value: "array": sectionName must be unique when parentRefs includes 2 or more references to the same parent',
    ),
  ],
  [
    'CEL: CORS wildcard alongside origins',
    route({ rules: [{ filters: [{ type: 'CORS', cors: { allowOrigins: ['*', 'https://a.example'] } }] }] }),
    routeInvalid(
      'spec.rules[0].filters[0].cors.allowOrigins: Invalid value: "array": AllowOrigins cannot contain \'*\' alongside other origins',
    ),
  ],
  [
    'CEL: mirror fraction',
    route({
      rules: [
        {
          filters: [
            {
              type: 'RequestMirror',
              requestMirror: { backendRef: { name: 's', port: 80 }, fraction: { numerator: 200 } },
            },
          ],
        },
      ],
    }),
    routeInvalid(
      'spec.rules[0].filters[0].requestMirror.fraction: Invalid value: "object": numerator must be less than or equal to denominator',
    ),
  ],
  [
    'list-type map',
    route({
      rules: [
        {
          filters: [
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: {
                set: [
                  { name: 'a', value: 'b' },
                  { name: 'a', value: 'c' },
                ],
              },
            },
          ],
        },
      ],
    }),
    routeInvalid(
      'spec.rules[0].filters[0].requestHeaderModifier.set[1]: Duplicate value: map[string]interface {}{"name":"a"}',
    ),
  ],
  [
    'metadata.name',
    route({}, 'Foo_'),
    `HTTPRoute.${GROUP} "Foo_" is invalid: metadata.name: Invalid value: "Foo_": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ],
  [
    'metadata.namespace',
    { ...route({}), metadata: { name: 'foo', namespace: 'Bad_NS' } },
    routeInvalid(
      "metadata.namespace: Invalid value: \"Bad_NS\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ),
  ],
];

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

describe('validateObject: HTTPRoute messages', () => {
  for (const [name, object, expected] of HTTPROUTE_CASES) {
    it(name, () => assert.equal(rejection(object), expected));
  }
});

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
});
