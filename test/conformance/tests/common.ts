/**
 * Shapes the cases share: "the Gateway and these routes are accepted and resolved" and "each of
 * these expected responses, in parallel subtests named as upstream names them".
 */
import {
  type ExpectedResponse,
  makeRequestAndExpectEventuallyConsistentResponse,
  testCaseName,
} from '../harness/http.js';
import { INFRA_NS, type Suite } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import {
  type GatewayRef,
  gatewayAndHTTPRoutesMustBeAccepted,
  httpRouteMustHaveResolvedRefsConditionsTrue,
  type NamespacedName,
} from '../harness/waits.js';

/** Waits until the Gateway has an address and the routes are Accepted and ResolvedRefs; returns host:port. */
/** The suite's shared Gateway, in the infra namespace. */
export const sameNamespace = { namespace: INFRA_NS, name: 'same-namespace' };
/** A resource of the infra namespace, by name. */
export const infra = (name: string) => ({ namespace: INFRA_NS, name });

export async function acceptedAndResolved(
  t: T,
  s: Suite,
  gw: GatewayRef,
  routes: readonly NamespacedName[],
): Promise<string> {
  const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, gw, routes);
  for (const route of routes) await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, route, gw);
  return gwAddr;
}

/** One parallel subtest per case, each waiting for a consistent answer. */
export async function expectResponses(
  t: T,
  s: Suite,
  gwAddr: string,
  cases: readonly ExpectedResponse[],
): Promise<void> {
  await t.parallel(
    cases.map((tc, i) => [
      testCaseName(tc, i),
      (t: T) => makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, tc),
    ]),
  );
}

/** The expected response for a request that must reach `backend` in `namespace`. */
export function toBackend(
  request: ExpectedResponse['request'],
  backend: string,
  namespace: string,
): ExpectedResponse {
  return { request, backend, namespace };
}

/** The expected response for a request that must get `status` (and no backend check). */
export function withStatus(request: ExpectedResponse['request'], status: number): ExpectedResponse {
  return { request, response: { statusCode: status } };
}
