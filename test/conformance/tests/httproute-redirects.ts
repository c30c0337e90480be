/**
 * RequestRedirect cases: hostname and status (core), path (prefix and full), port, scheme, port
 * and scheme on listeners at 80, 8080 and 443 (the Location port is left out or is the scheme's
 * default unless the case says otherwise), and the 303, 307 and 308 status codes.
 */
import type { ExpectedResponse } from '../harness/http.js';
import type { RedirectRequest } from '../harness/roundtrip.js';
import { type ConformanceTest, INFRA_NS } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../harness/tls.js';
import { acceptedAndResolved, expectResponses, infra } from './common.js';

const ns = INFRA_NS;

function redirect(
  path: string,
  status: number,
  to?: Partial<RedirectRequest>,
  method?: string,
): ExpectedResponse {
  return {
    request: { path, unfollowRedirect: true, ...(method ? { method } : {}) },
    response: { statusCode: status },
    ...(to ? { redirectRequest: to } : {}),
    namespace: ns,
  };
}

function redirectTest(
  shortName: string,
  description: string,
  features: string[],
  manifest: string,
  route: string,
  cases: ExpectedResponse[],
  provisional = false,
): ConformanceTest {
  return {
    shortName,
    description,
    features,
    manifests: [`tests/${manifest}.yaml`],
    ...(provisional ? { provisional } : {}),
    async test(t, s) {
      const gwAddr = await acceptedAndResolved(t, s, infra('same-namespace'), [infra(route)]);
      await expectResponses(t, s, gwAddr, cases);
    },
  };
}

export const HTTPRouteRedirectHostAndStatus = redirectTest(
  'HTTPRouteRedirectHostAndStatus',
  'An HTTPRoute with hostname and statusCode redirect filters',
  ['Gateway', 'HTTPRoute'],
  'httproute-redirect-host-and-status',
  'redirect-host-and-status',
  [
    redirect('/hostname-redirect', 302, { host: 'example.org' }),
    redirect('/host-and-status', 301, { host: 'example.org' }),
  ],
);

export const HTTPRouteRedirectPath = redirectTest(
  'HTTPRouteRedirectPath',
  'An HTTPRoute with scheme redirect filter',
  ['Gateway', 'HTTPRoute', 'HTTPRoutePathRedirect'],
  'httproute-redirect-path',
  'redirect-path',
  [
    redirect('/original-prefix/lemon', 302, { path: '/replacement-prefix/lemon' }),
    redirect('/full/path/original', 302, { path: '/full-path-replacement' }),
    redirect('/path-and-host', 302, { host: 'example.org', path: '/replacement-prefix' }),
    redirect('/path-and-status', 301, { path: '/replacement-prefix' }),
    redirect('/full-path-and-host', 302, { host: 'example.org', path: '/replacement-full' }),
    redirect('/full-path-and-status', 301, { path: '/replacement-full' }),
  ],
);

export const HTTPRouteRedirectPort = redirectTest(
  'HTTPRouteRedirectPort',
  'An HTTPRoute with a port redirect filter',
  ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect'],
  'httproute-redirect-port',
  'redirect-port',
  [
    redirect('/port', 302, { port: '8083' }),
    redirect('/port-and-host', 302, { host: 'example.org', port: '8083' }),
    redirect('/port-and-status', 301, { port: '8083' }),
    redirect('/port-and-host-and-status', 302, { port: '8083', host: 'example.org' }),
  ],
);

export const HTTPRouteRedirectScheme = redirectTest(
  'HTTPRouteRedirectScheme',
  'An HTTPRoute with a scheme redirect filter',
  ['Gateway', 'HTTPRoute', 'HTTPRouteSchemeRedirect'],
  'httproute-redirect-scheme',
  'redirect-scheme',
  [
    redirect('/scheme', 302, { scheme: 'https' }),
    redirect('/scheme-and-host', 302, { host: 'example.org', scheme: 'https' }),
    redirect('/scheme-and-status', 301, { scheme: 'https' }),
    redirect('/scheme-and-host-and-status', 302, { scheme: 'https', host: 'example.org' }),
  ],
);

