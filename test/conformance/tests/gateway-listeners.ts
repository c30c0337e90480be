/**
 * Listener and address status cases: certificate references across namespaces (with and without
 * a ReferenceGrant), attachedRoutes counts (including a listener on port 8080 and one with an
 * unresolved certificate), static addresses, and an address entry without a value.
 */
import { GATEWAY_V1 } from '../harness/kube.js';
import type { Condition, ListenerStatus } from '../harness/status.js';
import { type ConformanceTest, INFRA_NS } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import {
  gatewayMustHaveCondition,
  gatewayMustHaveLatestConditions,
  gatewayStatusMustHaveListeners,
  httpRouteMustHaveCondition,
  waitForGatewayAddress,
} from '../harness/waits.js';

const HTTPROUTE_KIND = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }];
const READY: Condition[] = [
  { type: 'Accepted', status: 'True' },
  { type: 'ResolvedRefs', status: 'True' },
];

function https(conditions: Condition[]): ListenerStatus[] {
  return [{ name: 'https', supportedKinds: HTTPROUTE_KIND, conditions, attachedRoutes: 0 }];
}

function secretGrantTest(
  shortName: string,
  description: string,
  gateway: string,
  caseName: string,
  conditions: Condition[],
): ConformanceTest {
  return {
    shortName,
    description,
    features: ['Gateway', 'ReferenceGrant'],
    manifests: [`tests/${gateway}.yaml`],
    async test(t, s) {
      await t.run(caseName, (t) =>
        gatewayStatusMustHaveListeners(t, s, { namespace: INFRA_NS, name: gateway }, https(conditions)),
      );
    },
  };
}

