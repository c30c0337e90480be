// Running `gatehouse controller` (see controller.ts for the command and its options): the
// Kubernetes provider, status writer and leader election around the shared pipeline and data
// plane. A module of its own so that only this command loads the Kubernetes client.

import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { type AdminServer, isLoopback, parseAdminAddress, startAdminServer } from '../../admin/server.js';
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
import { adminRoutes } from '../admin-routes.js';
import { Operations } from '../operating.js';
import { loggerFromFlags } from '../options.js';
import { readVersion } from '../version.js';
import type { ControllerFlags } from './controller.js';

export async function runController(flags: ControllerFlags): Promise<void> {
  const root = loggerFromFlags(flags);
  const log = componentLogger(root, 'controller');
  const admin = parseAdminAddress(flags.adminAddress);
  if (!isLoopback(admin.host) && !flags.adminAllowRemote) {
    throw new Error(
      `admin address ${flags.adminAddress} is not loopback: pass --admin-allow-remote to allow it`,
    );
  }
  const identity = flags.leaderElectionId ?? process.env.POD_NAME ?? hostname();
  const { kubeConfig, source, namespace } = loadKubeConfig({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    userAgent: `gatehouse/${readVersion()} (${identity})`,
  });
  log.info({ source, server: kubeConfig.getCurrentCluster()?.server }, 'connecting to the Kubernetes API');

  const ops = new Operations(flags, root);
  const writer = new KubernetesStatusWriter({
    kubeConfig,
    controllerName: flags.controllerName,
    logger: root,
  });
  const dataPlane = createDataPlane({
    defaultBind: flags.bind,
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
  adminServer = await startAdminServer({
    ...admin,
    logger: componentLogger(root, 'admin'),
    routes: adminRoutes(pipeline, { synced: () => synced.synced, drain, metrics: ops.metrics }),
  });
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
