// `gatehouse controller`: Kubernetes mode. The Kubernetes provider feeds the same pipeline as
// `serve`; statuses go back to the API through the status writer, and only the elected leader
// writes. Until per-Gateway proxies are provisioned, this process also serves the traffic.
//
// Start order: admin (so /readyz answers 503 while syncing), data plane, leader election, then
// the provider, whose first snapshot only arrives after every kind has listed once. SIGTERM,
// SIGINT and POST /drain release the Lease at once (the standby takes over status), drain the
// traffic while the watches keep endpoints current, then stop (see runtime/drain.ts).

import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AdminServer } from '../../admin/server.js';
import { createDataPlane } from '../../dataplane/runtime.js';
import {
  registerLeader,
  registerResourceCounts,
  registerStatusWriterStats,
  registerWatchStats,
} from '../../observability/controlplane-metrics.js';
import { componentLogger, type Logger } from '../../observability/logger.js';
import { loadKubeConfig } from '../../provider/kubernetes/client.js';
import { KubernetesProvider } from '../../provider/kubernetes/provider.js';
import { LeaderElector } from '../../runtime/leader/elector.js';
import { Pipeline } from '../../runtime/pipeline.js';
import { KubernetesStatusWriter } from '../../status/kubernetes/writer.js';
import type { ControllerFlags } from '../commands/controller.js';
import { readVersion } from '../version.js';
import { Operations } from './operations.js';

export async function runController(flags: ControllerFlags): Promise<void> {
  const ops = new Operations(flags);
  const { root } = ops;
  const log = componentLogger(root, 'controller');
  const identity = flags.leaderElectionId ?? process.env.POD_NAME ?? hostname();
  const { kubeConfig, source, namespace } = loadKubeConfig({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    userAgent: `gatehouse/${readVersion()} (${identity})`,
  });
  log.info({ source, server: kubeConfig.getCurrentCluster()?.server }, 'connecting to the Kubernetes API');

  const writer = new KubernetesStatusWriter({
    kubeConfig,
    controllerName: flags.controllerName,
    logger: root,
  });
  const dataPlane = createDataPlane({
    defaultBind: flags.bind,
    keepAliveTimeoutMs: flags.keepAliveTimeout,
    ...(flags.addressPool ? { addressPool: flags.addressPool } : {}),
    logger: root,
    ...(ops.dataPlaneObserver ? { observer: ops.dataPlaneObserver } : {}),
  });
  // The provider is created below; the pipeline publishes statuses against its store.
  let provider: KubernetesProvider | undefined;
  const pipeline = new Pipeline({
    translate: { controllerName: flags.controllerName },
    dataPlane,
    logger: componentLogger(root, 'pipeline'),
    observer: ops.pipelineObserver,
    onPublished: (state) => {
      if (provider) void writer.write(state.statuses, provider.store);
    },
  });
  provider = new KubernetesProvider({
    kubeConfig,
    logger: root,
    onSnapshot: (snapshot, info) =>
      pipeline.submit(snapshot, info.reason === 'change' ? info.firstChangeAt : undefined),
  });
  const synced = provider;
  registerControllerMetrics(ops, synced, writer);

  const elector = flags.leaderElection
    ? createElector(flags, kubeConfig, namespace, identity, writer, root)
    : undefined;
  let adminServer: AdminServer | undefined;
  const drain = ops.drainOnSignals(
    dataPlane,
    async () => {
      await synced.stop();
      pipeline.close();
      await writer.idle();
      await dataPlane.close();
      await adminServer?.close();
      log.info('stopped');
    },
    async () => {
      await elector?.stop();
    },
  );
  adminServer = await ops.startAdmin(pipeline, { drain, synced: () => synced.synced });
  if (elector) void elector.start();
  else writer.setLeader(true);
  void provider.start();
}

/** The Lease holder writes status; `namespace` is the kubeconfig's (in-cluster: the pod's). */
function createElector(
  flags: ControllerFlags,
  kubeConfig: KubeConfig,
  namespace: string | undefined,
  identity: string,
  writer: KubernetesStatusWriter,
  root: Logger,
): LeaderElector {
  return new LeaderElector({
    kubeConfig,
    namespace: flags.leaderElectionNamespace ?? process.env.POD_NAMESPACE ?? namespace ?? 'gatehouse-system',
    identity,
    name: flags.leaseName,
    timings: {
      leaseDurationMs: flags.leaseDuration,
      renewDeadlineMs: flags.renewDeadline,
      retryPeriodMs: flags.retryPeriod,
    },
    logger: componentLogger(root, 'leader'),
    onStartedLeading: () => writer.setLeader(true),
    onStoppedLeading: () => writer.setLeader(false),
  });
}

function registerControllerMetrics(
  ops: Operations,
  provider: KubernetesProvider,
  writer: KubernetesStatusWriter,
): void {
  registerResourceCounts(ops.metrics, () =>
    Object.fromEntries(
      Object.keys(provider.stats.kinds).map((kind) => [kind, provider.store.keys(kind).length]),
    ),
  );
  registerWatchStats(ops.metrics, provider.stats);
  registerStatusWriterStats(ops.metrics, writer.stats);
  registerLeader(ops.metrics, () => writer.isLeader);
}
