/**
 * Hostname cases: route and listener hostname intersection, several HTTP listeners on one port
 * told apart by Host, HTTPS listeners with SNI, listener isolation (a request is served only by
 * the most specific matching listener's routes) and, over HTTP/2, 421 for misdirected requests.
 */
import type { ExpectedResponse } from '../harness/http.js';
import { testCaseName } from '../harness/http.js';
import { H2_PROTOCOL } from '../harness/roundtrip.js';
import { gatewayParentRef } from '../harness/status.js';
import { type ConformanceTest, INFRA_NS, type Suite } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../harness/tls.js';
import {
  gatewayAndHTTPRoutesMustBeAccepted,
  gatewayStatusMustHaveListeners,
  httpRouteMustHaveResolvedRefsConditionsTrue,
  namespacesMustBeReady,
  routeMustHaveParents,
} from '../harness/waits.js';
import { acceptedAndResolved, expectResponses, toBackend, withStatus } from './common.js';

const ns = INFRA_NS;
const HTTPROUTE_KIND = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }];
const backend = (name: string) => (request: ExpectedResponse['request']) => toBackend(request, name, ns);
const v1 = backend('infra-backend-v1');
const v2 = backend('infra-backend-v2');
const v3 = backend('infra-backend-v3');
const notFound = (request: ExpectedResponse['request']) => withStatus(request, 404);

