/**
 * BackendTLSPolicy cases: TLS from the Gateway to the tls-backend echo pods with the policy's SNI
 * and verification (hostname, CA, subjectAltNames), a re-encrypt through an HTTPS listener,
 * conflicts between policies, invalid CA references, and observedGeneration on the policy status.
 */
import type { ExpectedResponse } from '../harness/http.js';
import {
  makeRequestAndExpectEventuallyConsistentResponse,
  makeRequestAndExpectFailure,
} from '../harness/http.js';
import { caConfigMap } from '../harness/pki.js';
import {
  backendTLSPolicyMustHaveCondition,
  backendTLSPolicyMustHaveLatestConditions,
  policyRef,
} from '../harness/policies.js';
import type { Condition } from '../harness/status.js';
import { type ConformanceTest, INFRA_NS, type Suite } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../harness/tls.js';
import {
  gatewayAndHTTPRoutesMustBeAccepted,
  hostOf,
  httpRouteMustHaveResolvedRefsConditionsTrue,
  joinHostPort,
  namespacesMustBeReady,
} from '../harness/waits.js';
import { sameNamespace } from './common.js';

const ns = INFRA_NS;
const nn = (name: string) => ({ namespace: ns, name });
const FEATURES = ['Gateway', 'HTTPRoute', 'BackendTLSPolicy'];

const accepted: Condition = { type: 'Accepted', status: 'True', reason: 'Accepted' };
const resolvedRefs: Condition = { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' };
const noValidCa: Condition = { type: 'Accepted', status: 'False', reason: 'NoValidCACertificate' };
const conflicted: Condition = { type: 'Accepted', status: 'False', reason: 'Conflicted' };

/** A request to the tls-backend through the Gateway, and the SNI the backend must have seen. */
function viaTls(path: string, sni: string, host = 'abc.example.com'): ExpectedResponse {
  return { request: { host, path, sni }, response: { statusCodes: [200] }, namespace: ns };
}

async function gatewayReady(t: T, s: Suite, gw: { namespace: string; name: string }, route: string) {
  await namespacesMustBeReady(t, s, [ns]);
  const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, gw, [nn(route)]);
  await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, nn(route), gw);
  return gwAddr;
}

async function policyMustHave(t: T, s: Suite, policy: string, ...conditions: Condition[]) {
  for (const c of conditions) await backendTLSPolicyMustHaveCondition(t, s, nn(policy), sameNamespace, c);
}