const refNotPermitted = [{ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' }];
const programmedAndResolved = [
  { type: 'Programmed', status: 'True', reason: 'Programmed' },
  { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' },
];

export const GatewaySecretInvalidReferenceGrant = secretGrantTest(
  'GatewaySecretInvalidReferenceGrant',
  'A Gateway in the gateway-conformance-infra namespace should fail to become ready if the Gateway has a certificateRef for a Secret in the gateway-conformance-web-backend namespace and a ReferenceGrant exists but does not grant permission to that specific Secret',
  'gateway-secret-invalid-reference-grant',
  'Gateway listener should have a false ResolvedRefs condition with reason RefNotPermitted',
  refNotPermitted,
);

export const GatewaySecretMissingReferenceGrant = secretGrantTest(
  'GatewaySecretMissingReferenceGrant',
  'A Gateway in the gateway-conformance-infra namespace should fail to become programmed if the Gateway has a certificateRef for a Secret in the gateway-conformance-web-backend namespace and a ReferenceGrant granting permission to the Secret does not exist',
  'gateway-secret-missing-reference-grant',
  'Gateway listener should have a false ResolvedRefs condition with reason RefNotPermitted',
  refNotPermitted,
);

export const GatewaySecretReferenceGrantAllInNamespace = secretGrantTest(
  'GatewaySecretReferenceGrantAllInNamespace',
  'A Gateway in the gateway-conformance-infra namespace should become programmed if the Gateway has a certificateRef for a Secret in the gateway-conformance-web-backend namespace and a ReferenceGrant granting permission to all Secrets in the namespace exists',
  'gateway-secret-reference-grant-all-in-namespace',
  'Gateway listener should have a true ResolvedRefs condition and a true Programmed condition',
  programmedAndResolved,
);

export const GatewaySecretReferenceGrantSpecific = secretGrantTest(
  'GatewaySecretReferenceGrantSpecific',
  'A Gateway in the gateway-conformance-infra namespace should become programmed if the Gateway has a certificateRef for a Secret in the gateway-conformance-web-backend namespace and a ReferenceGrant granting permission to the specific Secret exists',
  'gateway-secret-reference-grant-specific',
  'Gateway listener should have a true ResolvedRefs condition and a true Programmed condition',
  programmedAndResolved,
);

function http(name: string, attachedRoutes: number, conditions: Condition[] = READY): ListenerStatus {
  return { name, supportedKinds: HTTPROUTE_KIND, conditions, attachedRoutes };
}

export const GatewayWithAttachedRoutes: ConformanceTest = {
  shortName: 'GatewayWithAttachedRoutes',
  description: 'A Gateway in the gateway-conformance-infra namespace should be attached to routes.',
  features: ['Gateway', 'HTTPRoute'],
  manifests: ['tests/gateway-with-attached-routes.yaml'],
  async test(t, s) {
    await t.run('Gateway listener should have one valid http routes attached', (t) =>
      gatewayStatusMustHaveListeners(t, s, { namespace: INFRA_NS, name: 'gateway-with-one-attached-route' }, [
        http('http', 1),
      ]),
    );
    await t.run('Gateway listener should have two valid http routes attached', async (t) => {
      const gwNN = { namespace: INFRA_NS, name: 'gateway-with-two-attached-routes' };
      await gatewayStatusMustHaveListeners(t, s, gwNN, [http('http', 2)]);
      await httpRouteMustHaveCondition(t, s, { namespace: INFRA_NS, name: 'http-route-not-accepted' }, gwNN, {
        type: 'Accepted',
        status: 'False',
        reason: 'NoMatchingListenerHostname',
      });
    });
    await t.run(
      'Gateway listener should have AttachedRoutes set even when Gateway has unresolved refs',
      async (t) => {
        const gwNN = { namespace: INFRA_NS, name: 'unresolved-gateway-with-one-attached-unresolved-route' };
        const unresolved = [
          { type: 'Programmed', status: 'False' },
          { type: 'ResolvedRefs', status: 'False' },
        ];
        await gatewayStatusMustHaveListeners(t, s, gwNN, [http('tls', 1, unresolved)]);
        await httpRouteMustHaveCondition(t, s, { namespace: INFRA_NS, name: 'http-route-4' }, gwNN, {
          type: 'ResolvedRefs',
          status: 'False',
        });
      },
    );
  },
};

export const GatewayWithAttachedRoutesWithPort8080: ConformanceTest = {
  shortName: 'GatewayWithAttachedRoutesWithPort8080',
  description: 'A Gateway in the gateway-conformance-infra namespace should be attached to routes.',
  features: ['Gateway', 'GatewayPort8080', 'HTTPRoute'],
  manifests: ['tests/gateway-with-attached-routes-with-port-8080.yaml'],
  async test(t, s) {
    await t.run('Gateway listener should have attached route by specifying the sectionName', (t) =>
      gatewayStatusMustHaveListeners(
        t,
        s,
        { namespace: INFRA_NS, name: 'gateway-with-two-listeners-and-one-attached-route' },
        [http('http-unattached', 0), http('http', 1)],
      ),
    );
  },
};

interface AddressedGateway {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: { addresses?: { type?: string; value: string }[] };
  status?: { addresses?: { type?: string; value: string }[] };
  [field: string]: unknown;
}

export const GatewayStaticAddresses: ConformanceTest = {
  shortName: 'GatewayStaticAddresses',
  description:
    'A Gateway in the gateway-conformance-infra namespace should be able to use previously determined addresses.',
  features: ['Gateway', 'GatewayStaticAddresses'],
  manifests: ['tests/gateway-static-addresses.yaml'],
  async test(t, s) {
    const gwNN = { namespace: INFRA_NS, name: 'gateway-static-addresses' };
    const ref = { apiVersion: GATEWAY_V1, kind: 'Gateway', ...gwNN };
    await gatewayMustHaveLatestConditions(t, s, gwNN);
    let current = await s.kube.mustGet<AddressedGateway>(ref);
    const addresses = current.spec.addresses ?? [];
    if (addresses.length !== 3) t.fatal(`expected 3 addresses on the Gateway, got ${addresses.length}`);
    const [invalid, unusable, usable] = addresses as [
      (typeof addresses)[0],
      (typeof addresses)[0],
      (typeof addresses)[0],
    ];
    await gatewayMustHaveCondition(t, s, gwNN, {
      type: 'Accepted',
      status: 'False',
      reason: 'UnsupportedAddress',
    });

    t.log(`removing the invalid address ${invalid.value}`);
    await s.kube.mergePatch(ref, { spec: { addresses: addresses.filter((a) => a.value !== invalid.value) } });
    await gatewayMustHaveLatestConditions(t, s, gwNN);
    current = await s.kube.mustGet<AddressedGateway>(ref);
    await gatewayMustHaveCondition(t, s, gwNN, { type: 'Accepted', status: 'True', reason: 'Accepted' });
    await gatewayMustHaveCondition(t, s, gwNN, {
      type: 'Programmed',
      status: 'False',
      reason: 'AddressNotUsable',
    });

    t.log(`removing the unusable address ${unusable.value}`);
    const remaining = (current.spec.addresses ?? []).filter((a) => a.value !== unusable.value);
    await s.kube.mergePatch(ref, { spec: { addresses: remaining } });
    await gatewayMustHaveLatestConditions(t, s, gwNN);
    current = await s.kube.mustGet<AddressedGateway>(ref);
    await gatewayMustHaveCondition(t, s, gwNN, { type: 'Accepted', status: 'True', reason: 'Accepted' });
    await gatewayMustHaveCondition(t, s, gwNN, { type: 'Programmed', status: 'True', reason: 'Programmed' });
    await gatewayStatusMustHaveListeners(t, s, gwNN, [http('http', 0)]);
    expectSingleAddress(t, current, usable);
  },
};

function expectSingleAddress(t: T, gw: AddressedGateway, usable: { type?: string; value: string }): void {
  if (gw.spec.addresses?.length !== 1) t.fatal('expected only 1 address left specified on Gateway');
  const status = gw.status?.addresses ?? [];
  if (status.length !== 1)
    t.fatal(
      `one usable address was provided, so it should be the one in status; got ${JSON.stringify(status)}`,
    );
  if (status[0]?.type !== usable.type)
    t.fatal(`expected address type ${usable.type}, got ${status[0]?.type}`);
  if (status[0]?.value !== usable.value) t.fatal(`expected address ${usable.value}, got ${status[0]?.value}`);
}

export const GatewayOptionalAddressValue: ConformanceTest = {
  shortName: 'GatewayOptionalAddressValue',
  description: 'Check Gateway Support for GatewayAddressEmpty feature',
  features: ['Gateway', 'GatewayAddressEmpty'],
  manifests: ['tests/gateway-optional-address-value.yaml'],
  provisional: true,
  async test(t, s) {
    const gwNN = { namespace: INFRA_NS, name: 'gateway-without-address-value' };
    await gatewayMustHaveLatestConditions(t, s, gwNN);
    await t.run('Gateway should have an address in status', async (t) => {
      const address = await waitForGatewayAddress(t, s, gwNN);
      t.log(`Gateway address: ${address}`);
    });
  },
};