export const HTTPRouteHostnameIntersection: ConformanceTest = {
  shortName: 'HTTPRouteHostnameIntersection',
  description:
    'HTTPRoutes should attach to listeners only if they have intersecting hostnames, and should accept requests only for the intersecting hostnames',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-hostname-intersection.yaml'],
  async test(t, s) {
    const gwNN = { namespace: ns, name: 'httproute-hostname-intersection' };
    // This test creates additional Gateways in the infra namespace, so wait for them.
    await namespacesMustBeReady(t, s, [ns]);
    await t.run('HTTPRoutes that do intersect with listener hostnames', async (t) => {
      const routes = [
        'specific-host-matches-listener-specific-host',
        'specific-host-matches-listener-wildcard-host',
        'wildcard-host-matches-listener-specific-host',
        'wildcard-host-matches-listener-wildcard-host',
      ].map((name) => ({ namespace: ns, name }));
      const gwAddr = await acceptedAndResolved(t, s, gwNN, routes);
      await expectResponses(t, s, gwAddr, [
        v1({ host: 'very.specific.com', path: '/s1' }),
        v1({ host: 'very.specific.com:1234', path: '/s1' }),
        notFound({ host: 'non.matching.com', path: '/s1' }),
        notFound({ host: 'foo.nonmatchingwildcard.io', path: '/s1' }),
        notFound({ host: 'foo.wildcard.io', path: '/s1' }),
        notFound({ host: 'very.specific.com', path: '/non-matching-prefix' }),
        v2({ host: 'foo.wildcard.io', path: '/s2' }),
        v2({ host: 'bar.wildcard.io', path: '/s2' }),
        v2({ host: 'foo.bar.wildcard.io', path: '/s2' }),
        notFound({ host: 'non.matching.com', path: '/s2' }),
        notFound({ host: 'wildcard.io', path: '/s2' }),
        notFound({ host: 'very.specific.com', path: '/s2' }),
        notFound({ host: 'foo.wildcard.io', path: '/non-matching-prefix' }),
        v3({ host: 'very.specific.com', path: '/s3' }),
        notFound({ host: 'non.matching.com', path: '/s3' }),
        notFound({ host: 'foo.specific.com', path: '/s3' }),
        notFound({ host: 'foo.wildcard.io', path: '/s3' }),
        notFound({ host: 'very.specific.com', path: '/non-matching-prefix' }),
        v1({ host: 'foo.anotherwildcard.io', path: '/s4' }),
        v1({ host: 'bar.anotherwildcard.io', path: '/s4' }),
        v1({ host: 'foo.bar.anotherwildcard.io', path: '/s4' }),
        notFound({ host: 'anotherwildcard.io', path: '/s4' }),
        notFound({ host: 'foo.wildcard.io', path: '/s4' }),
        notFound({ host: 'very.specific.com', path: '/s4' }),
        notFound({ host: 'foo.anotherwildcard.io', path: '/non-matching-prefix' }),
      ]);
    });
    await t.run('AttachedRoutes counts only the routes each listener accepted', (t) =>
      gatewayStatusMustHaveListeners(
        t,
        s,
        gwNN,
        [
          ['listener-1', 2],
          ['listener-2', 1],
          ['listener-3', 1],
        ].map(([name, attachedRoutes]) => ({
          name: String(name),
          supportedKinds: HTTPROUTE_KIND,
          conditions: [{ type: 'Accepted', status: 'True' }],
          attachedRoutes: Number(attachedRoutes),
        })),
      ),
    );
    await t.run('HTTPRoutes that do not intersect with listener hostnames', async (t) => {
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, gwNN, []);
      await routeMustHaveParents(
        t,
        s,
        { namespace: ns, name: 'no-intersecting-hosts' },
        [
          {
            parentRef: gatewayParentRef(ns, gwNN.name),
            controllerName: s.controllerName,
            conditions: [{ type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' }],
          },
        ],
        true,
      );
      await expectResponses(t, s, gwAddr, [
        notFound({ host: 'specific.but.wrong.com', path: '/s5' }),
        notFound({ host: 'wildcard.io', path: '/s5' }),
      ]);
    });
    await t.run('A listener without a hostname serves the route hostnames', async (t) => {
      const allNN = { namespace: ns, name: 'httproute-hostname-intersection-all' };
      const gwAddr = await acceptedAndResolved(t, s, allNN, [allNN]);
      await expectResponses(t, s, gwAddr, [
        v2({ host: 'first.com', path: '/' }),
        v2({ host: 'sub.first.com', path: '/' }),
        v2({ host: 'second.com', path: '/' }),
        v2({ host: 'sub.second.com', path: '/' }),
        notFound({ host: 'third.com', path: '/' }),
      ]);
    });
  },
};

export const HTTPRouteListenerHostnameMatching: ConformanceTest = {
  shortName: 'HTTPRouteListenerHostnameMatching',
  description:
    'Multiple HTTP listeners with the same port and different hostnames, each with a different HTTPRoute',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-listener-hostname-matching.yaml'],
  async test(t, s) {
    await namespacesMustBeReady(t, s, [ns]);
    const gw = (...listenerNames: string[]) => ({
      namespace: ns,
      name: 'httproute-listener-hostname-matching',
      listenerNames,
    });
    const route = (name: string) => ({ namespace: ns, name });
    await acceptedAndResolved(t, s, gw('listener-1'), [route('backend-v1')]);
    await acceptedAndResolved(t, s, gw('listener-2'), [route('backend-v2')]);
    const gwAddr = await acceptedAndResolved(t, s, gw('listener-3', 'listener-4'), [route('backend-v3')]);
    await expectResponses(t, s, gwAddr, [
      v1({ host: 'bar.com', path: '/' }),
      v2({ host: 'foo.bar.com', path: '/' }),
      v3({ host: 'baz.bar.com', path: '/' }),
      v3({ host: 'boo.bar.com', path: '/' }),
      v3({ host: 'multiple.prefixes.bar.com', path: '/' }),
      v3({ host: 'multiple.prefixes.foo.com', path: '/' }),
      notFound({ host: 'foo.com', path: '/' }),
      notFound({ host: 'no.matching.host', path: '/' }),
    ]);
  },
};

/** Runs each case over TLS with its own server name (SNI), in parallel subtests. */
async function expectTlsResponses(
  t: T,
  s: Suite,
  gwAddr: string,
  cases: readonly { serverName: string; expected: ExpectedResponse }[],
): Promise<void> {
  const serverCert = s.keyPair(`${ns}/tls-validity-checks-certificate`).certPem;
  await t.parallel(
    cases.map(({ serverName, expected }, i) => [
      testCaseName(expected, i),
      (t: T) =>
        makeTLSRequestAndExpectEventuallyConsistentResponse(
          t,
          s.client,
          gwAddr,
          serverCert,
          serverName,
          expected,
        ),
    ]),
  );
}

export const HTTPRouteHTTPSListener: ConformanceTest = {
  shortName: 'HTTPRouteHTTPSListener',
  description: "HTTPRoute attaches to a Gateway's HTTPS listener in the same namespace",
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-https-listener.yaml'],
  async test(t, s) {
    const gwNN = { namespace: ns, name: 'same-namespace-with-https-listener' };
    const routes = ['httproute-https-test', 'httproute-https-test-no-hostname'].map((name) => ({
      namespace: ns,
      name,
    }));
    const gwAddr = await acceptedAndResolved(t, s, gwNN, routes);
    const cases: [string, number, string?][] = [
      ['example.org', 200, 'infra-backend-v1'],
      ['unknown-example.org', 404],
      ['second-example.org', 200, 'infra-backend-v2'],
    ];
    await expectTlsResponses(
      t,
      s,
      gwAddr,
      cases.map(([host, status, backendName]) => ({
        serverName: host,
        expected: {
          request: { host, path: '/' },
          response: { statusCode: status },
          ...(backendName ? { backend: backendName } : {}),
          namespace: ns,
        },
      })),
    );
  },
};

export const HTTPRouteHTTPSListenerDetectMisdirectedRequests: ConformanceTest = {
  shortName: 'HTTPRouteHTTPSListenerDetectMisdirectedRequests',
  description:
    'HTTPS listeners on the same port detect misdirected requests and return HTTP 421 when appropriate',
  features: ['Gateway', 'GatewayHTTPSListenerDetectMisdirectedRequests', 'HTTPRoute'],
  manifests: ['tests/httproute-https-listener-detect-misdirected-requests.yaml'],
  async test(t, s) {
    const gwNN = { namespace: ns, name: 'same-namespace-with-https-listener' };
    const routes = [1, 2, 3, 4].map((i) => ({
      namespace: ns,
      name: `https-listener-detect-misdirected-requests-test-${i}`,
    }));
    const gwAddr = await acceptedAndResolved(t, s, gwNN, routes);
    const cases: [serverName: string, host: string, status: number, backend?: string][] = [
      ['example.org', 'example.org', 200, 'infra-backend-v1'],
      ['example.org', 'second-example.org', 421],
      ['example.org', 'unknown-example.org', 404],
      ['second-example.org', 'second-example.org', 200, 'infra-backend-v2'],
      ['second-example.org', 'example.org', 421],
      ['second-example.org', 'unknown-example.org', 421],
      ['third-example.wildcard.org', 'third-example.wildcard.org', 200, 'infra-backend-v3'],
      ['third-example.wildcard.org', 'fith-example.wildcard.org', 200, 'infra-backend-v3'],
      ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421],
      ['third-example.wildcard.org', 'second-example.org', 421],
      ['third-example.wildcard.org', 'unknown-example.org', 421],
      // infra-backend-v4 does not exist, so the fourth route reuses infra-backend-v1.
      ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 200, 'infra-backend-v1'],
      ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
      ['unknown-example.org', 'example.org', 200, 'infra-backend-v1'],
      ['unknown-example.org', 'unknown-example.org', 404],
    ];
    await expectTlsResponses(
      t,
      s,
      gwAddr,
      cases.map(([serverName, host, status, backendName]) => ({
        serverName,
        expected: {
          request: { host, path: '/detect-misdirected-requests', protocol: H2_PROTOCOL },
          response: { statusCodes: [status] },
          ...(backendName ? { backend: backendName } : {}),
          namespace: ns,
        },
      })),
    );
  },
};