export const BackendTLSPolicy: ConformanceTest = {
  shortName: 'BackendTLSPolicy',
  description: 'BackendTLSPolicy must be used to configure TLS connection between gateway and backend',
  features: FEATURES,
  manifests: ['tests/backendtlspolicy.yaml'],
  async test(t, s) {
    await t.run(
      'Re-encrypt HTTPS request sent to Service with valid BackendTLSPolicy should succeed',
      async (t) => {
        const gw = nn('same-namespace-with-https-listener');
        const gwAddr = await gatewayReady(t, s, gw, 'backendtlspolicy-reencrypt');
        for (const c of [accepted, resolvedRefs])
          await backendTLSPolicyMustHaveCondition(t, s, nn('normative-test'), gw, c);
        const serverCert = s.keyPair(`${ns}/tls-validity-checks-certificate`).certPem;
        await makeTLSRequestAndExpectEventuallyConsistentResponse(
          t,
          s.client,
          joinHostPort(hostOf(gwAddr), 443),
          serverCert,
          'https-listener.org',
          {
            request: { host: 'https-listener.org', path: '/backendtlspolicy', sni: 'https-listener.org' },
            expectedRequest: { path: '/backendtlspolicy', sni: 'abc.example.com' },
            response: { statusCodes: [200] },
            namespace: ns,
          },
        );
      },
    );
    const gwAddr = await gatewayReady(t, s, sameNamespace, 'backendtlspolicy');
    await t.run('HTTP request sent to Service with valid BackendTLSPolicy should succeed', async (t) => {
      await policyMustHave(t, s, 'normative-test', accepted, resolvedRefs);
      await makeRequestAndExpectEventuallyConsistentResponse(
        t,
        s.client,
        gwAddr,
        viaTls('/backendtlspolicy', 'abc.example.com'),
      );
    });
    await t.run(
      'HTTP request sent to Service targeted by BackendTLSPolicy with mismatched hostname should return an HTTP error',
      async (t) => {
        await policyMustHave(t, s, 'host-mismatch', accepted, resolvedRefs);
        await makeRequestAndExpectFailure(t, s.client, gwAddr, {
          request: {
            host: 'abc.example.org',
            path: '/backendtlspolicy-host-mismatch',
            sni: 'abc.example.com',
          },
          namespace: ns,
        });
      },
    );
    await t.run(
      'HTTP request send to Service targeted by BackendTLSPolicy with mismatched cert should return HTTP error',
      async (t) => {
        await policyMustHave(t, s, 'cert-mismatch', accepted, resolvedRefs);
        await makeRequestAndExpectFailure(t, s.client, gwAddr, {
          request: {
            host: 'abc.example.com',
            path: '/backendtlspolicy-cert-mismatch',
            sni: 'abc.example.com',
          },
          namespace: ns,
        });
      },
    );
    await t.run('BackendTLSPolicy reconciles changes to its CA certificate ConfigMap', (t) =>
      reconcileCaChanges(t, s, gwAddr),
    );
  },
};

/**
 * Points the reconcile-test policy at a ConfigMap of its own, empties that ConfigMap (the policy
 * must lose its only CA and traffic must fail), then restores it (accepted again, traffic flows).
 */
async function reconcileCaChanges(t: T, s: Suite, gwAddr: string): Promise<void> {
  const name = 'backendtlspolicy-reconcile-ca';
  const ca = await caBundle(s);
  const configMap = caConfigMap(ns, name, ca);
  await s.kube.create(configMap);
  t.cleanup(async () => {
    await s.kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name });
  });
  await s.kube.mergePatch(policyRef(nn('reconcile-test')), {
    spec: { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name }] } },
  });
  const request = viaTls('/backendtlspolicy-reconcile-test', 'abc.example.com');
  await policyMustHave(t, s, 'reconcile-test', accepted, resolvedRefs);
  await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, request);

  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name };
  await s.kube.update({ ...(await s.kube.mustGet(ref)), data: { 'ca.crt': '' } });
  await policyMustHave(t, s, 'reconcile-test', noValidCa, {
    type: 'ResolvedRefs',
    status: 'False',
    reason: 'InvalidCACertificateRef',
  });
  await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, {
    request: { host: 'abc.example.com', path: '/backendtlspolicy-reconcile-test' },
    response: { statusCodes: [500, 502, 503] },
    namespace: ns,
  });

  await s.kube.update({ ...(await s.kube.mustGet(ref)), data: { 'ca.crt': ca } });
  await policyMustHave(t, s, 'reconcile-test', accepted, resolvedRefs);
  await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, request);
}

/** The suite's tls-checks CA bundle, as the suite created it. */
async function caBundle(s: Suite): Promise<string> {
  const cm = await s.kube.mustGet({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: ns,
    name: 'tls-checks-ca-certificate',
  });
  return String((cm.data as Record<string, string> | undefined)?.['ca.crt'] ?? '');
}

