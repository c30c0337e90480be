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
const routeInvalid = (errors: string) => `HTTPRoute.${GROUP} "foo" is invalid: ${errors}`;

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

describe('validateObject: HTTPRoute messages', () => {
  for (const [name, object, expected] of HTTPROUTE_CASES) {
    it(name, () => assert.equal(rejection(object), expected));
  }
});