const isolationCases: ExpectedResponse[] = [
  v1({ host: 'bar.com', path: '/empty-hostname' }),
  notFound({ host: 'bar.com', path: '/wildcard-example-com' }),
  notFound({ host: 'bar.com', path: '/wildcard-foo-example-com' }),
  notFound({ host: 'bar.com', path: '/abc-foo-example-com' }),
  notFound({ host: 'bar.example.com', path: '/empty-hostname' }),
  v1({ host: 'bar.example.com', path: '/wildcard-example-com' }),
  notFound({ host: 'bar.example.com', path: '/wildcard-foo-example-com' }),
  notFound({ host: 'bar.example.com', path: '/abc-foo-example-com' }),
  notFound({ host: 'bar.foo.example.com', path: '/empty-hostname' }),
  notFound({ host: 'bar.foo.example.com', path: '/wildcard-example-com' }),
  v1({ host: 'bar.foo.example.com', path: '/wildcard-foo-example-com' }),
  notFound({ host: 'bar.foo.example.com', path: '/abc-foo-example-com' }),
  notFound({ host: 'abc.foo.example.com', path: '/empty-hostname' }),
  notFound({ host: 'abc.foo.example.com', path: '/wildcard-example-com' }),
  {
    request: { host: 'abc.foo.example.com', path: '/wildcard-foo-example-com' },
    response: { statusCode: 404 },
    namespace: ns,
  },
  v1({ host: 'abc.foo.example.com', path: '/abc-foo-example-com' }),
];

export const GatewayHTTPListenerIsolation: ConformanceTest = {
  shortName: 'GatewayHTTPListenerIsolation',
  description: 'Listener isolation for HTTP listeners with multiple listeners and HTTPRoutes',
  features: ['Gateway', 'GatewayHTTPListenerIsolation', 'HTTPRoute'],
  manifests: [
    'tests/gateway-http-listener-isolation.yaml',
    'tests/gateway-http-listener-isolation-with-hostname-intersection.yaml',
  ],
  async test(t, s) {
    await namespacesMustBeReady(t, s, [ns]);
    const variants: [string, string, string][] = [
      ['hostnames are configured only in listeners', 'http-listener-isolation', ''],
      [
        'intersecting hostnames are configured in listeners and HTTPRoutes',
        'http-listener-isolation-with-hostname-intersection',
        '-with-hostname-intersection',
      ],
    ];
    for (const [name, gateway, suffix] of variants) {
      await t.run(name, async (t) => {
        const gwNN = { namespace: ns, name: gateway };
        const routes = [
          'empty-hostname',
          'wildcard-example-com',
          'wildcard-foo-example-com',
          'abc-foo-example-com',
        ].map((target) => ({ namespace: ns, name: `attaches-to-${target}${suffix}` }));
        const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, gwNN, routes);
        for (const route of routes) await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, route, gwNN);
        await expectResponses(t, s, gwAddr, isolationCases);
      });
    }
  },
};
