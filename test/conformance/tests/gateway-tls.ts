/**
 * Gateway spec.tls cases: the client certificate a Gateway presents to TLS backends (and the
 * Gateway conditions for invalid references to it), and frontend client-certificate validation on
 * HTTPS listeners (default and per-port CAs, AllowInsecureFallback, invalid CA references).
 */
import {
  type ExpectedResponse,
  makeRequest,
  makeRequestAndExpectEventuallyConsistentResponse,
} from '../harness/http.js';
import type { KeyPair } from '../harness/pki.js';
import { backendTLSPolicyMustHaveCondition } from '../harness/policies.js';
import type { Condition } from '../harness/status.js';
import { type ConformanceTest, INFRA_NS, type Suite } from '../harness/suite.js';
import { describeError, type T } from '../harness/t.js';
import { makeTLSRequestAndExpectEventuallyConsistentResponse } from '../harness/tls.js';
import {
  gatewayAndHTTPRoutesMustBeAccepted,
  gatewayListenersMustHaveConditions,
  gatewayMustHaveCondition,
  gatewayMustHaveLatestConditions,
  hostOf,
  httpRouteMustHaveResolvedRefsConditionsTrue,
  joinHostPort,
  namespacesMustBeReady,
  waitForGatewayAddress,
} from '../harness/waits.js';

const ns = INFRA_NS;
const nn = (name: string) => ({ namespace: ns, name });
const FRONTEND = 'GatewayFrontendClientCertificateValidation';

export const GatewayTLSBackendClientCertificate: ConformanceTest = {
  shortName: 'GatewayTLSBackendClientCertificate',
  description:
    'A Gateway with a client certificate configured should present the certificate when connecting to a backend using TLS.',
  features: ['Gateway', 'GatewayBackendClientCertificate', 'HTTPRoute', 'BackendTLSPolicy'],
  manifests: ['tests/gateway-tls-backend-client-certificate.yaml'],
  async test(t, s) {
    const gw = nn('gateway-tls-backend-client-certificate');
    const route = nn('gateway-tls-backend-client-certificate');
    await namespacesMustBeReady(t, s, [ns]);
    const gwAddr = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, gw, [route]);
    await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, route, gw);
    const policy = nn('gateway-tls-backend-client-certificate-test');
    await backendTLSPolicyMustHaveCondition(t, s, policy, gw, { type: 'Accepted', status: 'True' });
    await gatewayMustHaveCondition(t, s, gw, {
      type: 'ResolvedRefs',
      status: 'True',
      reason: 'ResolvedRefs',
    });
    await t.run(
      'HTTP request sent to Service using TLS should succeed and the configured client certificate should be presented.',
      (t) =>
        makeRequestAndExpectEventuallyConsistentResponse(t, s.client, gwAddr, {
          request: {
            path: '/',
            host: 'abc.example.com',
            sni: 'abc.example.com',
            clientCert: s.keyPair(`${ns}/tls-checks-client-certificate`).certPem,
          },
          response: { statusCodes: [200] },
          namespace: ns,
        }),
    );
  },
};

export const GatewayInvalidTLSBackendConfiguration: ConformanceTest = {
  shortName: 'GatewayInvalidTLSBackendConfiguration',
  description:
    'A Gateway should have ResolvedRefs condition set false if the Gateway has an invalid backend TLS configuration',
  features: ['Gateway', 'GatewayBackendClientCertificate', 'HTTPRoute', 'BackendTLSPolicy'],
  manifests: ['tests/gateway-invalid-tls-backend-configuration.yaml'],
  async test(t, s) {
    const cases: [name: string, gateway: string, reason: string][] = [
      ['Nonexistent secret', 'gateway-client-certificate-nonexistent-secret', 'InvalidClientCertificateRef'],
      [
        'Unsupported group resource',
        'gateway-client-certificate-unsupported-group',
        'InvalidClientCertificateRef',
      ],
      [
        'Unsupported kind resource',
        'gateway-client-certificate-unsupported-kind',
        'InvalidClientCertificateRef',
      ],
      ['Malformed secret', 'gateway-client-certificate-malformed-secret', 'InvalidClientCertificateRef'],
      [
        'Secret referenced from another namespace without any ReferenceGrant',
        'gateway-client-certificate-missing-reference-grant',
        'RefNotPermitted',
      ],
    ];
    await t.parallel(
      cases.map(([name, gateway, reason]) => [
        `${name} referenced as ClientCertificateRef in Gateway backend TLS configuration`,
        async (t: T) => {
          await gatewayMustHaveLatestConditions(t, s, nn(gateway));
          await gatewayMustHaveCondition(t, s, nn(gateway), {
            type: 'ResolvedRefs',
            status: 'False',
            reason,
          });
          await gatewayMustHaveCondition(t, s, nn(gateway), {
            type: 'Accepted',
            status: 'True',
            reason: 'Accepted',
          });
        },
      ]),
    );
  },
};

