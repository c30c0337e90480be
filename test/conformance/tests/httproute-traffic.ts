/**
 * Traffic-shape cases: weighted backends (500 requests, 10 at a time, each share within ±5
 * points, up to 10 attempts, with upstream's random delay/X-Jitter entropy), per-backendRef
 * header filters under weights, and request mirroring (found in the mirror pods' logs; for
 * percentage mirroring, counted over 500 requests within ±3 binomial standard deviations).
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  compareRoundTrip,
  describeExchange,
  type ExpectedResponse,
  makeRequest,
  makeRequestAndExpectEventuallyConsistentResponse,
  testCaseName,
} from '../harness/http.js';
import { type ConformanceTest, INFRA_NS, type Suite } from '../harness/suite.js';
import { poll, sleep, type T } from '../harness/t.js';
import { acceptedAndResolved } from './common.js';

const ns = INFRA_NS;
const gwNN = { namespace: ns, name: 'same-namespace' };
const route = (name: string) => ({ namespace: ns, name });

/** Runs `send` `total` times with at most `limit` at once; rejects on the first failure. */
async function runLimited(total: number, limit: number, send: () => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      await send();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Upstream's AddEntropy: a random delay below 1 s, a random X-Jitter header, or both. */
async function withEntropy(expected: ExpectedResponse): Promise<ExpectedResponse> {
  const choice = randomInt(3);
  if (choice !== 1) await sleep(randomInt(1000));
  if (choice === 0) return expected;
  return { ...expected, request: { ...expected.request, headers: { 'X-Jitter': String(randomInt(10000)) } } };
}

/** One round of 500 requests; answers the reasons the distribution is off, or [] when it is right. */
async function weightedDistribution(
  s: Suite,
  gwAddr: string,
  expected: ExpectedResponse,
  weights: Record<string, number>,
): Promise<string[]> {
  const total = 500;
  const seen = new Map<string, number>();
  await runLimited(total, 10, async () => {
    const unique = await withEntropy(expected);
    const req = makeRequest(s.client, unique, gwAddr, 'http');
    const rt = await s.client.roundTrip(req);
    const mismatch = compareRoundTrip(req, rt, expected);
    if (mismatch)
      throw new Error(
        `response expectation failed for request: ${mismatch}\n${describeExchange(req, expected, rt)}`,
      );
    const backend = Object.keys(weights).find((name) => rt.request.pod.startsWith(name));
    if (!backend) throw new Error(`request was handled by an unexpected pod "${rt.request.pod}"`);
    seen.set(backend, (seen.get(backend) ?? 0) + 1);
  });
  const errors: string[] = [];
  const active = Object.values(weights).filter((w) => w > 0).length;
  if (seen.size !== active)
    errors.push(`expected ${active} backends to receive traffic, but got ${seen.size}`);
  for (const [backend, want] of Object.entries(weights)) {
    const got = (seen.get(backend) ?? 0) / total;
    if (!seen.has(backend) && want !== 0) {
      errors.push(`expect traffic to hit backend "${backend}" - but none was received`);
    } else if (Math.abs(got - want) > 0.05) {
      errors.push(`backend "${backend}" weighted traffic of ${got} not within tolerance ${want} (+/-0.05)`);
    }
  }
  return errors.sort();
}

export const HTTPRouteWeight: ConformanceTest = {
  shortName: 'HTTPRouteWeight',
  description: 'An HTTPRoute with weighted backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-weight.yaml'],
  async test(t, s) {
    const gwAddr = await acceptedAndResolved(t, s, gwNN, [route('weighted-backends')]);
    await t.run('Requests should have a distribution that matches the weight', async (t) => {
      const expected: ExpectedResponse = {
        request: { path: '/' },
        response: { statusCode: 200 },
        namespace: ns,
      };
      await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, expected);
      const weights = { 'infra-backend-v1': 0.7, 'infra-backend-v2': 0.3, 'infra-backend-v3': 0 };
      for (let attempt = 1; attempt <= 10; attempt++) {
        const errors = await weightedDistribution(s, gwAddr, expected, weights).catch((e: Error) => [
          e.message,
        ]);
        if (errors.length === 0) return;
        t.log(`Traffic distribution test failed (${attempt}/10): ${errors.join('; ')}`);
      }
      t.fatal('Weighted distribution tests failed');
    });
  },
};

