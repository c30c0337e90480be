/**
 * Reference cases: routes and backends across namespaces (with, without and with the wrong
 * ReferenceGrant, and with the grant deleted mid-test), parentRefs a Gateway refuses or that name
 * no listener, backendRefs to missing Services or unknown kinds, rules without backends, one route
 * on two Gateways, and observedGeneration after a route change.
 */

import { makeRequestAndExpectEventuallyConsistentResponse } from '../harness/http.js';
import { GATEWAY_V1 } from '../harness/kube.js';
import { gatewayParentRef } from '../harness/status.js';
import {
  APP_BACKEND_NS,
  type ConformanceTest,
  INFRA_NS,
  type Suite,
  WEB_BACKEND_NS,
} from '../harness/suite.js';
import type { T } from '../harness/t.js';
import {
  gatewayAndHTTPRoutesMustBeAccepted,
  gatewayMustHaveZeroRoutes,
  httpRouteMustHaveCondition,
  httpRouteMustHaveLatestConditions,
  httpRouteMustHaveNoAcceptedParents,
  httpRouteMustHaveResolvedRefsConditionsTrue,
  type NamespacedName,
  namespacesMustBeReady,
  routeMustHaveParents,
  waitForGatewayAddress,
} from '../harness/waits.js';
import {
  acceptedAndResolved,
  expectResponses,
  infra,
  sameNamespace,
  toBackend,
  withStatus,
} from './common.js';

export const HTTPRouteSimpleSameNamespace: ConformanceTest = {
  shortName: 'HTTPRouteSimpleSameNamespace',
  description:
    'A single HTTPRoute in the gateway-conformance-infra namespace attaches to a Gateway in the same namespace',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-simple-same-namespace.yaml'],
  async test(t, s) {
    const gwAddr = await acceptedAndResolved(t, s, sameNamespace, [infra('gateway-conformance-infra-test')]);
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

export const HTTPRouteCrossNamespace: ConformanceTest = {
  shortName: 'HTTPRouteCrossNamespace',
  description:
    'A single HTTPRoute in the gateway-conformance-web-backend namespace attaches to a Gateway in another namespace',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-cross-namespace.yaml'],
  async test(t, s) {
    const gwNN = { namespace: INFRA_NS, name: 'backend-namespaces' };
    const gwAddr = await acceptedAndResolved(t, s, gwNN, [
      { namespace: WEB_BACKEND_NS, name: 'cross-namespace' },
    ]);
    await t.run('Simple HTTP request should reach web-backend', (t) =>
      makeRequestAndExpectEventuallyConsistentResponse(
        t,
        s.client,
        gwAddr,
        toBackend({ path: '/' }, 'web-backend', WEB_BACKEND_NS),
      ),
    );
  },
};

/** A route whose only problem is a backendRef: it stays Accepted, reports the reason, answers 500. */
function invalidBackendTest(
  shortName: string,
  description: string,
  manifest: string,
  route: string,
  reason: string,
  path: string,
  features: string[] = ['Gateway', 'HTTPRoute'],
): ConformanceTest {
  return {
    shortName,
    description,
    features,
    manifests: [`tests/${manifest}.yaml`],
    async test(t, s) {
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, sameNamespace, [
        infra(route),
      ]);
      await t.run(`HTTPRoute has a ResolvedRefs Condition with status False and Reason ${reason}`, (t) =>
        httpRouteMustHaveCondition(t, s, infra(route), sameNamespace, {
          type: 'ResolvedRefs',
          status: 'False',
          reason,
        }),
      );
      await t.run('HTTP Request to the invalid backend receives a 500', (t) =>
        makeRequestAndExpectEventuallyConsistentResponse(
          t,
          s.client,
          gwAddr,
          withStatus({ method: 'GET', path }, 500),
        ),
      );
    },
  };
}

export const HTTPRouteInvalidBackendRefUnknownKind = invalidBackendTest(
  'HTTPRouteInvalidBackendRefUnknownKind',
  'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason InvalidKind when attempting to bind to a Gateway in the same namespace if the route has a BackendRef that points to an unknown Kind.',
  'httproute-invalid-backendref-unknown-kind',
  'invalid-backend-ref-unknown-kind',
  'InvalidKind',
  '/v2',
);

export const HTTPRouteInvalidNonExistentBackendRef = invalidBackendTest(
  'HTTPRouteInvalidNonExistentBackendRef',
  'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason BackendNotFound and return 500 when binding to a Gateway in the same namespace if the route has a BackendRef Service that does not exist',
  'httproute-invalid-nonexistent-backendref',
  'invalid-nonexistent-backend-ref',
  'BackendNotFound',
  '/',
);

export const HTTPRouteInvalidCrossNamespaceBackendRef = invalidBackendTest(
  'HTTPRouteInvalidCrossNamespaceBackendRef',
  'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason RefNotPermitted when the route has a BackendRef Service in the gateway-conformance-web-backend namespace and no ReferenceGrant permits it',
  'httproute-invalid-cross-namespace-backend-ref',
  'invalid-cross-namespace-backend-ref',
  'RefNotPermitted',
  '/',
  ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
);

export const HTTPRouteInvalidReferenceGrant = invalidBackendTest(
  'HTTPRouteInvalidReferenceGrant',
  'A single HTTPRoute in the gateway-conformance-infra namespace, with a backendRef in another namespace without valid ReferenceGrant, should have the ResolvedRefs condition set to False and not forward HTTP requests to any backend',
  'httproute-invalid-reference-grant',
  'reference-grant',
  'RefNotPermitted',
  '/',
  ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
);

export const HTTPRoutePartiallyInvalidViaInvalidReferenceGrant: ConformanceTest = {
  shortName: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
  description:
    'A single HTTPRoute in the gateway-conformance-infra namespace should attach to Gateway in the same namespace and respond to requests for the valid rule while rejecting the rule with an invalid ReferenceGrant',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  manifests: ['tests/httproute-partially-invalid-via-invalid-reference-grant.yaml'],
  async test(t, s) {
    const routeNN = infra('invalid-reference-grant');
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, sameNamespace, [routeNN]);
    await t.run(
      'HTTPRoute with a BackendRef in another namespace and no ReferenceGrant covering it has ResolvedRefs False/RefNotPermitted',
      (t) =>
        httpRouteMustHaveCondition(t, s, routeNN, sameNamespace, {
          type: 'ResolvedRefs',
          status: 'False',
          reason: 'RefNotPermitted',
        }),
    );
    await t.run(
      'HTTP Request to the invalid backend with an invalid ReferenceGrant should receive a 500',
      (t) =>
        makeRequestAndExpectEventuallyConsistentResponse(
          t,
          s.client,
          gwAddr,
          withStatus({ method: 'GET', path: '/v2' }, 500),
        ),
    );
    await t.run('HTTP Request to the valid sibling backend should succeed', (t) =>
      makeRequestAndExpectEventuallyConsistentResponse(
        t,
        s.client,
        gwAddr,
        toBackend({ path: '/' }, 'app-backend-v1', APP_BACKEND_NS),
      ),
    );
  },
};

