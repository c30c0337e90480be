/**
 * Status-only Gateway and GatewayClass cases: observedGeneration bumps, adding and removing
 * listeners, unsupported listener protocols, an invalid parametersRef, invalid route kinds and
 * invalid TLS certificate references.
 */
import { GATEWAY_V1 } from '../harness/kube.js';
import type { ListenerStatus } from '../harness/status.js';
import { type ConformanceTest, INFRA_NS, type Suite } from '../harness/suite.js';
import type { T } from '../harness/t.js';
import {
  gatewayClassMustHaveLatestConditions,
  gatewayMustHaveCondition,
  gatewayMustHaveLatestConditions,
  gatewayStatusMustHaveListeners,
  gwcMustBeAccepted,
  type NamespacedName,
  namespacesMustBeReady,
} from '../harness/waits.js';

const HTTPROUTE_KIND = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }];
const acceptedAndResolved = [
  { type: 'Accepted', status: 'True' },
  { type: 'ResolvedRefs', status: 'True' },
];

interface GatewayObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number };
  spec: { listeners: Record<string, unknown>[] };
  status?: { conditions?: { type: string; observedGeneration?: number }[] };
  [field: string]: unknown;
}

async function getGateway(s: Suite, nn: NamespacedName): Promise<GatewayObject> {
  return s.kube.mustGet<GatewayObject>({ apiVersion: GATEWAY_V1, kind: 'Gateway', ...nn });
}

async function patchListeners(
  s: Suite,
  nn: NamespacedName,
  listeners: Record<string, unknown>[],
): Promise<void> {
  await s.kube.mergePatch({ apiVersion: GATEWAY_V1, kind: 'Gateway', ...nn }, { spec: { listeners } });
}

function expectGenerationChanged(t: T, before: GatewayObject, after: GatewayObject): void {
  if (before.metadata.generation === after.metadata.generation) {
    t.fatal(`generation should change after an update, stayed at ${after.metadata.generation}`);
  }
}

export const GatewayClassObservedGenerationBump: ConformanceTest = {
  shortName: 'GatewayClassObservedGenerationBump',
  description:
    'A GatewayClass should update the observedGeneration in all of its Status.Conditions after an update to the spec',
  features: ['Gateway'],
  manifests: ['tests/gatewayclass-observed-generation-bump.yaml'],
  async test(t, s) {
    const name = 'gatewayclass-observed-generation-bump';
    const ref = { apiVersion: GATEWAY_V1, kind: 'GatewayClass', name };
    await t.run('observedGeneration should increment', async (t) => {
      await gwcMustBeAccepted(t, s, name, '');
      await gatewayClassMustHaveLatestConditions(t, s, name);
      const existing = await s.kube.mustGet(ref);
      await s.kube.update({ ...existing, spec: { ...(existing.spec as object), description: 'new' } });
      await gwcMustBeAccepted(t, s, name, '');
      await gatewayClassMustHaveLatestConditions(t, s, name);
      const updated = await s.kube.mustGet(ref);
      if (existing.metadata.generation === updated.metadata.generation) {
        t.fatal(
          `expected generation to change because of spec change - remained at ${updated.metadata.generation}`,
        );
      }
      const before = (existing.status as { conditions?: GatewayConditionLike[] })?.conditions ?? [];
      for (const uc of (updated.status as { conditions?: GatewayConditionLike[] })?.conditions ?? []) {
        if (before.some((ec) => ec.type === uc.type && ec.observedGeneration === uc.observedGeneration)) {
          t.error(
            `expected status condition ${uc.type} observedGeneration to change - remained at ${uc.observedGeneration}`,
          );
        }
      }
    });
  },
};

interface GatewayConditionLike {
  type: string;
  observedGeneration?: number;
}