export const HTTPRouteRequestHeaderModifierBackendWeights: ConformanceTest = {
  shortName: 'HTTPRouteRequestHeaderModifierBackendWeights',
  description:
    'An HTTPRoute with backend request header modifier filter sends traffic to the correct backends',
  features: ['Gateway', 'HTTPRouteBackendRequestHeaderModification', 'HTTPRoute'],
  manifests: ['tests/httproute-request-header-modifier-backend-weights.yaml'],
  async test(t, s) {
    const gwAddr = await acceptedAndResolved(t, s, gwNN, [route('request-header-modifier-backend-weights')]);
    const expected: ExpectedResponse = {
      request: { path: '/' },
      response: { statusCode: 200 },
      namespace: ns,
    };
    const req = makeRequest(s.client, expected, gwAddr, 'http');
    await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, expected);
    for (let i = 0; i < 100; i++) {
      const rt = await s.client.roundTrip(req);
      const backends = rt.request.headers?.Backend ?? [];
      if (backends.length !== 1)
        t.fatal(
          `expected a single 'Backend' header to have been set, got ${backends.length}\n${describeExchange(req, expected, rt)}`,
        );
      if (!rt.request.pod.startsWith(backends[0]!)) {
        t.fatal(
          `expected the backendRef to set the header of the pod it sent the request to, got pod ${rt.request.pod}, header ${backends[0]}`,
        );
      }
    }
  },
};

interface MirrorCase extends ExpectedResponse {
  mirroredTo: { name: string; namespace: string; percent?: number }[];
}

/** Upstream's AddRequestIDQueryParam: a unique id in the query, so mirror log lines are this case's. */
function withRequestId(tc: MirrorCase, id: string): MirrorCase {
  const add = (path = '/') => `${path}${path.includes('?') ? '&' : '?'}request-id=${id}`;
  return {
    ...tc,
    request: { ...tc.request, path: add(tc.request.path) },
    ...(tc.expectedRequest
      ? { expectedRequest: { ...tc.expectedRequest, path: add(tc.expectedRequest.path) } }
      : {}),
  };
}

function mirrorLogPattern(path: string): RegExp {
  return new RegExp(`Echoing back request made to ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to client`);
}

/** Upstream's ExpectMirroredRequest: each mirror's log shows the path, checked every 1 s for 10 s. */
async function expectMirroredRequest(t: T, s: Suite, tc: MirrorCase): Promise<void> {
  const since = Date.now() - s.timeouts.maxTimeToConsistency;
  const pattern = mirrorLogPattern(tc.request.path ?? '/');
  await Promise.all(
    tc.mirroredTo.map((mirror) =>
      poll(
        t,
        `the mirrored request in ${mirror.namespace}/${mirror.name} logs`,
        1000,
        s.timeouts.requestTimeout,
        async () =>
          s.podLogs(mirror.namespace, mirror.name, since).some((line) => pattern.test(line)) ||
          `no line matching ${pattern}`,
      ),
    ),
  );
  t.log('Found mirrored request log in all desired backends');
}

const headersSent = { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1' };
const headersReceived = {
  'X-Header-Add': 'header-val-1',
  'X-Header-Add-Append': 'append-val-1,header-val-2',
  'X-Header-Set': 'set-overwrites-values',
};

function mirrorCase(path: string, mirrors: string[], modifyHeaders: boolean, percent?: number): MirrorCase {
  return {
    request: { path, ...(modifyHeaders ? { headers: headersSent } : {}) },
    expectedRequest: {
      path,
      ...(modifyHeaders ? { headers: headersReceived, absentHeaders: ['X-Header-Remove'] } : {}),
    },
    backend: 'infra-backend-v1',
    namespace: ns,
    mirroredTo: mirrors.map((name) => ({
      name,
      namespace: ns,
      ...(percent !== undefined ? { percent } : {}),
    })),
  };
}

function mirrorTest(
  shortName: string,
  description: string,
  features: string[],
  manifest: string,
  routeName: string,
  cases: MirrorCase[],
): ConformanceTest {
  return {
    shortName,
    description,
    features,
    manifests: [`tests/${manifest}.yaml`],
    async test(t, s) {
      const gwAddr = await acceptedAndResolved(t, s, gwNN, [route(routeName)]);
      await t.parallel(
        cases.map((tc, i) => [
          testCaseName(tc, i),
          async (t: T) => {
            const unique = withRequestId(tc, randomUUID());
            await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, unique);
            await expectMirroredRequest(t, s, unique);
          },
        ]),
      );
    },
  };
}

