/**
 * Request matching cases: exact and prefix paths, headers, path precedence, matches merged across
 * routes, and (extended) query parameters and methods, each combined with core match types.
 */
import type { ExpectedResponse } from '../harness/http.js';
import { type ConformanceTest, INFRA_NS } from '../harness/suite.js';
import { acceptedAndResolved, expectResponses, toBackend, withStatus } from './common.js';

const ns = INFRA_NS;
const gwNN = { namespace: ns, name: 'same-namespace' };
const v1 = (request: ExpectedResponse['request']) => toBackend(request, 'infra-backend-v1', ns);
const v2 = (request: ExpectedResponse['request']) => toBackend(request, 'infra-backend-v2', ns);
const v3 = (request: ExpectedResponse['request']) => toBackend(request, 'infra-backend-v3', ns);

function sameNamespaceRouteTest(
  shortName: string,
  description: string,
  manifest: string,
  routes: string[],
  cases: ExpectedResponse[],
  extraFeature?: string,
): ConformanceTest {
  return {
    shortName,
    description,
    features: ['Gateway', 'HTTPRoute', ...(extraFeature ? [extraFeature] : [])],
    manifests: [`tests/${manifest}.yaml`],
    async test(t, s) {
      const routeNNs = routes.map((name) => ({ namespace: ns, name }));
      const gwAddr = await acceptedAndResolved(t, s, gwNN, routeNNs);
      await expectResponses(t, s, gwAddr, cases);
    },
  };
}

export const HTTPRouteExactPathMatching = sameNamespaceRouteTest(
  'HTTPRouteExactPathMatching',
  'A single HTTPRoute with exact path matching for different backends',
  'httproute-exact-path-matching',
  ['exact-matching'],
  [
    v1({ path: '/one' }),
    v2({ path: '/two' }),
    withStatus({ path: '/' }, 404),
    withStatus({ path: '/one/example' }, 404),
    withStatus({ path: '/two/' }, 404),
    withStatus({ path: '/Two' }, 404),
  ],
);

export const HTTPRouteHeaderMatching = sameNamespaceRouteTest(
  'HTTPRouteHeaderMatching',
  'A single HTTPRoute with header matching for different backends',
  'httproute-header-matching',
  ['header-matching'],
  [
    v1({ path: '/', headers: { Version: 'one' } }),
    v2({ path: '/', headers: { Version: 'two' } }),
    v1({ path: '/', headers: { Version: 'two', Color: 'orange' } }),
    withStatus({ path: '/', headers: { Color: 'orange' } }, 404),
    withStatus({ path: '/', headers: { 'Some-Other-Header': 'one' } }, 404),
    v1({ path: '/', headers: { Color: 'blue' } }),
    v1({ path: '/', headers: { Color: 'green' } }),
    v2({ path: '/', headers: { Color: 'red' } }),
    v2({ path: '/', headers: { Color: 'yellow' } }),
    withStatus({ path: '/', headers: { Color: 'purple' } }, 404),
  ],
);

export const HTTPRouteMatching = sameNamespaceRouteTest(
  'HTTPRouteMatching',
  'A single HTTPRoute with path and header matching for different backends',
  'httproute-matching',
  ['matching'],
  [
    v1({ path: '/' }),
    v1({ path: '/example' }),
    v1({ path: '/', headers: { Version: 'one' } }),
    v2({ path: '/v2' }),
    v2({ path: '/v2/example' }),
    v2({ path: '/', headers: { Version: 'two' } }),
    v2({ path: '/v2/' }),
    // Not a path segment prefix, so it must not match /v2.
    v1({ path: '/v2example' }),
    v1({ path: '/foo/v2/example' }),
  ],
);