export const GatewayObservedGenerationBump: ConformanceTest = {
  shortName: 'GatewayObservedGenerationBump',
  description:
    'A Gateway in the gateway-conformance-infra namespace should update the observedGeneration in all of its Status.Conditions after an update to the spec',
  features: ['Gateway'],
  manifests: ['tests/gateway-observed-generation-bump.yaml'],
  async test(t, s) {
    const gwNN = { namespace: INFRA_NS, name: 'gateway-observed-generation-bump' };
    await t.run('observedGeneration should increment', async (t) => {
      await namespacesMustBeReady(t, s, [INFRA_NS]);
      await gatewayMustHaveLatestConditions(t, s, gwNN);
      const original = await getGateway(s, gwNN);
      await patchListeners(s, gwNN, [
        ...original.spec.listeners,
        {
          name: 'alternate',
          hostname: 'foo.com',
          port: 80,
          protocol: 'HTTP',
          allowedRoutes: { namespaces: { from: 'All' } },
        },
      ]);
      await namespacesMustBeReady(t, s, [INFRA_NS]);
      await gatewayMustHaveLatestConditions(t, s, gwNN);
      expectGenerationChanged(t, original, await getGateway(s, gwNN));
    });
  },
};

function listenerStatus(name: string, attachedRoutes: number): ListenerStatus {
  return { name, supportedKinds: HTTPROUTE_KIND, conditions: acceptedAndResolved, attachedRoutes };
}

export const GatewayModifyListeners: ConformanceTest = {
  shortName: 'GatewayModifyListeners',
  description:
    'A Gateway in the gateway-conformance-infra namespace should handle adding and removing listeners.',
  features: ['Gateway'],
  manifests: ['tests/gateway-modify-listeners.yaml'],
  async test(t, s) {
    await t.run(
      'should be able to add a listener that then becomes available for routing traffic',
      async (t) => {
        const gwNN = { namespace: INFRA_NS, name: 'gateway-add-listener' };
        await namespacesMustBeReady(t, s, [INFRA_NS]);
        await gatewayMustHaveLatestConditions(t, s, gwNN);
        const original = await getGateway(s, gwNN);
        await patchListeners(s, gwNN, [
          ...original.spec.listeners,
          {
            name: 'http',
            port: 80,
            protocol: 'HTTP',
            hostname: 'data.test.com',
            allowedRoutes: { namespaces: { from: 'All' } },
          },
        ]);
        await namespacesMustBeReady(t, s, [INFRA_NS]);
        await gatewayStatusMustHaveListeners(t, s, gwNN, [
          listenerStatus('https', 1),
          listenerStatus('http', 1),
        ]);
        await gatewayMustHaveLatestConditions(t, s, gwNN);
        expectGenerationChanged(t, original, await getGateway(s, gwNN));
      },
    );
    await t.run(
      'should be able to remove listeners, which would then stop routing the relevant traffic',
      async (t) => {
        const gwNN = { namespace: INFRA_NS, name: 'gateway-remove-listener' };
        await namespacesMustBeReady(t, s, [INFRA_NS]);
        await gatewayMustHaveLatestConditions(t, s, gwNN);
        const original = await getGateway(s, gwNN);
        if (original.spec.listeners.length !== 2) t.fatal('the gateway must have 2 listeners');
        await patchListeners(
          s,
          gwNN,
          original.spec.listeners.filter((l) => l.name === 'http'),
        );
        await namespacesMustBeReady(t, s, [INFRA_NS]);
        await gatewayStatusMustHaveListeners(t, s, gwNN, [listenerStatus('http', 1)]);
        await gatewayMustHaveLatestConditions(t, s, gwNN);
        expectGenerationChanged(t, original, await getGateway(s, gwNN));
      },
    );
  },
};

export const GatewayListenerUnsupportedProtocol: ConformanceTest = {
  shortName: 'GatewayListenerUnsupportedProtocol',
  description:
    'A Gateway should set the Accepted condition to False with reason UnsupportedProtocol on listeners whose protocol is not supported.',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-listeners-unsupported-protocol.yaml'],
  async test(t, s) {
    const invalid: ListenerStatus = {
      name: 'invalid',
      supportedKinds: [],
      conditions: [{ type: 'Accepted', status: 'False', reason: 'UnsupportedProtocol' }],
      attachedRoutes: 0,
    };
    await t.parallel([
      [
        'Gateway with no accepted listeners should not be accepted',
        async (t) => {
          const gwNN = { namespace: INFRA_NS, name: 'gateway-only-unsupported-protocols' };
          await gatewayMustHaveLatestConditions(t, s, gwNN);
          await gatewayMustHaveCondition(t, s, gwNN, {
            type: 'Accepted',
            status: 'False',
            reason: 'ListenersNotValid',
          });
          await gatewayStatusMustHaveListeners(t, s, gwNN, [invalid]);
        },
      ],
      [
        'Gateway with at least one accepted listener should be accepted',
        async (t) => {
          const gwNN = { namespace: INFRA_NS, name: 'gateway-supported-and-unsupported-protocols' };
          await gatewayMustHaveLatestConditions(t, s, gwNN);
          await gatewayMustHaveCondition(t, s, gwNN, {
            type: 'Accepted',
            status: 'True',
            reason: 'ListenersNotValid',
          });
          const http: ListenerStatus = {
            name: 'http',
            supportedKinds: HTTPROUTE_KIND,
            conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
            attachedRoutes: 0,
          };
          await gatewayStatusMustHaveListeners(t, s, gwNN, [http, invalid]);
        },
      ],
    ]);
  },
};