export const HTTPRouteReferenceGrant: ConformanceTest = {
  shortName: 'HTTPRouteReferenceGrant',
  description:
    'A single HTTPRoute in the gateway-conformance-infra namespace, with a backendRef in the gateway-conformance-web-backend namespace, should attach to Gateway in the gateway-conformance-infra namespace',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  manifests: ['tests/httproute-reference-grant.yaml'],
  async test(t, s) {
    const gwAddr = await acceptedAndResolved(t, s, sameNamespace, [infra('reference-grant')]);
    await t.run('Simple HTTP request should reach web-backend', (t) =>
      makeRequestAndExpectEventuallyConsistentResponse(
        t,
        s.client,
        gwAddr,
        toBackend({ method: 'GET', path: '/' }, 'web-backend', WEB_BACKEND_NS),
      ),
    );
    await t.run('HTTP request should return 500 after deleting the relevant ReferenceGrant', async (t) => {
      await s.kube.delete({
        apiVersion: GATEWAY_V1,
        kind: 'ReferenceGrant',
        namespace: WEB_BACKEND_NS,
        name: 'reference-grant',
      });
      await makeRequestAndExpectEventuallyConsistentResponse(
        t,
        s.client,
        gwAddr,
        withStatus({ method: 'GET', path: '/' }, 500),
      );
    });
  },
};

export const HTTPRouteInvalidCrossNamespaceParentRef: ConformanceTest = {
  shortName: 'HTTPRouteInvalidCrossNamespaceParentRef',
  description:
    'A single HTTPRoute in the gateway-conformance-web-backend namespace should fail to attach to a Gateway in another namespace that it is not allowed to',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-invalid-cross-namespace-parent-ref.yaml'],
  async test(t, s) {
    const routeNN = { namespace: WEB_BACKEND_NS, name: 'invalid-cross-namespace-parent-ref' };
    await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, routeNN, sameNamespace);
    await t.run('HTTPRoute should have an Accepted: false condition with reason NotAllowedByListeners', (t) =>
      httpRouteMustHaveCondition(t, s, routeNN, sameNamespace, {
        type: 'Accepted',
        status: 'False',
        reason: 'NotAllowedByListeners',
      }),
    );
    await t.run('Route should not have Parents set in status', (t) =>
      httpRouteMustHaveNoAcceptedParents(t, s, routeNN),
    );
    await t.run('Gateway should have 0 Routes attached', (t) =>
      gatewayMustHaveZeroRoutes(t, s, sameNamespace),
    );
  },
};

export const HTTPRouteInvalidParentRefNotMatchingSectionName: ConformanceTest = {
  shortName: 'HTTPRouteInvalidParentRefNotMatchingSectionName',
  description:
    'A single HTTPRoute in the gateway-conformance-infra namespace should fail to attach to a Gateway in the same namespace if the route has a sectionName that does not match any listener',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-invalid-parentref-not-matching-section-name.yaml'],
  async test(t, s) {
    const routeNN = infra('httproute-listener-not-matching-section-name');
    await t.run(
      'HTTPRoute with a sectionName that does not match any Listener has Accepted False/NoMatchingParent',
      (t) =>
        httpRouteMustHaveCondition(t, s, routeNN, sameNamespace, {
          type: 'Accepted',
          status: 'False',
          reason: 'NoMatchingParent',
        }),
    );
    await t.run('Route should not have Parents accepted in status', (t) =>
      httpRouteMustHaveNoAcceptedParents(t, s, routeNN),
    );
    await t.run('Gateway should have 0 Routes attached', (t) =>
      gatewayMustHaveZeroRoutes(t, s, sameNamespace),
    );
  },
};

