/**
 * The harness as EndpointSlice controller: every Service with a selector gets one IPv4
 * EndpointSlice labelled `kubernetes.io/service-name` and managed-by this controller, listing the
 * ready pods that match the selector (conditions ready/serving, targetRef to the Pod) and the
 * Service's ports under their Service names (targetPort resolved, appProtocol kept). Services
 * without a selector are left alone: their slices are managed by hand (HTTPRouteServiceTypes),
 * and only slices carrying our managed-by label are ever changed or deleted.
 */
import {
  CoreV1Api,
  DiscoveryV1Api,
  makeInformer,
  type V1EndpointSlice,
  type V1Service,
} from '@kubernetes/client-node';
import type { AnyObject, Kube } from './kube.js';
import type { Log, RunningPod } from './kubelet.js';
import { Reconciler } from './reconciler.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const MANAGED_BY = 'endpointslice-controller.k8s.io';
const DISCOVERY_V1 = 'discovery.k8s.io/v1';
const RETRY_MS = 250;

interface SliceContent {
  endpoints: unknown[];
  ports: unknown[];
}

export class EndpointsController {
  private readonly services;
  private stopped = false;
  private readonly reconciler: Reconciler;

  constructor(
    private readonly kube: Kube,
    private readonly pods: () => RunningPod[],
    log: Log,
  ) {
    const core = kube.config.makeApiClient(CoreV1Api);
    this.services = makeInformer<V1Service>(kube.config, '/api/v1/services', () =>
      core.listServiceForAllNamespaces(),
    );
    this.reconciler = new Reconciler(() => this.reconcile(), log, 'endpoints');
    for (const verb of ['add', 'update', 'delete'] as const) this.services.on(verb, () => this.kick());
    // Stopping aborts the watch, which the informer reports as an error too: no restart then.
    this.services.on('error', () => {
      setTimeout(() => {
        if (!this.stopped) void this.services.start();
      }, RETRY_MS);
    });
  }

  async start(): Promise<void> {
    await this.services.start();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.services.stop();
    await this.reconciler.stop();
  }

  kick(): void {
    this.reconciler.kick();
  }

  settled(): Promise<void> {
    return this.reconciler.idle();
  }

  private async reconcile(): Promise<boolean> {
    const discovery = this.kube.config.makeApiClient(DiscoveryV1Api);
    const existing = (
      await discovery.listEndpointSliceForAllNamespaces({
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
      })
    ).items;
    const services = this.services.list().filter((s) => Object.keys(s.spec?.selector ?? {}).length > 0);
    const wanted = new Set<string>();
    for (const service of services) {
      const namespace = service.metadata?.namespace ?? 'default';
      const name = service.metadata?.name ?? '';
      wanted.add(`${namespace}/${name}`);
      const mine = existing.filter(
        (s) => s.metadata?.namespace === namespace && s.metadata?.labels?.[SERVICE_NAME_LABEL] === name,
      );
      await this.sync(service, mine);
    }
    for (const slice of existing) {
      const service = `${slice.metadata?.namespace}/${slice.metadata?.labels?.[SERVICE_NAME_LABEL]}`;
      if (!wanted.has(service)) await this.kube.delete(sliceRef(slice));
    }
    return false;
  }

  private async sync(service: V1Service, current: V1EndpointSlice[]): Promise<void> {
    const desired = this.desiredContent(service);
    const [first, ...extra] = current;
    for (const slice of extra) await this.kube.delete(sliceRef(slice));
    if (first && JSON.stringify(contentOf(first)) === JSON.stringify(desired)) return;
    const namespace = service.metadata?.namespace ?? 'default';
    const serviceName = service.metadata?.name ?? '';
    const body = {
      apiVersion: DISCOVERY_V1,
      kind: 'EndpointSlice',
      metadata: {
        ...(first
          ? { name: first.metadata?.name ?? '', resourceVersion: first.metadata?.resourceVersion }
          : { generateName: `${serviceName}-` }),
        namespace,
        labels: { [SERVICE_NAME_LABEL]: serviceName, [MANAGED_BY_LABEL]: MANAGED_BY },
      },
      addressType: 'IPv4',
      ...desired,
    } as unknown as AnyObject;
    if (first) await this.kube.update(body);
    else await this.kube.create(body);
  }

  private desiredContent(service: V1Service): SliceContent {
    const selector = service.spec?.selector ?? {};
    const namespace = service.metadata?.namespace;
    const pods = this.pods()
      .filter(
        (p) => p.namespace === namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    const endpoints = pods.map((pod) => ({
      addresses: [pod.ip],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: pod.namespace, name: pod.name },
    }));
    const ports = (service.spec?.ports ?? []).flatMap((port) => {
      const target =
        typeof port.targetPort === 'number' ? port.targetPort : Number(port.targetPort ?? port.port);
      if (!Number.isInteger(target)) return [];
      return [
        {
          name: port.name ?? '',
          port: target,
          protocol: port.protocol ?? 'TCP',
          ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}),
        },
      ];
    });
    return { endpoints, ports };
  }
}

function contentOf(slice: V1EndpointSlice): SliceContent {
  const endpoints = (slice.endpoints ?? []).map((e) => ({
    addresses: e.addresses,
    conditions: {
      ready: e.conditions?.ready,
      serving: e.conditions?.serving,
      terminating: e.conditions?.terminating,
    },
    targetRef: { kind: e.targetRef?.kind, namespace: e.targetRef?.namespace, name: e.targetRef?.name },
  }));
  const ports = (slice.ports ?? []).map((p) => ({
    name: p.name ?? '',
    port: p.port,
    protocol: p.protocol ?? 'TCP',
    ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
  }));
  return { endpoints, ports };
}

function sliceRef(slice: V1EndpointSlice) {
  return {
    apiVersion: DISCOVERY_V1,
    kind: 'EndpointSlice',
    namespace: slice.metadata?.namespace ?? 'default',
    name: slice.metadata?.name ?? '',
  };
}
