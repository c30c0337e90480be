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
import type { Command } from 'commander';
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
import { DEFAULT_LEADER_TIMINGS, LeaderElector } from '../../runtime/leader/elector.js';
import { Pipeline } from '../../runtime/pipeline.js';
import { KubernetesStatusWriter } from '../../status/kubernetes/writer.js';
import { DEFAULT_CONTROLLER_NAME } from '../../translator/types.js';
import { adminRoutes } from '../admin-routes.js';
import { addOperatingOptions, type OperatingFlags, Operations } from '../operating.js';
import {
  DEFAULT_ADMIN_ADDRESS,
  durationOption,
  type LoggingFlags,
  loggerFromFlags,
  parseCidr,
  parseIp,
  parseLogFormat,
} from '../options.js';
import { readVersion } from '../version.js';

interface ControllerFlags extends LoggingFlags, OperatingFlags {
  kubeconfig?: string;
  context?: string;
  controllerName: string;
  bind: string;
  addressPool?: string;
  adminAddress: string;
  adminAllowRemote: boolean;
  leaderElection: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId?: string;
  leaseName: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}

export function registerController(program: Command): void {
  const command = program
    .command('controller')
    .description('watch the Kubernetes API, write Gateway API status, and serve the traffic')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--controller-name <name>', 'GatewayClass controllerName to accept', DEFAULT_CONTROLLER_NAME)
    .option('--bind <ip>', 'address for Gateways without spec.addresses', parseIp, '0.0.0.0')
    .option('--address-pool <cidr>', 'give each Gateway its own address from this range', parseCidr)
    .option(
      '--admin-address <host:port>',
      'admin endpoint (health, readiness, metrics, status, config, drain)',
      DEFAULT_ADMIN_ADDRESS,
    )
    .option('--admin-allow-remote', 'allow the admin endpoint on a non-loopback address', false)
    .option('--no-leader-election', 'write status without electing a leader (single replica only)')
    .option(
      '--leader-election-namespace <ns>',
      'namespace of the Lease (default: $POD_NAMESPACE or in-cluster)',
    )
    .option(
      '--leader-election-id <id>',
      'this replica identity, also sent in the User-Agent (default: $POD_NAME or hostname)',
    )
    .option('--lease-name <name>', 'name of the Lease', 'gatehouse-controller')
    .addOption(
      durationOption(
        '--lease-duration <duration>',
        'how long standbys wait before taking an unrenewed lease',
        DEFAULT_LEADER_TIMINGS.leaseDurationMs,
      ),
    )
    .addOption(
      durationOption(
        '--renew-deadline <duration>',
        'how long the leader keeps trying to renew before it steps down',
        DEFAULT_LEADER_TIMINGS.renewDeadlineMs,
      ),
    )
    .addOption(
      durationOption(
        '--retry-period <duration>',
        'time between attempts to acquire or renew the lease',
        DEFAULT_LEADER_TIMINGS.retryPeriodMs,
      ),
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .option('--log-format <format>', 'json or text', parseLogFormat, 'json');
  addOperatingOptions(command).action((flags: ControllerFlags) => runController(flags));
}

async function runController(flags: ControllerFlags): Promise<void> {
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
