/**
 * HTTPRouteCORS: preflight requests answered by the Gateway (200 or 204 with the allow-* headers,
 * in any order, whitespace ignored), simple requests forwarded with allow-origin added, exact,
 * wildcard and `*` origins (with a port too), and credentials only where allowCredentials is set.
 */
import type { ExpectedResponse } from '../harness/http.js';
import { type ConformanceTest, INFRA_NS } from '../harness/suite.js';
import { acceptedAndResolved, expectResponses } from './common.js';

const ns = INFRA_NS;
/** A preflight is answered by the Gateway, so there is no echo body to compare. */
const preflightEcho = { expectedRequest: { host: '', method: 'OPTIONS', path: '' }, namespace: '' };
const requested = {
  'access-control-request-method': 'GET',
  'access-control-request-headers': 'x-header-1, x-header-2',
};
const bothOrders = (a: string, b: string) => [`${a}, ${b}`, `${b}, ${a}`];

function allowedPreflight(name: string, origin: string): ExpectedResponse {
  return {
    testCaseName: name,
    request: { path: '/cors-1', method: 'OPTIONS', headers: { Origin: origin, ...requested } },
    ...preflightEcho,
    response: {
      statusCodes: [200, 204],
      validHeaderValues: {
        'access-control-allow-origin': [origin],
        'access-control-allow-methods': bothOrders('GET', 'OPTIONS'),
        'access-control-allow-headers': bothOrders('x-header-1', 'x-header-2'),
        'access-control-expose-headers': bothOrders('x-header-3', 'x-header-4'),
        'access-control-max-age': ['3600'],
        'access-control-allow-credentials': ['true'],
      },
      ignoreWhitespace: true,
    },
  };
}

function simpleRequest(name: string, origin: string, allowed: boolean): ExpectedResponse {
  return {
    testCaseName: name,
    namespace: ns,
    request: { path: '/cors-1', method: 'GET', headers: { Origin: origin, ...requested } },
    response: allowed
      ? { statusCode: 200, headers: { 'access-control-allow-origin': origin } }
      : { absentHeaders: ['access-control-allow-origin'] },
  };
}

function wildcardOrigin(name: string, method: string, origin: string): ExpectedResponse {
  const preflight = method === 'OPTIONS';
  return {
    testCaseName: name,
    request: {
      path: '/cors-wildcard-origin',
      method,
      headers: preflight ? { Origin: origin, 'access-control-request-method': 'PUT' } : { Origin: origin },
    },
    ...(preflight ? preflightEcho : { namespace: ns }),
    response: {
      ...(preflight ? { statusCodes: [200, 204] } : { statusCode: 200 }),
      validHeaderValues: {
        // Envoy echoes the origin, others may answer "*" for a request without credentials.
        'access-control-allow-origin': [origin, '*'],
        ...(preflight ? { 'access-control-allow-methods': ['PUT'] } : {}),
      },
      ...(origin.endsWith(':12345') && !preflight
        ? {}
        : { absentHeaders: ['Access-Control-Allow-Credentials'] }),
    },
  };
}

