/**
 * Protocol and rule-option cases: HTTP/2 with prior knowledge to an h2c backend port, WebSocket
 * to a kubernetes.io/ws port, request and backend-request timeouts (and "0s" turning them off),
 * named rules, parentRef.port selecting listeners, a parentRef.port no listener has, and a
 * parentRef whose sectionName and port point at different listeners.
 */
import { WebSocket } from 'ws';
import {
  awaitConvergence,
  type ExpectedResponse,
  makeRequestAndExpectEventuallyConsistentResponse,
} from '../harness/http.js';
import { H2C_PRIOR_KNOWLEDGE } from '../harness/roundtrip.js';
import { type ConformanceTest, INFRA_NS } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import {
  gatewayAndHTTPRoutesMustBeAccepted,
  gatewayMustHaveZeroRoutes,
  httpRouteMustHaveCondition,
  httpRouteMustHaveNoAcceptedParents,
  httpRouteMustHaveResolvedRefsConditionsTrue,
  namespacesMustBeReady,
} from '../harness/waits.js';
import {
  acceptedAndResolved,
  expectResponses,
  infra,
  sameNamespace,
  toBackend,
  withStatus,
} from './common.js';

const ns = INFRA_NS;
const v1 = (request: ExpectedResponse['request']) => toBackend(request, 'infra-backend-v1', ns);

export const HTTPRouteBackendProtocolH2C: ConformanceTest = {
  shortName: 'HTTPRouteBackendProtocolH2C',
  description: 'A HTTPRoute with a BackendRef that has an appProtocol kubernetes.io/h2c should be functional',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolH2C'],
  manifests: ['tests/httproute-backend-protocol-h2c.yaml'],
  async test(t, s) {
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, sameNamespace, [
      infra('backend-protocol-h2c'),
    ]);
    await t.run('http2 prior knowledge request should reach backend', (t) =>
      makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, {
        request: { path: '/', protocol: H2C_PRIOR_KNOWLEDGE },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: ns,
      }),
    );
  },
};

/** One WebSocket exchange: a text frame and a binary frame, each echoed back unchanged. */
async function websocketEcho(url: string, origin: string, timeoutMs: number): Promise<string | undefined> {
  const ws = new WebSocket(url, { origin, handshakeTimeout: timeoutMs });
  const messages: { data: Buffer; binary: boolean }[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => {
    messages.push({ data, binary });
    waiters.shift()?.();
  });
  const next = () =>
    new Promise<{ data: Buffer; binary: boolean }>((resolve, reject) => {
      const take = () => resolve(messages.shift()!);
      if (messages.length > 0) return take();
      const timer = setTimeout(() => reject(new Error('no reply within the request timeout')), timeoutMs);
      waiters.push(() => {
        clearTimeout(timer);
        take();
      });
      ws.once('close', () => reject(new Error('the connection closed')));
    });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const text = 'Websocket Support!';
    ws.send(text);
    const textReply = await next();
    if (textReply.binary || textReply.data.toString('utf8') !== text)
      return `unexpected text reply: ${textReply.data}`;
    const binary = Buffer.from([1, 2, 3, 4, 5, 6, 7]);
    ws.send(binary);
    const binaryReply = await next();
    if (!binaryReply.binary || !binaryReply.data.equals(binary))
      return `unexpected binary reply: ${binaryReply.data.toString('hex')}`;
    return undefined;
  } catch (error) {
    return `websocket exchange failed: ${(error as Error).message}`;
  } finally {
    ws.terminate();
  }
}

export const HTTPRouteBackendProtocolWebSocket: ConformanceTest = {
  shortName: 'HTTPRouteBackendProtocolWebSocket',
  description: 'A HTTPRoute with a BackendRef that has an appProtocol kubernetes.io/ws should be functional',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolWebSocket'],
  manifests: ['tests/httproute-backend-protocol-websocket.yaml'],
  async test(t, s) {
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, sameNamespace, [
      infra('backend-protocol-ws'),
    ]);
    await t.run('websocket connection should reach backend', (t: T) =>
      awaitConvergence(
        t,
        s.timeouts.requiredConsecutiveSuccesses,
        s.timeouts.maxTimeToConsistency,
        async () => {
          // Go's t.Name() has underscores for spaces; the echo server refuses an Origin with spaces.
          const origin = `ws://gateway/${t.name.replace(/\s/g, '_')}`;
          const miss = await websocketEcho(`ws://${gwAddr}/ws`, origin, s.timeouts.requestTimeout);
          if (miss) t.log(miss);
          return miss === undefined ? undefined : `${miss} (ws://${gwAddr}/ws)`;
        },
      ),
    );
  },
};

function timeoutTest(
  shortName: string,
  feature: string,
  manifest: string,
  routeName: string,
  prefix: string,
): ConformanceTest {
  return {
    shortName,
    description: `An HTTPRoute with ${feature === 'HTTPRouteRequestTimeout' ? 'request' : 'backend request'} timeout`,
    features: ['Gateway', 'HTTPRoute', feature],
    manifests: [`tests/${manifest}.yaml`],
    async test(t, s) {
      const gwAddr = await acceptedAndResolved(t, s, sameNamespace, [infra(routeName)]);
      await expectResponses(t, s, gwAddr, [
        v1({ path: `/${prefix}` }),
        withStatus({ path: `/${prefix}?delay=1s` }, 504),
        v1({ path: `/disable-${prefix}?delay=1s` }),
      ]);
    },
  };
}

