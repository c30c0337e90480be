/** HTTPRouteSimpleSameNamespace: a route in the Gateway's namespace reaches infra-backend-v1. */
import { makeRequestAndExpectEventuallyConsistentResponse } from '../harness/http.js';
import { type ConformanceTest, INFRA_NS } from '../harness/suite.js';
import {
  gatewayAndHTTPRoutesMustBeAccepted,
  httpRouteMustHaveResolvedRefsConditionsTrue,
} from '../harness/waits.js';

export const HTTPRouteSimpleSameNamespace: ConformanceTest = {
  shortName: 'HTTPRouteSimpleSameNamespace',
  description:
    'A single HTTPRoute in the gateway-conformance-infra namespace attaches to a Gateway in the same namespace',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-simple-same-namespace.yaml'],
  async test(t, s) {
    const routeNN = { namespace: INFRA_NS, name: 'gateway-conformance-infra-test' };
    const gwNN = { namespace: INFRA_NS, name: 'same-namespace' };
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, gwNN, [routeNN]);
    await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, routeNN, gwNN);
    await t.run('Simple HTTP request should reach infra-backend', (t) =>
      makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, {
        request: { path: '/' },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: INFRA_NS,
      }),
    );
  },
};