const cases: ExpectedResponse[] = [
  allowedPreflight(
    'CORS preflight request from an exact matching origin should be allowed',
    'https://www.foo.com',
  ),
  allowedPreflight(
    'CORS preflight request from a wildcard matching origin should be allowed',
    'https://www.bar.com',
  ),
  allowedPreflight(
    "CORS preflight request from a wildcard matching any number of periods left to '*' should be allowed",
    'https://xpto.www.bar.com',
  ),
  {
    testCaseName: 'CORS preflight request from a non-matching origin should not be allowed',
    request: {
      path: '/cors-1',
      method: 'OPTIONS',
      headers: { Origin: 'https://foobar.com', 'access-control-request-method': 'GET' },
    },
    ...preflightEcho,
    response: { statusCodes: [200, 204, 403], absentHeaders: ['access-control-allow-origin'] },
  },
  simpleRequest(
    'Simple request from an exact matching origin should be allowed',
    'https://www.foo.com',
    true,
  ),
  simpleRequest(
    'Simple request from a wildcard matching origin should be allowed',
    'https://www.bar.com',
    true,
  ),
  simpleRequest(
    'Simple request from a non-matching origin should not be allowed',
    'https://foobar.com',
    false,
  ),
  {
    testCaseName: 'CORS preflight request with POST method should be allowed by allowMethods with wildcard',
    request: {
      path: '/cors-2',
      method: 'OPTIONS',
      headers: { Origin: 'https://www.foo.com', 'access-control-request-method': 'POST' },
    },
    ...preflightEcho,
    response: {
      statusCodes: [200, 204],
      validHeaderValues: { 'access-control-allow-methods': ['POST', '*'] },
      headers: { 'access-control-allow-origin': 'https://www.foo.com' },
      absentHeaders: ['access-control-allow-credentials'],
    },
  },
  {
    testCaseName:
      'CORS preflight request should not receive access-control-allow-credentials header without access-control-allow-credentials set to true',
    request: {
      path: '/cors-2',
      method: 'OPTIONS',
      headers: { Origin: 'https://www.foo.com', 'access-control-request-method': 'POST' },
    },
    ...preflightEcho,
    response: { statusCodes: [200, 204], absentHeaders: ['Access-Control-Allow-Credentials'] },
  },
  wildcardOrigin(
    "Pre-flight request from a wildcard origin should return header with '*' or with the requested Origin",
    'OPTIONS',
    'https://foobar.com',
  ),
  wildcardOrigin(
    "Pre-flight request from a wildcard origin containing a port should return header with '*' or with the requested Origin",
    'OPTIONS',
    'https://foobar.com:12345',
  ),
  wildcardOrigin(
    "Request from a wildcard origin containing a port should return header with '*' or with the requested Origin",
    'PUT',
    'https://foobar.com:12345',
  ),
  wildcardOrigin(
    "Simple request from a wildcard origin should return header with '*' or with the requested Origin",
    'PUT',
    'https://foobar.com',
  ),
  {
    testCaseName:
      'CORS preflight request requesting auth and specific method and headers should be allowed and always echo the origin',
    request: {
      path: '/cors-wildcard-methods-headers',
      method: 'OPTIONS',
      headers: { Origin: 'https://other.foo.com', ...requested, 'access-control-request-method': 'PUT' },
    },
    ...preflightEcho,
    response: {
      statusCodes: [200, 204],
      validHeaderValues: {
        'access-control-allow-origin': ['https://other.foo.com'],
        'access-control-allow-methods': ['PUT'],
        'access-control-allow-headers': bothOrders('x-header-1', 'x-header-2'),
        'access-control-allow-credentials': ['true'],
      },
      ignoreWhitespace: true,
    },
  },
  {
    testCaseName:
      'CORS preflight request requesting auth and specific method and headers should hide auth headers on unauth path',
    request: {
      path: '/cors-wildcard-methods-headers-unauth',
      method: 'OPTIONS',
      headers: { Origin: 'https://other.foo.com', ...requested, 'access-control-request-method': 'PUT' },
    },
    ...preflightEcho,
    response: {
      statusCodes: [200, 204],
      validHeaderValues: {
        'access-control-allow-origin': ['https://other.foo.com', '*'],
        'access-control-allow-methods': ['PUT', '*'],
        'access-control-allow-headers': [...bothOrders('x-header-1', 'x-header-2'), '*'],
      },
      absentHeaders: ['access-control-allow-credentials'],
      ignoreWhitespace: true,
    },
  },
  {
    testCaseName: 'CORS request with credentials auth should be allowed and always echo the origin',
    request: {
      path: '/cors-wildcard-methods-headers',
      method: 'GET',
      headers: { Origin: 'https://other.foo.com', Cookie: 'foo=bar' },
    },
    namespace: ns,
    response: {
      statusCode: 200,
      validHeaderValues: {
        'access-control-allow-origin': ['https://other.foo.com'],
        'access-control-allow-credentials': ['true'],
      },
    },
  },
  {
    testCaseName: 'CORS request with credentials should hide auth headers on unauth path',
    request: {
      path: '/cors-wildcard-methods-headers-unauth',
      method: 'GET',
      headers: { Origin: 'https://other.foo.com', Cookie: 'foo=bar' },
    },
    namespace: ns,
    response: {
      statusCode: 200,
      validHeaderValues: { 'access-control-allow-origin': ['https://other.foo.com'] },
      absentHeaders: ['access-control-allow-credentials'],
    },
  },
];

export const HTTPRouteCORS: ConformanceTest = {
  shortName: 'HTTPRouteCORS',
  description: 'An HTTPRoute with CORS filter should allow CORS requests from specified origins',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteCORS'],
  manifests: ['tests/httproute-cors.yaml'],
  async test(t, s) {
    const routes = [
      'cors-multiple-origins-methods-headers',
      'cors-wildcard-methods',
      'cors-wildcard-origin',
      'cors-wildcard-methods-headers',
    ].map((name) => ({ namespace: ns, name }));
    const gwAddr = await acceptedAndResolved(t, s, { namespace: ns, name: 'same-namespace' }, routes);
    await expectResponses(t, s, gwAddr, cases);
  },
};