export const HTTPRouteMatchingAcrossRoutes = sameNamespaceRouteTest(
  'HTTPRouteMatchingAcrossRoutes',
  'Two HTTPRoutes with path matching for different backends',
  'httproute-matching-across-routes',
  ['matching-part1', 'matching-part2'],
  [
    v1({ host: 'example.com', path: '/' }),
    v1({ host: 'example.com', path: '/example' }),
    v1({ host: 'example.net', path: '/example' }),
    v1({ host: 'example.com', path: '/example', headers: { Version: 'one' } }),
    v2({ host: 'example.com', path: '/v2' }),
    // v2 matches are limited to example.com.
    v1({ host: 'example.net', path: '/v2' }),
    v2({ host: 'example.com', path: '/v2/example' }),
    v2({ host: 'example.com', path: '/', headers: { Version: 'two' } }),
  ],
);

export const HTTPRoutePathMatchOrder = sameNamespaceRouteTest(
  'HTTPRoutePathMatchOrder',
  'An HTTPRoute where there are multiple matches routing to any given backend follows match order precedence',
  'httproute-path-match-order',
  ['path-matching-order'],
  [
    v3({ path: '/match/exact/one' }),
    v2({ path: '/match/exact' }),
    v1({ path: '/match' }),
    v2({ path: '/match/prefix/one/any' }),
    v1({ path: '/match/prefix/any' }),
    v3({ path: '/match/any' }),
  ],
);

export const HTTPRouteQueryParamMatching = sameNamespaceRouteTest(
  'HTTPRouteQueryParamMatching',
  'A single HTTPRoute with query param matching for different backends',
  'httproute-query-param-matching',
  ['query-param-matching'],
  [
    v1({ path: '/?animal=whale' }),
    v2({ path: '/?animal=dolphin' }),
    v3({ path: '/?animal=dolphin&color=blue' }),
    v3({ path: '/?ANIMAL=Whale' }),
    v1({ path: '/?animal=whale&otherparam=irrelevant' }),
    v2({ path: '/?animal=dolphin&color=yellow' }),
    withStatus({ path: '/?color=blue' }, 404),
    withStatus({ path: '/?animal=dog' }, 404),
    withStatus({ path: '/?animal=whaledolphin' }, 404),
    withStatus({ path: '/' }, 404),
    // Combinations with core match types.
    v1({ path: '/path1?animal=whale' }),
    v2({ path: '/?animal=whale', headers: { version: 'one' } }),
    v3({ path: '/path2?animal=whale', headers: { version: 'two' } }),
    // (path AND query) OR (path AND header AND query).
    v1({ path: '/path3?animal=shark' }),
    v1({ path: '/path4?animal=kraken', headers: { version: 'three' } }),
    withStatus({ path: '/?animal=shark' }, 404),
    withStatus({ path: '/path4?animal=kraken' }, 404),
    // Precedence: a longer path beats a query match; a header match beats a query match.
    v1({ path: '/path5?animal=hydra' }),
    v3({ path: '/?animal=hydra', headers: { version: 'four' } }),
  ],
  'HTTPRouteQueryParamMatching',
);

export const HTTPRouteMethodMatching = sameNamespaceRouteTest(
  'HTTPRouteMethodMatching',
  'A single HTTPRoute with method matching for different backends',
  'httproute-method-matching',
  ['method-matching'],
  [
    v1({ method: 'POST', path: '/' }),
    v2({ method: 'GET', path: '/' }),
    withStatus({ method: 'HEAD', path: '/' }, 404),
    // Combinations with other core matches.
    v1({ path: '/path1', method: 'GET' }),
    v2({ headers: { version: 'one' }, path: '/', method: 'PUT' }),
    v3({ headers: { version: 'two' }, path: '/path2', method: 'POST' }),
    // Matches ORed together match when only one of them is used.
    v1({ path: '/path3', method: 'PATCH' }),
    v1({ headers: { version: 'three' }, path: '/path4', method: 'DELETE' }),
    // Match types ANDed together do not match when only a subset is used.
    withStatus({ path: '/', method: 'PUT' }, 404),
    withStatus({ path: '/path4', method: 'DELETE' }, 404),
    // Precedence among several matching rules.
    v1({ path: '/path5', method: 'PATCH' }),
    // A method match outranks a header match.
    v2({ headers: { version: 'four' }, path: '/', method: 'PATCH' }),
  ],
  'HTTPRouteMethodMatching',
);
