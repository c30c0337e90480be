/**
 * Filter cases: request header modification on a rule (core) and on backendRefs (extended),
 * response header modification on headers the backend was told to send, host and path rewrites
 * (also combined with header modifiers), and CORS preflight and simple requests.
 */
import type { ExpectedResponse } from '../harness/http.js';
import { type ConformanceTest, INFRA_NS } from '../harness/suite.js';
import { acceptedAndResolved, expectResponses } from './common.js';

const ns = INFRA_NS;
const gwNN = { namespace: ns, name: 'same-namespace' };
const v1 = { backend: 'infra-backend-v1', namespace: ns };
const v2 = { backend: 'infra-backend-v2', namespace: ns };

function sameNamespaceCases(
  shortName: string,
  description: string,
  features: string[],
  manifest: string,
  routes: string[],
  cases: ExpectedResponse[],
): ConformanceTest {
  return {
    shortName,
    description,
    features,
    manifests: [`tests/${manifest}.yaml`],
    async test(t, s) {
      const gwAddr = await acceptedAndResolved(
        t,
        s,
        gwNN,
        routes.map((name) => ({ namespace: ns, name })),
      );
      await expectResponses(t, s, gwAddr, cases);
    },
  };
}

/** The request header cases, shared by the rule-level and backendRef-level filters. */
const requestHeaderCases: ExpectedResponse[] = [
  {
    request: { path: '/set', headers: { 'Some-Other-Header': 'val' } },
    expectedRequest: {
      path: '/set',
      headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
    },
    ...v1,
  },
  {
    request: { path: '/set', headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' } },
    expectedRequest: {
      path: '/set',
      headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
    },
    ...v1,
  },
  {
    request: { path: '/add', headers: { 'Some-Other-Header': 'val' } },
    expectedRequest: {
      path: '/add',
      headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' },
    },
    ...v1,
  },
  {
    request: { path: '/add', headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' } },
    expectedRequest: {
      path: '/add',
      headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' },
    },
    ...v1,
  },
  {
    request: { path: '/remove', headers: { 'X-Header-Remove': 'val' } },
    expectedRequest: { path: '/remove', absentHeaders: ['X-Header-Remove'] },
    ...v1,
  },
  {
    request: {
      path: '/multiple',
      headers: {
        'X-Header-Set-2': 'set-val-2',
        'X-Header-Add-2': 'add-val-2',
        'X-Header-Remove-2': 'remove-val-2',
        'Another-Header': 'another-header-val',
      },
    },
    expectedRequest: {
      path: '/multiple',
      headers: {
        'X-Header-Set-1': 'header-set-1',
        'X-Header-Set-2': 'header-set-2',
        'X-Header-Add-1': 'header-add-1',
        'X-Header-Add-2': 'add-val-2,header-add-2',
        'X-Header-Add-3': 'header-add-3',
        'Another-Header': 'another-header-val',
      },
      absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
    },
    ...v1,
  },
  {
    // The filter uses canonical header names, the request lower-case ones.
    request: {
      path: '/case-insensitivity',
      headers: {
        'x-header-set': 'original-val-set',
        'x-header-add': 'original-val-add',
        'x-header-remove': 'original-val-remove',
        'Another-Header': 'another-header-val',
      },
    },
    expectedRequest: {
      path: '/case-insensitivity',
      headers: {
        'X-Header-Set': 'header-set',
        'X-Header-Add': 'original-val-add,header-add',
        'Another-Header': 'another-header-val',
      },
      absentHeaders: ['x-header-remove', 'X-Header-Remove'],
    },
    ...v1,
  },
];

export const HTTPRouteRequestHeaderModifier = sameNamespaceCases(
  'HTTPRouteRequestHeaderModifier',
  'An HTTPRoute has request header modifier filters applied correctly',
  ['Gateway', 'HTTPRoute'],
  'httproute-request-header-modifier',
  ['request-header-modifier'],
  requestHeaderCases,
);

export const HTTPRouteBackendRequestHeaderModifier = sameNamespaceCases(
  'HTTPRouteBackendRequestHeaderModifier',
  'An HTTPRoute has request header modifier filters applied correctly on its backendRefs',
  ['Gateway', 'HTTPRoute', 'HTTPRouteBackendRequestHeaderModification'],
  'httproute-request-header-modifier-backend',
  ['request-header-modifier'],
  requestHeaderCases,
);

/** Request headers the combined cases send, and what the request header filter makes of them. */
const modifiedRequest = {
  sent: { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1', 'X-Header-Set': 'set-val' },
  received: {
    'X-Header-Add': 'header-val-1',
    'X-Header-Add-Append': 'append-val-1,header-val-2',
    'X-Header-Set': 'set-overwrites-values',
  },
};

export const HTTPRouteResponseHeaderModifier = sameNamespaceCases(
  'HTTPRouteResponseHeaderModifier',
  'An HTTPRoute has response header modifier filters applied correctly',
  ['Gateway', 'HTTPRoute', 'HTTPRouteResponseHeaderModification'],
  'httproute-response-header-modifier',
  ['response-header-modifier'],
  [
    {
      request: { path: '/set' },
      backendSetResponseHeaders: { 'Some-Other-Header': 'val' },
      response: { headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
      ...v1,
    },
    {
      request: { path: '/set' },
      backendSetResponseHeaders: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' },
      response: { headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
      ...v1,
    },
    {
      request: { path: '/add' },
      backendSetResponseHeaders: { 'Some-Other-Header': 'val' },
      response: { headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' } },
      ...v1,
    },
    {
      request: { path: '/add' },
      backendSetResponseHeaders: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' },
      response: {
        headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' },
      },
      ...v1,
    },
    {
      request: { path: '/remove' },
      backendSetResponseHeaders: { 'X-Header-Remove': 'val' },
      response: { absentHeaders: ['X-Header-Remove'] },
      ...v1,
    },
    {
      request: { path: '/multiple' },
      backendSetResponseHeaders: multipleBackendHeaders(),
      response: multipleResponseExpectation(),
      ...v1,
    },
    {
      request: { path: '/case-insensitivity' },
      backendSetResponseHeaders: {
        'x-header-set': 'original-val-set',
        'x-header-add': 'original-val-add',
        'x-header-remove': 'original-val-remove',
        'Another-Header': 'another-header-val',
      },
      response: {
        headers: {
          'X-Header-Set': 'header-set',
          'X-Header-Add': 'original-val-add,header-add',
          'X-Lowercase-Add': 'lowercase-add',
          'X-Mixedcase-Add-1': 'mixedcase-add-1',
          'X-Mixedcase-Add-2': 'mixedcase-add-2',
          'X-Uppercase-Add': 'uppercase-add',
          'Another-Header': 'another-header-val',
        },
        absentHeaders: ['x-header-remove', 'X-Header-Remove'],
      },
      ...v1,
    },
    {
      request: { path: '/response-and-request-header-modifiers', headers: modifiedRequest.sent },
      expectedRequest: {
        path: '/response-and-request-header-modifiers',
        headers: modifiedRequest.received,
        absentHeaders: ['X-Header-Remove'],
      },
      backendSetResponseHeaders: multipleBackendHeaders(),
      response: multipleResponseExpectation(),
      ...v1,
    },
  ],
);

function multipleBackendHeaders(): Record<string, string> {
  return {
    'X-Header-Set-2': 'set-val-2',
    'X-Header-Add-2': 'add-val-2',
    'X-Header-Remove-2': 'remove-val-2',
    'Another-Header': 'another-header-val',
    'X-Header-Remove-1': 'val',
  };
}

function multipleResponseExpectation(): ExpectedResponse['response'] {
  return {
    headers: {
      'X-Header-Set-1': 'header-set-1',
      'X-Header-Set-2': 'header-set-2',
      'X-Header-Add-1': 'header-add-1',
      'X-Header-Add-2': 'add-val-2,header-add-2',
      'Another-Header': 'another-header-val',
    },
    absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
  };
}

export const HTTPRouteRewriteHost = sameNamespaceCases(
  'HTTPRouteRewriteHost',
  'An HTTPRoute with hostname rewrite filter',
  ['Gateway', 'HTTPRoute', 'HTTPRouteHostRewrite'],
  'httproute-rewrite-host',
  ['rewrite-host'],
  [
    {
      request: { path: '/one', host: 'rewrite.example' },
      expectedRequest: { path: '/one', host: 'one.example.org' },
      ...v1,
    },
    {
      request: { path: '/two', host: 'rewrite.example' },
      expectedRequest: { path: '/two', host: 'example.org' },
      ...v2,
    },
    {
      request: {
        path: '/rewrite-host-and-modify-headers',
        host: 'rewrite.example',
        headers: modifiedRequest.sent,
      },
      expectedRequest: {
        path: '/rewrite-host-and-modify-headers',
        host: 'test.example.org',
        headers: modifiedRequest.received,
        absentHeaders: ['X-Header-Remove'],
      },
      ...v2,
    },
  ],
);

export const HTTPRouteRewritePath = sameNamespaceCases(
  'HTTPRouteRewritePath',
  'An HTTPRoute with path rewrite filter',
  ['Gateway', 'HTTPRoute', 'HTTPRoutePathRewrite'],
  'httproute-rewrite-path',
  ['rewrite-path'],
  [
    { request: { path: '/prefix/one/two' }, expectedRequest: { path: '/one/two' }, ...v1 },
    { request: { path: '/strip-prefix/three' }, expectedRequest: { path: '/three' }, ...v1 },
    { request: { path: '/strip-prefix' }, expectedRequest: { path: '/' }, ...v1 },
    { request: { path: '/full/one/two' }, expectedRequest: { path: '/one' }, ...v1 },
    {
      request: { path: '/full/rewrite-path-and-modify-headers/test', headers: modifiedRequest.sent },
      expectedRequest: {
        path: '/test',
        headers: modifiedRequest.received,
        absentHeaders: ['X-Header-Remove'],
      },
      ...v1,
    },
    {
      request: { path: '/prefix/rewrite-path-and-modify-headers/one', headers: modifiedRequest.sent },
      expectedRequest: {
        path: '/prefix/one',
        headers: modifiedRequest.received,
        absentHeaders: ['X-Header-Remove'],
      },
      ...v1,
    },
  ],
);