/** The suite's server certificate of the HTTPS listeners, and its two client certificates. */
function certificates(s: Suite): { server: string; byDefault: KeyPair; perPort: KeyPair } {
  return {
    server: s.keyPair(`${ns}/tls-validity-checks-certificate`).certPem,
    byDefault: s.keyPair(`${ns}/tls-validity-checks-client-certificate`),
    perPort: s.keyPair(`${ns}/tls-validity-checks-per-port-client-certificate`),
  };
}

/**
 * Upstream's tls.MakeTLSRequestAndExpectFailureResponse: one attempt, which must fail at the
 * transport or TLS level; any HTTP answer fails the case.
 */
async function expectTLSFailure(
  t: T,
  s: Suite,
  address: string,
  serverCert: string,
  serverName: string,
  expected: ExpectedResponse,
  clientCert?: KeyPair,
): Promise<void> {
  const tls = {
    serverName,
    caPem: serverCert,
    ...(clientCert ? { clientCertPem: clientCert.certPem, clientKeyPem: clientCert.keyPem } : {}),
  };
  let status: number;
  try {
    status = (await s.client.roundTrip(makeRequest(s.client, expected, address, 'https', tls))).response
      .statusCode;
  } catch (error) {
    t.log(`request failed as expected: ${describeError(error)}`);
    return;
  }
  t.fatal(`expected the TLS request to fail, got HTTP ${status}`);
}

/** The two listeners (443 default CA, 8443 per-port CA) of both validation manifests. */
async function validatingGateway(t: T, s: Suite, gateway: string, routes: string[]): Promise<string> {
  const gw = nn(gateway);
  const host = await gatewayAndHTTPRoutesMustBeAccepted(t, s, s.controllerName, gw, routes.map(nn), false);
  for (const route of routes) await httpRouteMustHaveResolvedRefsConditionsTrue(t, s, nn(route), gw);
  return host;
}

/** The failure expectation upstream builds from a success: same request, no status or backend. */
function failureOf(expected: ExpectedResponse): ExpectedResponse {
  return { request: expected.request, namespace: ns };
}

const reach = (host: string, backend: string): ExpectedResponse => ({
  request: { host, path: '/' },
  response: { statusCode: 200 },
  backend,
  namespace: ns,
});
const toV1 = reach('example.org', 'infra-backend-v1');
const toV2 = reach('second-example.org', 'infra-backend-v2');

export const GatewayFrontendClientCertificateValidation: ConformanceTest = {
  shortName: 'GatewayFrontendClientCertificateValidation',
  description: "Gateway's client certificate validation config should be used for HTTPS traffic",
  features: ['Gateway', 'HTTPRoute', FRONTEND],
  manifests: ['tests/gateway-with-clientcertificate-validation.yaml'],
  async test(t, s) {
    const host = await validatingGateway(t, s, 'client-validation-default', [
      'client-certificate-validation-https-test',
      'client-certificate-validation-https-test-no-hostname',
    ]);
    const certs = certificates(s);
    await t.run('Validate default configuration', async (t) => {
      const address = joinHostPort(host, 443);
      await makeTLSRequestAndExpectEventuallyConsistentResponse(
        t,
        s.client,
        address,
        certs.server,
        'example.org',
        toV1,
        certs.byDefault,
      );
      await expectTLSFailure(t, s, address, certs.server, 'example.org', failureOf(toV1), certs.perPort);
    });
    await t.run('Validate per port configuration', async (t) => {
      const address = joinHostPort(host, 8443);
      await makeTLSRequestAndExpectEventuallyConsistentResponse(
        t,
        s.client,
        address,
        certs.server,
        'second-example.org',
        toV2,
        certs.perPort,
      );
      await expectTLSFailure(
        t,
        s,
        address,
        certs.server,
        'second-example.org',
        failureOf(toV2),
        certs.byDefault,
      );
    });
  },
};