export const HTTPRouteTimeoutRequest = timeoutTest(
  'HTTPRouteTimeoutRequest',
  'HTTPRouteRequestTimeout',
  'httproute-timeout-request',
  'request-timeout',
  'request-timeout',
);

export const HTTPRouteTimeoutBackendRequest = timeoutTest(
  'HTTPRouteTimeoutBackendRequest',
  'HTTPRouteBackendTimeout',
  'httproute-timeout-backend-request',
  'backend-request-timeout',
  'backend-timeout',
);

export const HTTPRouteNamedRule: ConformanceTest = {
  shortName: 'HTTPRouteNamedRule',
  description: 'An HTTPRoute with a named HTTPRouteRule',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteNamedRouteRule'],
  manifests: ['tests/httproute-named-rule.yaml'],
  provisional: true,
  async test(t, s) {
    const gwAddr = await acceptedAndResolved(t, s, sameNamespace, [infra('http-named-rules')]);
    await expectResponses(t, s, gwAddr, [
      v1({ path: '/named' }),
      toBackend({ path: '/unnamed' }, 'infra-backend-v2', ns),
    ]);
  },
};

export const HTTPRouteListenerPortMatching: ConformanceTest = {
  shortName: 'HTTPRouteListenerPortMatching',
  description: 'Multiple HTTP listeners with different ports, each with a different HTTPRoute',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
  manifests: ['tests/httproute-listener-port-matching.yaml'],
  async test(t, s) {
    await namespacesMustBeReady(t, s, [ns]);
    const gw = (listener: string) => ({
      namespace: ns,
      name: 'httproute-listener-port-matching',
      listenerNames: [listener],
    });
    const byPort: Record<string, string> = {
      '80': await acceptedAndResolved(t, s, gw('listener-1'), [infra('backend-v1')]),
      '8080': await acceptedAndResolved(t, s, gw('listener-2'), [infra('backend-v2')]),
      '8090': await acceptedAndResolved(t, s, gw('listener-4'), [infra('backend-v3')]),
    };
    const cases: ExpectedResponse[] = [
      v1({ host: 'foo.com', path: '/' }),
      toBackend({ host: 'foo.com:8080', path: '/' }, 'infra-backend-v2', ns),
      toBackend({ host: 'bar.com:8080', path: '/' }, 'infra-backend-v2', ns),
      toBackend({ host: 'foo.com:8090', path: '/' }, 'infra-backend-v3', ns),
      withStatus({ host: 'bar.com:8090', path: '/' }, 404),
    ];
    await t.parallel(
      cases.map((tc, i) => [
        `${i} request to '${tc.request.host}${tc.request.path}'`,
        (t: T) => {
          const port = tc.request.host?.split(':')[1] ?? '80';
          return makeRequestAndExpectEventuallyConsistentResponse(
            t,
            s.client,
            byPort[port] ?? byPort['80']!,
            tc,
          );
        },
      ]),
    );
  },
};

export const HTTPRouteInvalidParentRefSectionNameNotMatchingPort: ConformanceTest = {
  shortName: 'HTTPRouteInvalidParentRefSectionNameNotMatchingPort',
  description:
    'A single HTTPRoute in the gateway-conformance-infra namespace should fail to attach to a listener when its parentRef names a listener but a port that listener does not have',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
  manifests: ['tests/httproute-invalid-parentref-section-name-not-matching-port.yaml'],
  async test(t, s) {
    const gwNN = infra('gateway-with-one-not-matching-port-and-section-name-route');
    const routeNN = infra('httproute-listener-section-name-not-matching-port');
    await t.run(
      'HTTPRoute with a sectionName and a port that do not match the same listener has Accepted False/NoMatchingParent',
      (t) =>
        httpRouteMustHaveCondition(t, s, routeNN, gwNN, {
          type: 'Accepted',
          status: 'False',
          reason: 'NoMatchingParent',
        }),
    );
    await t.run('Route should not have Parents accepted in status', (t) =>
      httpRouteMustHaveNoAcceptedParents(t, s, routeNN),
    );
    await t.run('Gateway should have 0 Routes attached', (t) => gatewayMustHaveZeroRoutes(t, s, gwNN));
  },
};

export const HTTPRouteInvalidParentRefNotMatchingListenerPort: ConformanceTest = {
  shortName: 'HTTPRouteInvalidParentRefNotMatchingListenerPort',
  description:
    'A single HTTPRoute in the gateway-conformance-infra namespace should set the Accepted status to False with reason NoMatchingParent when attempting to bind to a Gateway that does not have a matching ListenerPort.',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteDestinationPortMatching'],
  manifests: ['tests/httproute-invalid-parentref-not-matching-listener-port.yaml'],
  async test(t, s) {
    const routeNN = infra('httproute-listener-not-matching-route-port');
    await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, routeNN, sameNamespace);
    await t.run(
      'HTTPRoute with no matching port in ParentRef has an Accepted Condition with status False and Reason NoMatchingParent',
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
