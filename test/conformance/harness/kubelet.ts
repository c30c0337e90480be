/**
 * The harness as kubelet and ReplicaSet controller: for every Deployment in the cluster that runs
 * echo-basic in HTTP mode, `replicas` echo servers run as pods on the pod network (each its own
 * IP), with the Deployment's environment. Each pod is also a Pod object whose status (Running,
 * Ready, podIP) is written once its server listens, as a kubelet does. Deployments that change
 * template are rolled over; deleted ones lose their pods. The endpoints controller (endpoints.ts)
 * is told after every change.
 */
import { AppsV1Api, makeInformer, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Pod, PodNetwork } from '../pods/pod-network.js';
import type { AnyObject, Kube } from './kube.js';
import {
  CONFIGMAP_SOURCE,
  containerEnv,
  missingSecrets,
  type PodTemplate,
  podName,
  podTemplate,
  replicasOf,
  templateHash,
  unsupportedReason,
} from './pod-spec.js';
import { Reconciler } from './reconciler.js';

export interface RunningPod {
  name: string;
  namespace: string;
  deployment: string;
  hash: string;
  labels: Record<string, string>;
  ip: string;
  process: Pod;
}

export type Log = (message: string) => void;

const RETRY_MS = 250;

export class Kubelet {
  private readonly running = new Map<string, RunningPod[]>();
  private readonly skipped = new Set<string>();
  private readonly informer;
  private stopped = false;
  private readonly reconciler: Reconciler;

  constructor(
    private readonly kube: Kube,
    private readonly network: PodNetwork,
    private readonly log: Log,
    private readonly onPodsChanged: () => void,
  ) {
    const apps = kube.config.makeApiClient(AppsV1Api);
    this.informer = makeInformer<V1Deployment>(kube.config, '/apis/apps/v1/deployments', () =>
      apps.listDeploymentForAllNamespaces(),
    );
    this.reconciler = new Reconciler(() => this.reconcile(), log, 'kubelet');
    for (const verb of ['add', 'update', 'delete'] as const)
      this.informer.on(verb, () => this.reconciler.kick());
    // Stopping aborts the watch, which the informer reports as an error too: no restart then.
    this.informer.on('error', () => {
      setTimeout(() => {
        if (!this.stopped) void this.informer.start();
      }, RETRY_MS);
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    this.reconciler.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
    await this.reconciler.stop();
    const all = [...this.running.values()].flat();
    this.running.clear();
    await Promise.all(all.map((pod) => pod.process.stop()));
  }

  /** Ready pods, optionally only those of one namespace. */
  pods(namespace?: string): RunningPod[] {
    return [...this.running.values()]
      .flat()
      .filter((p) => namespace === undefined || p.namespace === namespace);
  }

  /** Resolves once every Deployment that can run here has its replicas running. */
  async settled(): Promise<void> {
    await this.reconciler.idle();
  }

  private async reconcile(): Promise<boolean> {
    const deployments = this.informer.list() as unknown as AnyObject[];
    const wanted = new Set<string>();
    let retry = false;
    for (const deployment of deployments) {
      const key = `${deployment.metadata.namespace}/${deployment.metadata.name}`;
      wanted.add(key);
      retry = (await this.reconcileDeployment(key, deployment)) || retry;
    }
    for (const key of [...this.running.keys()]) {
      if (!wanted.has(key)) await this.scaleTo(key, [], 0);
    }
    this.onPodsChanged();
    return retry;
  }

  /** Returns true when the Deployment is waiting for something (a Secret) and needs a retry. */
  private async reconcileDeployment(key: string, deployment: AnyObject): Promise<boolean> {
    const template = podTemplate(deployment);
    const reason = template ? unsupportedReason(template) : 'no container in the pod template';
    if (!template || reason) {
      if (!this.skipped.has(key)) this.log(`not running Deployment ${key}: ${reason}`);
      this.skipped.add(key);
      return false;
    }
    const hash = templateHash(deployment);
    const current = (this.running.get(key) ?? []).filter((p) => p.hash === hash);
    const stale = (this.running.get(key) ?? []).filter((p) => p.hash !== hash);
    await Promise.all(stale.map((pod) => this.deletePod(pod)));
    const secrets = await this.secretsFor(deployment.metadata.namespace ?? 'default', template);
    if (missingSecrets(template, (name) => secrets.get(name)).length > 0) {
      this.running.set(key, current);
      return true;
    }
    await this.scaleTo(key, current, replicasOf(deployment), { deployment, template, hash, secrets });
    return false;
  }

  private async scaleTo(
    key: string,
    current: RunningPod[],
    replicas: number,
    spec?: {
      deployment: AnyObject;
      template: PodTemplate;
      hash: string;
      secrets: Map<string, Record<string, string>>;
    },
  ): Promise<void> {
    const keep = current.slice(0, replicas);
    await Promise.all(current.slice(replicas).map((pod) => this.deletePod(pod)));
    if (spec && keep.length < replicas) {
      const started = await Promise.all(
        Array.from({ length: replicas - keep.length }, () =>
          this.startPod(spec.deployment, spec.template, spec.hash, spec.secrets),
        ),
      );
      keep.push(...started);
    }
    if (keep.length > 0) this.running.set(key, keep);
    else this.running.delete(key);
  }

  private async startPod(
    deployment: AnyObject,
    template: PodTemplate,
    hash: string,
    secrets: Map<string, Record<string, string>>,
  ): Promise<RunningPod> {
    const namespace = deployment.metadata.namespace ?? 'default';
    const name = podName(deployment.metadata.name, hash);
    const labels = { ...template.labels, 'pod-template-hash': hash };
    const ip = await this.network.allocate();
    const env = containerEnv(template, { name, namespace, ip }, (secret) => secrets.get(secret));
    const created = await this.kube.create<AnyObject>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels },
      spec: { containers: [template.container] },
    });
    const process = await this.network.startPod({ name, namespace, ip, env });
    await this.kube.replacePodStatus(readyStatus(created, ip));
    return { name, namespace, deployment: deployment.metadata.name, hash, labels, ip, process };
  }

  private async deletePod(pod: RunningPod): Promise<void> {
    await this.kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: pod.namespace, name: pod.name });
    await pod.process.stop();
  }

  private async secretsFor(
    namespace: string,
    template: PodTemplate,
  ): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    for (const volume of template.volumes) {
      const name = volume.secret?.secretName;
      if (name) {
        const secret = await this.kube.get({ apiVersion: 'v1', kind: 'Secret', namespace, name });
        if (secret)
          out.set(name, ((secret as { data?: Record<string, string> }).data ?? {}) as Record<string, string>);
      }
      const cmName = volume.configMap?.name;
      if (cmName) {
        const cm = await this.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: cmName });
        const data = ((cm as { data?: Record<string, string> } | undefined)?.data ?? {}) as Record<
          string,
          string
        >;
        const encoded = Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]);
        if (cm) out.set(`${CONFIGMAP_SOURCE}${cmName}`, Object.fromEntries(encoded));
      }
    }
    return out;
  }
}

function readyStatus(pod: AnyObject, ip: string): V1Pod {
  const now = new Date();
  const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
  return {
    ...(pod as unknown as V1Pod),
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: now,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition),
    },
  };
}
