/**
 * Services of several types behind one route: headless Services and hand-managed EndpointSlices
 * (IPv4 and IPv6), filled here with the addresses of the infra backend's pods.
 */

import { type ConformanceTest, INFRA_NS, type Suite } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import { acceptedAndResolved, expectResponses, infra, sameNamespace } from './common.js';

interface PodObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; uid?: string };
  status?: { podIPs?: { ip: string }[]; podIP?: string };
  [field: string]: unknown;
}

export const HTTPRouteServiceTypes: ConformanceTest = {
  shortName: 'HTTPRouteServiceTypes',
  description: 'A single HTTPRoute should be able to route traffic to various service type backends',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/httproute-service-types.yaml'],
  async test(t, s) {
    const gwAddr = await acceptedAndResolved(t, s, sameNamespace, [infra('service-types')]);
    const pods = await deploymentPods(t, s, 'infra-backend-v1');
    for (const slice of [
      'manual-endpointslices-ip4',
      'manual-endpointslices-ip6',
      'headless-manual-endpointslices-ip4',
      'headless-manual-endpointslices-ip6',
    ]) {
      await fillEndpointSlice(s, slice, pods);
    }
    await expectResponses(
      t,
      s,
      gwAddr,
      ['headless', 'manual-endpointslices', 'headless-manual-endpointslices'].map((path) => ({
        request: { path: `/${path}` },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: INFRA_NS,
      })),
    );
  },
};

/** The Deployment's pods, found by its selector as upstream lists them. */
async function deploymentPods(t: T, s: Suite, name: string): Promise<PodObject[]> {
  const deployment = await s.kube.mustGet({ apiVersion: 'apps/v1', kind: 'Deployment', ...infra(name) });
  const matchLabels =
    (deployment.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
  const pods = (await s.kube.list<PodObject>('v1', 'Pod', INFRA_NS)).filter((pod) =>
    Object.entries(matchLabels).every(([k, v]) => pod.metadata.labels?.[k] === v),
  );
  if (pods.length === 0) t.fatal(`expected ${name} to have running Pods`);
  return pods;
}

/** Fills a hand-managed EndpointSlice with the pods' addresses of the slice's family. */
async function fillEndpointSlice(s: Suite, name: string, pods: readonly PodObject[]): Promise<void> {
  const ref = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...infra(name) };
  const slice = await s.kube.mustGet(ref);
  const ipv6 = slice.addressType === 'IPv6';
  const endpoints = pods.flatMap((pod) =>
    (pod.status?.podIPs ?? [])
      .map((a) => a.ip)
      .filter((ip) => ip.includes(':') === ipv6)
      .map((ip) => ({
        addresses: [ip],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: {
          kind: 'Pod',
          name: pod.metadata.name,
          namespace: pod.metadata.namespace,
          uid: pod.metadata.uid,
        },
      })),
  );
  await s.kube.mergePatch(ref, { endpoints });
}