export const HTTPRouteNoBackendRefs: ConformanceTest = {
  shortName: 'HTTPRouteNoBackendRefs',
  description: 'HTTPRoute rules with omitted or empty backendRefs explicitly respond with 500',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-omitted-backendrefs.yaml'],
  async test(t, s) {
    const routeNN = infra('omitted-backendrefs');
    const gwAddr = await waitForGatewayAddress(t, s, sameNamespace);
    await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, routeNN, sameNamespace);
    const { namespace: _namespace, ...parentRef } = gatewayParentRef(INFRA_NS, sameNamespace.name);
    await routeMustHaveParents(
      t,
      s,
      routeNN,
      [{ parentRef, controllerName: s.controllerName, conditions: [{ type: 'Accepted', status: 'True' }] }],
      true,
    );
    await expectResponses(t, s, gwAddr, [
      toBackend({ path: '/forward' }, 'infra-backend-v1', INFRA_NS),
      withStatus({ path: '/omitted-no-forward' }, 500),
      withStatus({ path: '/empty-no-forward' }, 500),
    ]);
  },
};

export const HTTPRouteMultipleGateways: ConformanceTest = {
  shortName: 'HTTPRouteMultipleGateways',
  description:
    'An HTTPRoute that is attached to multiple Gateways receives traffic from each Gateway independently, and shared routes are accessible via all parent Gateways while dedicated routes are only accessible via their respective parent.',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-multiple-gateways.yaml'],
  async test(t, s) {
    const perGateway = (gateway: string, dedicated: string, backend: string) => async (t: T) => {
      const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, infra(gateway), [
        infra('multiple-gateways-shared-route'),
        infra(dedicated),
      ]);
      await t.run('shared route is accessible and routed to infra-backend-v1', (t) =>
        makeRequestAndExpectEventuallyConsistentResponse(
          t,
          s.client,
          gwAddr,
          toBackend({ path: '/shared' }, 'infra-backend-v1', INFRA_NS),
        ),
      );
      await t.run(`dedicated route is accessible and routed to ${backend}`, (t) =>
        makeRequestAndExpectEventuallyConsistentResponse(
          t,
          s.client,
          gwAddr,
          toBackend({ path: '/' }, backend, INFRA_NS),
        ),
      );
    };
    await t.parallel([
      [
        'Gateway same-namespace',
        perGateway('same-namespace', 'same-namespace-dedicated-route', 'infra-backend-v2'),
      ],
      [
        'Gateway all-namespaces',
        perGateway('all-namespaces', 'all-namespaces-dedicated-route', 'infra-backend-v3'),
      ],
    ]);
  },
};

interface RouteObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number };
  spec: { rules: { backendRefs: { name: string }[] }[] };
  [field: string]: unknown;
}

export const HTTPRouteObservedGenerationBump: ConformanceTest = {
  shortName: 'HTTPRouteObservedGenerationBump',
  description:
    'A HTTPRoute in the gateway-conformance-infra namespace should update the observedGeneration in all of its Status.Conditions after an update to the spec',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-observed-generation-bump.yaml'],
  async test(t, s) {
    const routeNN = infra('observed-generation-bump');
    const ref = { apiVersion: GATEWAY_V1, kind: 'HTTPRoute', ...routeNN };
    await t.run('observedGeneration should increment', async (t) => {
      await namespacesMustBeReady(t, s, [INFRA_NS]);
      const original = await s.kube.mustGet<RouteObject>(ref);
      await routeAcceptedAndResolved(t, s, routeNN);
      await httpRouteMustHaveLatestConditions(t, s, routeNN);
      const rules = structuredClone(original.spec.rules);
      rules[0]!.backendRefs[0]!.name = 'infra-backend-v2';
      await s.kube.mergePatch(ref, { spec: { rules } });
      await routeAcceptedAndResolved(t, s, routeNN);
      await httpRouteMustHaveLatestConditions(t, s, routeNN);
      const updated = await s.kube.mustGet<RouteObject>(ref);
      if (original.metadata.generation === updated.metadata.generation) {
        t.fatal('generation should change after an update');
      }
    });
  },
};

async function routeAcceptedAndResolved(t: T, s: Suite, routeNN: NamespacedName): Promise<void> {
  await httpRouteMustHaveCondition(t, s, routeNN, sameNamespace, {
    type: 'Accepted',
    status: 'True',
    reason: 'Accepted',
  });
  await httpRouteMustHaveCondition(t, s, routeNN, sameNamespace, {
    type: 'ResolvedRefs',
    status: 'True',
    reason: 'ResolvedRefs',
  });
}