export const GatewayInvalidParametersRef: ConformanceTest = {
  shortName: 'GatewayInvalidParametersRef',
  description:
    'A Gateway referencing an invalid or non-existent parametersRef should set the Accepted condition to False with reason InvalidParameters.',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-parameters-ref.yaml'],
  async test(t, s) {
    const gwNN = { namespace: INFRA_NS, name: 'gateway-invalid-parameters-ref' };
    await gatewayMustHaveLatestConditions(t, s, gwNN);
    await gatewayMustHaveCondition(t, s, gwNN, {
      type: 'Accepted',
      status: 'False',
      reason: 'InvalidParameters',
    });
  },
};

export const GatewayInvalidRouteKind: ConformanceTest = {
  shortName: 'GatewayInvalidRouteKind',
  description:
    'A Gateway in the gateway-conformance-infra namespace should fail to become ready an invalid Route kind is specified.',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-route-kind.yaml'],
  async test(t, s) {
    const invalidKinds = [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }];
    await t.run(
      'Gateway listener should have a false ResolvedRefs condition with reason InvalidRouteKinds and no supportedKinds',
      (t) =>
        gatewayStatusMustHaveListeners(
          t,
          s,
          { namespace: INFRA_NS, name: 'gateway-only-invalid-route-kind' },
          [{ name: 'http', supportedKinds: [], conditions: invalidKinds, attachedRoutes: 0 }],
        ),
    );
    await t.run(
      'Gateway listener should have a false ResolvedRefs condition with reason InvalidRouteKinds and HTTPRoute must be put in the supportedKinds',
      (t) =>
        gatewayStatusMustHaveListeners(
          t,
          s,
          { namespace: INFRA_NS, name: 'gateway-supported-and-invalid-route-kind' },
          [{ name: 'http', supportedKinds: HTTPROUTE_KIND, conditions: invalidKinds, attachedRoutes: 0 }],
        ),
    );
  },
};

export const GatewayInvalidTLSConfiguration: ConformanceTest = {
  shortName: 'GatewayInvalidTLSConfiguration',
  description: 'A Gateway should fail to become ready if the Gateway has an invalid TLS configuration',
  features: ['Gateway'],
  manifests: ['tests/gateway-invalid-tls-configuration.yaml'],
  async test(t, s) {
    const listeners: ListenerStatus[] = [
      {
        name: 'https',
        supportedKinds: HTTPROUTE_KIND,
        conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidCertificateRef' }],
        attachedRoutes: 0,
      },
    ];
    const cases: [string, string][] = [
      [
        'Nonexistent secret referenced as CertificateRef in a Gateway listener',
        'gateway-certificate-nonexistent-secret',
      ],
      [
        'Unsupported group resource referenced as CertificateRef in a Gateway listener',
        'gateway-certificate-unsupported-group',
      ],
      [
        'Unsupported kind resource referenced as CertificateRef in a Gateway listener',
        'gateway-certificate-unsupported-kind',
      ],
      [
        'Malformed secret referenced as CertificateRef in a Gateway listener',
        'gateway-certificate-malformed-secret',
      ],
    ];
    await t.parallel(
      cases.map(([name, gateway]) => [
        name,
        (t: T) => gatewayStatusMustHaveListeners(t, s, { namespace: INFRA_NS, name: gateway }, listeners),
      ]),
    );
  },
};