export const BackendTLSPolicyConflictResolution: ConformanceTest = {
  shortName: 'BackendTLSPolicyConflictResolution',
  description:
    'Verifies that when multiple BackendTLSPolicies target the same Service, only one policy is accepted while conflicting policies are rejected, and traffic continues to route successfully.',
  features: FEATURES,
  manifests: ['tests/backendtlspolicy-conflict-resolution.yaml'],
  async test(t, s) {
    const gwAddr = await gatewayReady(t, s, sameNamespace, 'backendtlspolicy-conflict-resolution');
    const request = (path: string, sni: string) =>
      makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, viaTls(path, sni));
    for (const variant of ['without', 'with']) {
      await t.run(
        `Conflicting BackendTLSPolicies targeting the same Service ${variant} ${variant === 'with' ? 'the same section name' : 'a section name'}`,
        async (t) => {
          await t.run('First BackendTLSPolicy should be accepted', (t) =>
            policyMustHave(t, s, `conflicted-${variant}-section-name-1`, accepted),
          );
          await t.run(
            'Second BackendTLSPolicy should have a false Accepted condition with reason Conflicted ',
            (t) => policyMustHave(t, s, `conflicted-${variant}-section-name-2`, conflicted),
          );
          await t.run('HTTP request sent to Service using the accepted BackendTLSPolicy should succeed', () =>
            request(`/backendtlspolicy-conflicted-${variant}-section-name`, 'other.example.com'),
          );
        },
      );
    }
    await t.run(
      'BackendTLSPolicies targeting the same Service with and without a section name',
      async (t) => {
        await t.run('BackendTLSPolicy with section name should be accepted', (t) =>
          policyMustHave(t, s, 'not-conflicted-with-section-name', accepted),
        );
        await t.run('BackendTLSPolicy without section name should be accepted', (t) =>
          policyMustHave(t, s, 'not-conflicted-without-section-name', accepted),
        );
        await t.run(
          'HTTP request sent to Service using the BackendTLSPolicy with section name should succeed',
          () => request('/backendtlspolicy-not-conflicted-with-section-name', 'other.example.com'),
        );
        await t.run(
          'HTTP request sent to Service using the BackendTLSPolicy without section name should succeed',
          () => request('/backendtlspolicy-not-conflicted-without-section-name', 'abc.example.com'),
        );
      },
    );
  },
};

/** Both "invalid reference" tests: the policy is rejected with `resolvedReason` and traffic gets a 5xx. */
async function invalidReferenceCase(t: T, s: Suite, route: string, policy: string, resolvedReason: string) {
  await namespacesMustBeReady(t, s, [ns]);
  const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, sameNamespace, [nn(route)]);
  await t.run(`BackendTLSPolicy_${policy}`, async (t) => {
    await t.run(
      'BackendTLSPolicy has an Accepted Condition with status False and Reason NoValidCACertificate',
      (t) => policyMustHave(t, s, policy, noValidCa),
    );
    await t.run(
      `BackendTLSPolicy has a ResolvedRefs Condition with status False and Reason ${resolvedReason}`,
      (t) => policyMustHave(t, s, policy, { type: 'ResolvedRefs', status: 'False', reason: resolvedReason }),
    );
    await t.run('HTTP Request to backend targeted by an invalid BackendTLSPolicy receive a 5xx', (t) =>
      makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, {
        request: { host: 'abc.example.com', path: `/backendtlspolicy-${policy}` },
        response: { statusCodes: [500, 502, 503] },
        namespace: ns,
      }),
    );
  });
}

export const BackendTLSPolicyInvalidCACertificateRef: ConformanceTest = {
  shortName: 'BackendTLSPolicyInvalidCACertificateRef',
  description:
    'A BackendTLSPolicy that specifies a single invalid CACertificateRef should have the Accepted and ResolvedRefs status condition set False with appropriate reasons, and HTTP requests to a backend targeted by this policy should fail with a 5xx response.',
  features: FEATURES,
  manifests: ['tests/backendtlspolicy-invalid-ca-certificate-ref.yaml'],
  async test(t, s) {
    for (const policy of ['nonexistent-ca-certificate-ref', 'malformed-ca-certificate-ref']) {
      await invalidReferenceCase(
        t,
        s,
        'backendtlspolicy-invalid-ca-certificate-ref',
        policy,
        'InvalidCACertificateRef',
      );
    }
  },
};