export const HTTPRouteRequestMirror = mirrorTest(
  'HTTPRouteRequestMirror',
  'An HTTPRoute with request mirror filter',
  ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror'],
  'httproute-request-mirror',
  'request-mirror',
  [
    mirrorCase('/mirror', ['infra-backend-v2'], false),
    mirrorCase('/mirror-and-modify-headers', ['infra-backend-v2'], true),
  ],
);

export const HTTPRouteRequestMultipleMirrors = mirrorTest(
  'HTTPRouteRequestMultipleMirrors',
  'An HTTPRoute with multiple request mirror filters',
  ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors'],
  'httproute-request-multiple-mirrors',
  'request-multiple-mirrors',
  [
    mirrorCase('/multi-mirror', ['infra-backend-v2', 'infra-backend-v3'], false),
    mirrorCase('/multi-mirror-and-modify-request-headers', ['infra-backend-v2', 'infra-backend-v3'], true),
  ],
);

/** Mirror log lines for this case since `sinceMs`, per mirror backend. */
function mirroredCounts(s: Suite, tc: MirrorCase, sinceMs: number): Map<string, number> {
  const pattern = mirrorLogPattern(tc.request.path ?? '/');
  return new Map(
    tc.mirroredTo.map((m) => [
      m.name,
      s.podLogs(m.namespace, m.name, sinceMs).filter((l) => pattern.test(l)).length,
    ]),
  );
}

function distributionErrors(tc: MirrorCase, counts: Map<string, number>, total: number): string[] {
  return tc.mirroredTo.flatMap((mirror) => {
    const p = (mirror.percent ?? 100) / 100;
    const margin = 3 * Math.sqrt(total * p * (1 - p));
    const actual = counts.get(mirror.name) ?? 0;
    const [min, max] = [total * p - margin, total * p + margin];
    return actual < min || actual > max
      ? [
          `pod ${mirror.name} did not meet the mirroring percentage: expected between ${min.toFixed(1)} and ${max.toFixed(1)}, got ${actual}`,
        ]
      : [];
  });
}

export const HTTPRouteRequestPercentageMirror: ConformanceTest = {
  shortName: 'HTTPRouteRequestPercentageMirror',
  description: 'An HTTPRoute with percentage based request mirroring',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestPercentageMirror'],
  manifests: ['tests/httproute-request-percentage-mirror.yaml'],
  provisional: true,
  async test(t, s) {
    const gwAddr = await acceptedAndResolved(t, s, gwNN, [route('request-percentage-mirror')]);
    const cases = [
      mirrorCase('/percent-mirror', ['infra-backend-v2'], false, 20),
      mirrorCase('/percent-mirror-fraction', ['infra-backend-v2'], false, 50),
      mirrorCase('/percent-mirror-and-modify-headers', ['infra-backend-v2'], true, 35),
    ];
    const once = { ...s.client, timeouts: { ...s.client.timeouts, requiredConsecutiveSuccesses: 1 } };
    for (const [i, tc] of cases.entries()) {
      await t.run(testCaseName(tc, i), async (t) => {
        await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, tc);
        for (let check = 1; check <= 5; check++) {
          const unique = withRequestId(tc, randomUUID());
          const since = Date.now();
          await runLimited(500, 10, () =>
            makeRequestAndExpectEventuallyConsistentResponse(t, once, gwAddr, unique),
          );
          const errors = distributionErrors(unique, mirroredCounts(s, unique, since), 500);
          if (errors.length === 0) return;
          t.log(`Traffic distribution test failed (${check}/5): ${errors.join('; ')}`);
          await sleep(2000);
        }
        t.fatal('Percentage based mirror distribution tests failed');
      });
    }
  },
};