export const HTTPRoute303Redirect = redirectTest(
  'HTTPRoute303Redirect',
  'An HTTPRoute with a 303 redirect filter',
  ['Gateway', 'HTTPRoute', 'HTTPRoute303RedirectStatusCode'],
  'httproute-303-redirect',
  '303-redirect',
  [redirect('/see-other', 303, { path: '/see-other' }, 'POST')],
  true,
);

export const HTTPRoute307Redirect = redirectTest(
  'HTTPRoute307Redirect',
  'An HTTPRoute with a 307 redirect filter',
  ['Gateway', 'HTTPRoute', 'HTTPRoute307RedirectStatusCode'],
  'httproute-307-redirect',
  '307-redirect',
  [redirect('/temporary', 307, { path: '/temporary' })],
  true,
);

export const HTTPRoute308Redirect = redirectTest(
  'HTTPRoute308Redirect',
  'An HTTPRoute with a 308 redirect filter',
  ['Gateway', 'HTTPRoute', 'HTTPRoute308RedirectStatusCode'],
  'httproute-308-redirect',
  '308-redirect',
  [redirect('/permanent', 308, { path: '/permanent' })],
  true,
);

const http = (port?: string) => ({ scheme: 'http', host: 'example.org', ...(port ? { port } : {}) });
const https = (port?: string) => ({ scheme: 'https', host: 'example.org', ...(port ? { port } : {}) });

export const HTTPRouteRedirectPortAndScheme: ConformanceTest = {
  shortName: 'HTTPRouteRedirectPortAndScheme',
  description: 'An HTTPRoute with port and scheme redirect filter',
  features: ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect', 'GatewayPort8080'],
  manifests: ['tests/httproute-redirect-port-and-scheme.yaml'],
  async test(t, s) {
    const gwAddr80 = await acceptedAndResolved(t, s, infra('same-namespace'), [
      infra('http-route-for-listener-on-port-80'),
    ]);
    const gwAddr8080 = await acceptedAndResolved(t, s, infra('same-namespace-with-http-listener-on-8080'), [
      infra('http-route-for-listener-on-port-8080'),
    ]);
    const gwAddr443 = await acceptedAndResolved(t, s, infra('same-namespace-with-https-listener'), [
      infra('http-route-for-listener-on-port-443'),
    ]);
    await t.run('http-listener-on-80', (t) =>
      expectResponses(t, s, gwAddr80, [
        redirect('/scheme-nil-and-port-nil', 302, http()),
        redirect('/scheme-nil-and-port-80', 302, http()),
        redirect('/scheme-nil-and-port-8080', 302, http('8080')),
        redirect('/scheme-https-and-port-nil', 302, https()),
        redirect('/scheme-https-and-port-443', 302, https()),
        redirect('/scheme-https-and-port-8443', 302, https('8443')),
      ]),
    );
    await t.run('http-listener-on-8080', (t) =>
      expectResponses(t, s, gwAddr8080, [
        redirect('/scheme-nil-and-port-nil', 302, http('8080')),
        redirect('/scheme-nil-and-port-80', 302, http()),
        redirect('/scheme-https-and-port-nil', 302, https()),
      ]),
    );
    const serverCert = s.keyPair(`${ns}/tls-validity-checks-certificate`).certPem;
    const httpsCases: ExpectedResponse[] = [
      ['/scheme-nil-and-port-nil', https()],
      ['/scheme-nil-and-port-443', https()],
      ['/scheme-nil-and-port-8443', https('8443')],
      ['/scheme-http-and-port-nil', http()],
      ['/scheme-http-and-port-80', http()],
      ['/scheme-http-and-port-8080', http('8080')],
    ].map(([path, to]) => ({
      request: { host: 'example.org', path: path as string, unfollowRedirect: true },
      response: { statusCode: 302 },
      redirectRequest: to as Partial<RedirectRequest>,
      namespace: ns,
    }));
    await t.run('https-listener-on-443', (t) =>
      t.parallel(
        httpsCases.map((tc, i) => [
          `${i} request to '${tc.request.path}'`,
          (t: T) =>
            makeTLSRequestAndExpectEventuallyConsistentResponse(
              t,
              s.client,
              gwAddr443,
              serverCert,
              'example.org',
              tc,
            ),
        ]),
      ),
    );
  },
};