export const GatewayFrontendClientCertificateValidationInsecureFallback: ConformanceTest = {
  shortName: 'GatewayFrontendClientCertificateValidationInsecureFallback',
  description:
    "Gateway's client certificate validation config with AllowInsecureFallback mode should accept HTTPS traffic without a valid client certificate",
  features: ['Gateway', 'HTTPRoute', FRONTEND, 'GatewayFrontendClientCertificateValidationInsecureFallback'],
  manifests: ['tests/gateway-with-clientcertificate-validation-insecure-fallback.yaml'],
  async test(t, s) {
    const gw = nn('client-validation-insecure-fallback');
    const routes = [
      'client-cert-validation-insecure-fallback-test',
      'client-cert-validation-insecure-fallback-test-no-hostname',
    ];
    const host = await validatingGateway(t, s, gw.name, routes);
    await t.run('Validate InsecureFrontendValidationMode status condition on the Gateway', (t) =>
      gatewayMustHaveCondition(t, s, gw, {
        type: 'InsecureFrontendValidationMode',
        status: 'True',
        reason: 'ConfigurationChanged',
      }),
    );
    const certs = certificates(s);
    const cases: [
      label: string,
      listener: string,
      port: number,
      serverName: string,
      expected: ExpectedResponse,
      matching: KeyPair,
      other: KeyPair,
    ][] = [
      ['default', 'first', 443, 'example.org', toV1, certs.byDefault, certs.perPort],
      ['per port', 'second', 8443, 'second-example.org', toV2, certs.perPort, certs.byDefault],
    ];
    for (const [label, listener, port, serverName, expected, matching, other] of cases) {
      await t.run(`Validate ${label} TLS configuration`, async (t) => {
        const address = joinHostPort(host, port);
        const variants: [string, KeyPair | undefined][] = [
          ['with matching client certificate', matching],
          ['with non-matching client certificate', other],
          ['without client certificate', undefined],
        ];
        for (const [how, clientCert] of variants) {
          await t.run(
            `Send request to the ${listener} listener ${how} and validate that it is passing`,
            (t) =>
              makeTLSRequestAndExpectEventuallyConsistentResponse(
                t,
                s.client,
                address,
                certs.server,
                serverName,
                expected,
                clientCert,
              ),
          );
        }
      });
    }
  },
};

const listenerConditions = (resolved: string, acceptedReason: string): Condition[] => [
  { type: 'ResolvedRefs', status: 'False', reason: resolved },
  { type: 'Accepted', status: 'False', reason: acceptedReason },
  { type: 'Programmed', status: 'False' },
];
const allTrue: Condition[] = ['ResolvedRefs', 'Accepted', 'Programmed'].map((type) => ({
  type,
  status: 'True',
}));

export const GatewayFrontendInvalidDefaultClientCertificateValidation: ConformanceTest = {
  shortName: 'GatewayFrontendInvalidDefaultClientCertificateValidation',
  description:
    "Invalid Gateway's default Client Certificate Validation Config should only affect HTTPS traffic",
  features: ['Gateway', 'HTTPRoute', FRONTEND],
  manifests: ['tests/gateway-invalid-default-frontend-client-certificate-validation.yaml'],
  async test(t, s) {
    const gw = nn('invalid-default-client-validation-config');
    const host = hostOf(await waitForGatewayAddress(t, s, gw));
    await t.run('Validate tls configuration does not impact HTTP listener', async (t) => {
      await gatewayListenersMustHaveConditions(t, s, gw, allTrue, ['http']);
      await makeRequestAndExpectEventuallyConsistentResponse(t, s.client, joinHostPort(host, 80), toV1);
    });
    await t.run('Validate that invalid default configuration is impacting HTTPS listener', async (t) => {
      const rejected = listenerConditions('InvalidCACertificateRef', 'NoValidCACertificate');
      await gatewayListenersMustHaveConditions(t, s, gw, rejected, ['https']);
      const server = certificates(s).server;
      await expectTLSFailure(t, s, joinHostPort(host, 443), server, 'example.org', failureOf(toV1));
    });
  },
};

export const GatewayInvalidFrontendClientCertificateValidation: ConformanceTest = {
  shortName: 'GatewayInvalidFrontendClientCertificateValidation',
  description: "Gateway's should reject invalid Client Certificate Validation Config",
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant', FRONTEND],
  manifests: ['tests/gateway-with-invalid-clientcertificate-validation.yaml'],
  async test(t, s) {
    const gw = nn('gateway-with-invalid-client-cert-validation');
    await t.run('Validate status for invalid client certificate configuration', async (t) => {
      const cases: [name: string, listener: string, conditions: Condition[]][] = [
        ['default valid configuration', 'https', allTrue],
        [
          'unresolved reference',
          'https-unresolved',
          listenerConditions('InvalidCACertificateRef', 'NoValidCACertificate'),
        ],
        [
          'invalid kind',
          'https-invalid-kind',
          listenerConditions('InvalidCACertificateKind', 'NoValidCACertificate'),
        ],
        [
          'reference grant missing',
          'https-grant-missing',
          listenerConditions('RefNotPermitted', 'NoValidCACertificate'),
        ],
      ];
      for (const [name, listener, conditions] of cases) {
        await t.run(name, (t) => gatewayListenersMustHaveConditions(t, s, gw, conditions, [listener]));
      }
    });
  },
};