export const BackendTLSPolicyInvalidKind: ConformanceTest = {
  shortName: 'BackendTLSPolicyInvalidKind',
  description:
    'A BackendTLSPolicy that specifies a single CACertificateRef with an invalid kind should have the Accepted and ResolvedRefs status condition set False with appropriate reasons, and HTTP requests to a backend targeted by this policy should fail with a 5xx response.',
  features: FEATURES,
  manifests: ['tests/backendtlspolicy-invalid-kind.yaml'],
  async test(t, s) {
    await invalidReferenceCase(t, s, 'backendtlspolicy-invalid-kind-test', 'invalid-kind', 'InvalidKind');
  },
};

export const BackendTLSPolicyObservedGenerationBump: ConformanceTest = {
  shortName: 'BackendTLSPolicyObservedGenerationBump',
  description:
    'A BackendTLSPolicy in the gateway-conformance-infra namespace should update the observedGeneration in all of its Status.Conditions after an update to the spec',
  features: FEATURES,
  manifests: ['tests/backendtlspolicy-observed-generation-bump.yaml'],
  async test(t, s) {
    const policy = nn('observed-generation-bump');
    await t.run('observedGeneration should increment', async (t) => {
      await namespacesMustBeReady(t, s, [ns]);
      const original = await s.kube.mustGet(policyRef(policy));
      backendTLSPolicyMustHaveLatestConditions(t, original);
      await s.kube.mergePatch(policyRef(policy), { spec: { validation: { hostname: 'foo.example.com' } } });
      await backendTLSPolicyMustHaveCondition(t, s, policy, sameNamespace, {
        type: 'Accepted',
        status: 'True',
      });
      const updated = await s.kube.mustGet(policyRef(policy));
      backendTLSPolicyMustHaveLatestConditions(t, updated);
      if (original.metadata.generation === updated.metadata.generation) {
        t.fatal('generation should change after an update');
      }
    });
  },
};

export const BackendTLSPolicySANValidation: ConformanceTest = {
  shortName: 'BackendTLSPolicySANValidation',
  description: 'BackendTLSPolicySANValidation extend BackendTLSPolicy with SubjectAltNames validation',
  features: [...FEATURES, 'BackendTLSPolicySANValidation'],
  manifests: ['tests/backendtlspolicy-san.yaml'],
  async test(t, s) {
    const gwAddr = await gatewayReady(t, s, sameNamespace, 'backendtlspolicy-san-test');
    const cases: [policy: string, path: string, label: string, ok: boolean][] = [
      ['san-dns', '/backendtlspolicy-san-dns', 'dns SAN', true],
      ['san-dns-mismatch', '/backendtlspolicy-san-dns-mismatch', 'dns SAN', false],
      ['san-uri', '/backendtlspolicy-san-uri', 'uri SAN', true],
      ['san-uri-mismatch', '/backendtlspolicy-san-uri-mismatch', 'uri SAN', false],
      ['multiple-sans', '/backendtlspolicy-multiple-sans', 'multi SAN', true],
      ['multiple-mismatch-sans', '/backendtlspolicy-multiple-mismatch-sans', 'multi SAN', false],
    ];
    for (const [policy, path, label, ok] of cases) {
      const name = ok
        ? `HTTP request sent to Service with valid BackendTLSPolicy containing ${label} should succeed`
        : `HTTP request sent to Service targeted by BackendTLSPolicy with mismatched ${label} should return an HTTP error`;
      await t.run(name, async (t) => {
        await policyMustHave(t, s, policy, accepted);
        const expected = viaTls(path, 'abc.example.com');
        if (ok) await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, expected);
        else
          await makeRequestAndExpectFailure(t, s.client, gwAddr, {
            request: expected.request,
            namespace: ns,
          });
      });
    }
  },
};
